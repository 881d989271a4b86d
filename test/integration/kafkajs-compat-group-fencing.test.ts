// Compatibility contract, kafkajs 2.2.4 on Kafka 4.x: the offsets of a transaction go with the consumer's group
// generation (TxnOffsetCommit v3, added by src/kafka/kafkajs-compat.ts), so a member whose generation the group
// has left behind -- an instance that stalled while its partitions were given to another -- cannot commit.
import { type Consumer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { errorChain } from '../../src/kafka/error-chain.js';
import { kafkajsAdapter } from '../../src/kafka/kafkajs-adapter.js';
import { createTopics } from '../../src/kafka/kafkajs-compat.js';
import type { ConsumerPort, GroupMetadata, KafkaPort, TopicPartitionOffset, TransactionPort } from '../../src/kafka/port.js';
import { classifyTransactionFailure } from '../../src/kafka/transaction-errors.js';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { kafkaSuite } from './streams-harness.js';

const { brokers, kafka, admin } = kafkaSuite();

interface Member {
  consumer: ConsumerPort;
  /** Partitions of the latest assignment. */
  assigned: number[];
  crash?: Error;
}

async function joinMember(port: KafkaPort, groupId: string, topic: string): Promise<Member> {
  const consumer = port.consumer({ groupId, sessionTimeoutMs: 10_000 });
  const member: Member = { consumer, assigned: [] };
  await consumer.run([topic], {
    onAssigned: (partitions) => {
      member.assigned = partitions.map((p) => p.partition).sort((a, b) => a - b);
    },
    onBatch: async () => undefined,
    onCrash: (error) => {
      member.crash = error;
    },
  });
  return member;
}

const record = (topic: string, value: string) => ({ topic, key: Buffer.from('k'), value: Buffer.from(value), timestamp: Date.now(), headers: {}, partition: 0 });

/** Runs one transaction (a record, then offsets); returns the error it failed with, after aborting it. */
async function transact(transaction: TransactionPort, output: string, value: string, groupId: string, offsets: TopicPartitionOffset[], metadata: GroupMetadata | undefined): Promise<unknown> {
  try {
    await transaction.send([record(output, value)]);
    await transaction.sendOffsets(groupId, offsets, metadata);
    await transaction.commit();
    return undefined;
  } catch (error) {
    await transaction.abort();
    return error;
  }
}

/** The Kafka error code somewhere in the cause chain. */
function errorCode(error: unknown): number | undefined {
  for (const e of errorChain(error)) if (typeof e['code'] === 'number') return e['code'];
  return undefined;
}

async function readAll(topic: string, readUncommitted: boolean, last: string): Promise<string[]> {
  const consumer: Consumer = kafka.consumer({ groupId: randomName('reader'), readUncommitted });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.push(message.value?.toString() ?? '');
    },
  });
  try {
    await waitFor(() => values.includes(last), { description: `${topic} read to '${last}'` });
  } finally {
    await consumer.disconnect();
  }
  return values;
}

async function committed(groupId: string, topic: string): Promise<Record<number, string>> {
  const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return Object.fromEntries((result?.partitions ?? []).map((p) => [p.partition, p.offset]));
}

describe('kafkajs on Kafka 4.x: transactional offsets fenced by the group generation', () => {
  it('refuses offsets sent with a past generation or by a departed member (migrated), accepts the current generation', async () => {
    const input = randomTopic('fence_in');
    const output = randomTopic('fence_out');
    const groupId = randomName('fence_group');
    await createTopics(admin, { topics: [{ topic: input, numPartitions: 2 }, { topic: output, numPartitions: 1 }] });
    const port = kafkajsAdapter({ brokers });
    // Records below every offset committed here: a committed offset past the log end would make the members
    // reset it (kafkajs commits the earliest offset on OFFSET_OUT_OF_RANGE).
    const plain = await port.producer();
    await plain.send([0, 1].flatMap((partition) => Array.from({ length: 5 }, (_, i) => ({ ...record(input, `in-${i}`), partition }))));
    await plain.close();
    const producer = await port.producer({ transactionalId: randomName('fence_tx') });

    const a = await joinMember(port, groupId, input);
    await waitFor(() => a.assigned.length === 2, { description: 'A to own both partitions' });
    const aAlone = a.consumer.groupMetadata();
    expect(aAlone).toEqual({ generationId: expect.any(Number), memberId: expect.any(String) });

    // B joins: the group rebalances into a new generation, A rejoins it and gives up a partition.
    const b = await joinMember(port, groupId, input);
    await waitFor(() => a.assigned.length === 1 && b.assigned.length === 1, { description: 'A and B to own a partition each' });
    expect([a.crash, b.crash]).toEqual([undefined, undefined]);
    const aShared = a.consumer.groupMetadata()!;
    const bShared = b.consumer.groupMetadata()!;
    expect(aShared.memberId).toBe(aAlone!.memberId);
    expect(aShared.generationId).toBeGreaterThan(aAlone!.generationId);
    expect(bShared.generationId).toBe(aShared.generationId);
    const aPartition = a.assigned[0]!;
    const bPartition = b.assigned[0]!;

    try {
      // A zombie: A still holds the generation in which it owned both partitions.
      const stale = await transact(await producer.beginTransaction(), output, 'zombie-past-generation', groupId, [0, 1].map((partition) => ({ topic: input, partition, offset: 3 })), aAlone);
      expect(errorCode(stale)).toBe(22); // ILLEGAL_GENERATION
      expect(classifyTransactionFailure(stale)).toBe('migrated');

      // The same offsets with A's current generation commit.
      expect(await transact(await producer.beginTransaction(), output, 'a-current', groupId, [{ topic: input, partition: aPartition, offset: 1 }], aShared)).toBeUndefined();

      // A leaves; B takes both partitions in the next generation and A's member id is gone.
      await a.consumer.close();
      await waitFor(() => b.assigned.length === 2, { description: 'B to own both partitions' });
      const departed = await transact(await producer.beginTransaction(), output, 'zombie-departed-member', groupId, [0, 1].map((partition) => ({ topic: input, partition, offset: 3 })), aShared);
      expect(errorCode(departed)).toBe(25); // UNKNOWN_MEMBER_ID
      expect(classifyTransactionFailure(departed)).toBe('migrated');
      expect(await committed(groupId, input)).toEqual({ [aPartition]: '1', [bPartition]: '-1' });

      const bCurrent = b.consumer.groupMetadata()!;
      expect(bCurrent.generationId).toBeGreaterThan(bShared.generationId);
      expect(await transact(await producer.beginTransaction(), output, 'b-current', groupId, [{ topic: input, partition: bPartition, offset: 2 }], bCurrent)).toBeUndefined();
    } finally {
      await Promise.allSettled([a.consumer.close(), b.consumer.close(), producer.close()]);
    }

    // The zombies' records reached the log but were aborted: only read_uncommitted sees them.
    expect(await readAll(output, false, 'b-current')).toEqual(['a-current', 'b-current']);
    expect(await readAll(output, true, 'b-current')).toEqual(['zombie-past-generation', 'a-current', 'zombie-departed-member', 'b-current']);
    expect(await committed(groupId, input)).toEqual({ [aPartition]: '1', [bPartition]: '2' });
  });
});
