// Compatibility contract, kafkajs 2.2.4 on Kafka 4.x: transactions as exactly-once processing uses them
// (records + consumer offsets committed atomically, or neither), including transactions back to back.
// Transactions are begun through src/kafka/kafkajs-compat.ts (retries CONCURRENT_TRANSACTIONS, see there).
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beginTransaction, createTopics } from '../../src/kafka/kafkajs-compat.js';
import { randomName, randomTopic, testServices, waitFor } from '../env/services.js';

const { brokers } = testServices();
const kafka = new Kafka({ clientId: 'compat-transactions', brokers, logLevel: logLevel.WARN });
const admin = kafka.admin();

beforeAll(async () => {
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
});

async function collect(topic: string, readUncommitted: boolean): Promise<{ consumer: Consumer; values: string[] }> {
  const consumer = kafka.consumer({ groupId: randomName('reader'), readUncommitted });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.push(message.value?.toString() ?? '');
    },
  });
  return { consumer, values };
}

async function committedOffset(groupId: string, topic: string): Promise<string | undefined> {
  const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return result?.partitions.find((p) => p.partition === 0)?.offset;
}

describe('kafkajs on Kafka 4.x: transactions', () => {
  it('commits records with consumer offsets; an aborted transaction leaves neither records nor offsets', async () => {
    const input = randomTopic('txn_in');
    const output = randomTopic('txn_out');
    const groupId = randomName('txn_group');
    await createTopics(admin, { topics: [{ topic: input }, { topic: output }] });

    const producer = kafka.producer({ transactionalId: randomName('txn'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const committed = await beginTransaction(producer);
      await committed.send({ topic: output, messages: [{ value: 'committed-1' }, { value: 'committed-2' }] });
      await committed.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '2' }] }] });
      await committed.commit();

      const aborted = await beginTransaction(producer);
      await aborted.send({ topic: output, messages: [{ value: 'aborted-1' }] });
      await aborted.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '3' }] }] });
      await aborted.abort();

      const last = await beginTransaction(producer);
      await last.send({ topic: output, messages: [{ value: 'end' }] });
      await last.commit();
    } finally {
      await producer.disconnect();
    }

    const readCommitted = await collect(output, false);
    const readUncommitted = await collect(output, true);
    try {
      await waitFor(() => readCommitted.values.includes('end'), { description: 'read_committed consumer to reach the end' });
      await waitFor(() => readUncommitted.values.includes('end'), { description: 'read_uncommitted consumer to reach the end' });
    } finally {
      await Promise.allSettled([readCommitted.consumer.disconnect(), readUncommitted.consumer.disconnect()]);
    }
    expect(readCommitted.values).toEqual(['committed-1', 'committed-2', 'end']);
    // The aborted record was written to the log; only isolation hides it.
    expect(readUncommitted.values).toEqual(['committed-1', 'committed-2', 'aborted-1', 'end']);
    expect(await committedOffset(groupId, input)).toBe('2');
  });

  it('runs transactions back to back, each with records and offsets', async () => {
    const input = randomTopic('b2b_in');
    const output = randomTopic('b2b_out');
    const groupId = randomName('b2b_group');
    const count = 25;
    await createTopics(admin, { topics: [{ topic: input }, { topic: output, numPartitions: 2 }] });

    const producer = kafka.producer({ transactionalId: randomName('b2b'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (let i = 0; i < count; i += 1) {
        const transaction = await beginTransaction(producer);
        await transaction.send({ topic: output, messages: [{ key: `k${i % 2}`, value: `txn-${i}` }] });
        await transaction.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic: input, partitions: [{ partition: 0, offset: String(i + 1) }] }],
        });
        await transaction.commit();
      }
    } finally {
      await producer.disconnect();
    }

    const reader = await collect(output, false);
    try {
      await waitFor(() => reader.values.length >= count, { description: `${count} committed records` });
    } finally {
      await reader.consumer.disconnect();
    }
    expect([...reader.values].sort()).toEqual(Array.from({ length: count }, (_, i) => `txn-${i}`).sort());
    expect(await committedOffset(groupId, input)).toBe(String(count));
  });

  it('runs transactions back to back that begin with sendOffsets, some without records', async () => {
    // Consumed-but-nothing-produced is the common case for filters; kafkajs does not retry AddOffsetsToTxn.
    const input = randomTopic('offsets_first_in');
    const output = randomTopic('offsets_first_out');
    const groupId = randomName('offsets_first_group');
    const count = 30;
    await createTopics(admin, { topics: [{ topic: input }, { topic: output }] });

    const producer = kafka.producer({ transactionalId: randomName('offsets_first'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (let i = 0; i < count; i += 1) {
        const transaction = await beginTransaction(producer);
        await transaction.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic: input, partitions: [{ partition: 0, offset: String(i + 1) }] }],
        });
        if (i % 3 === 0) await transaction.send({ topic: output, messages: [{ value: `kept-${i}` }] });
        await transaction.commit();
      }
      const last = await beginTransaction(producer);
      await last.send({ topic: output, messages: [{ value: 'end' }] });
      await last.commit();
    } finally {
      await producer.disconnect();
    }

    const reader = await collect(output, false);
    try {
      await waitFor(() => reader.values.includes('end'), { description: 'the final record' });
    } finally {
      await reader.consumer.disconnect();
    }
    const expected = Array.from({ length: count }, (_, i) => i)
      .filter((i) => i % 3 === 0)
      .map((i) => `kept-${i}`);
    expect(reader.values).toEqual([...expected, 'end']);
    expect(await committedOffset(groupId, input)).toBe(String(count));
  });
});
