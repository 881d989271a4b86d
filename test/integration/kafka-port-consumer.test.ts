// The Kafka port's consumer as the sink uses it, on real Kafka: a pattern subscription, a group that starts at the
// end of the log (consumer.auto.offset.reset=latest), a heartbeat inside a batch, manual commits, and a second
// member of the group that resumes from the committed offset. A producer that may not create topics refuses a
// record for a missing one.
import { afterAll, describe, expect, it } from 'vitest';
import { kafkajsAdapter } from '../../src/kafka/kafkajs-adapter.js';
import type { ConsumedBatch, ConsumerPort, TopicPartition } from '../../src/kafka/port.js';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { createTopics, kafkaSuite } from './streams-harness.js';

const consumers: ConsumerPort[] = [];
const { brokers, admin } = kafkaSuite(() => Promise.all(consumers.splice(0).map((c) => c.close())));
const kafka = kafkajsAdapter({ brokers });
afterAll(() => Promise.all(consumers.map((c) => c.close())));

const record = (topic: string, value: string) => ({ topic, partition: 0, key: Buffer.from(value), value: Buffer.from(value), timestamp: Date.now(), headers: {} });

/** Starts a consumer of `groupId`; resolves once the group gave it partitions. */
async function consume(groupId: string, subscription: readonly (string | RegExp)[], fromBeginning: boolean) {
  const consumer = kafka.consumer({ groupId, fromBeginning, maxBytesPerPartition: 1 << 20, maxBytes: 4 << 20 });
  consumers.push(consumer);
  const seen: string[] = [];
  const batches: ConsumedBatch[] = [];
  let assigned: readonly TopicPartition[] = [];
  await consumer.run(subscription, {
    onAssigned: (partitions) => void (assigned = partitions),
    onCrash: (error) => {
      throw error;
    },
    onBatch: async (batch) => {
      if (batch.records.length === 0) return;
      await batch.heartbeat?.();
      batches.push(batch);
      seen.push(...batch.records.map((r) => `${batch.topic}:${String(r.value)}`));
      await consumer.commit([{ topic: batch.topic, partition: batch.partition, offset: batch.records.at(-1)!.offset + 1 }]);
    },
  });
  await waitFor(() => assigned.length > 0, { description: 'an assignment' });
  return { consumer, seen, batches, assigned: () => assigned };
}

describe('the Kafka port consumer on real Kafka', () => {
  it('subscribes by pattern, starts at the end without a committed offset, and a new member resumes from the commit', async () => {
    const prefix = randomName('port_pattern');
    const [a, b] = [`${prefix}-a`, `${prefix}-b`];
    await createTopics(admin, [{ topic: a, partitions: 1 }, { topic: b, partitions: 1 }]);
    const producer = await kafka.producer();
    await producer.send([record(a, 'old-a'), record(b, 'old-b')]);

    const groupId = randomName('port_group');
    const first = await consume(groupId, [new RegExp(`^${prefix}-`)], false);
    expect(first.assigned().map((tp) => tp.topic).sort()).toEqual([a, b]);
    // 'latest' is resolved when the member first fetches, some time after the assignment: new records are sent
    // until the member has read one of each topic; the records written before it joined are never read.
    await waitFor(async () => {
      await producer.send([record(a, 'new-a'), record(b, 'new-b')]);
      return first.seen.includes(`${a}:new-a`) && first.seen.includes(`${b}:new-b`);
    }, { intervalMs: 500, description: 'the new records' });
    expect(first.seen.filter((s) => s.includes(':old-'))).toEqual([]);
    expect(first.batches.every((batch) => typeof batch.heartbeat === 'function')).toBe(true);
    const admin2 = await kafka.admin();
    await waitFor(async () => {
      const ends = new Map([[a, (await admin2.offsets(a))[0]!.high], [b, (await admin2.offsets(b))[0]!.high]]);
      const offsets = await admin2.committedOffsets(groupId, [a, b]);
      return offsets.length === 2 && offsets.every((o) => o.offset === ends.get(o.topic));
    }, { description: 'the offsets of everything read committed for both topics' });
    await admin2.close();
    await first.consumer.close();

    await producer.send([record(a, 'later-a')]);
    const second = await consume(groupId, [new RegExp(`^${prefix}-`)], true);
    await waitFor(() => second.seen.length >= 1, { description: 'the record written after the commit' });
    expect(second.seen).toEqual([`${a}:later-a`]);
    await producer.close();
  });

  it('a producer that may not create topics refuses a record for a missing topic', async () => {
    const producer = await kafkajsAdapter({ brokers, retry: { retries: 0 } }).producer({ autoCreateTopics: false });
    const missing = randomTopic('port_missing');
    await expect(producer.send([record(missing, 'v')])).rejects.toThrow();
    expect(await admin.listTopics()).not.toContain(missing);
    await producer.close();
  });
});
