import { describe, expect, it } from 'vitest';
import type { OutgoingRecord } from '../errors.js';
import { InMemoryKafka } from './in-memory-kafka.js';
import type { ConsumedBatch } from './port.js';

const out = (topic: string, key: string | null, value: string, partition?: number): OutgoingRecord => ({
  topic, key: key === null ? null : Buffer.from(key), value: Buffer.from(value), timestamp: 7, headers: { h: 'x' }, ...(partition === undefined ? {} : { partition }),
});
const values = (kafka: InMemoryKafka, topic: string, partition: number): string[] => kafka.log(topic, partition).map((r) => String(r.value));

describe('InMemoryKafka', () => {
  it('appends sends in order, keeps a key on one partition and lands a transaction only at its commit', async () => {
    const kafka = new InMemoryKafka({ t: 3 });
    const producer = await kafka.producer({ transactionalId: 'tx' });
    await producer.send([out('t', null, 'a', 1), out('t', null, 'b', 1)]);
    expect(values(kafka, 't', 1)).toEqual(['a', 'b']);
    expect(kafka.log('t', 1)[1]).toMatchObject({ offset: 1, timestamp: 7, headers: { h: 'x' } });
    await producer.send([out('t', 'k', '1'), out('t', 'k', '2')]);
    expect(new Set(kafka.records('t').filter((r) => String(r.key) === 'k').map((r) => r.partition)).size).toBe(1);

    const aborted = await producer.beginTransaction();
    await aborted.send([out('t', null, 'never', 0)]);
    await aborted.abort();
    const transaction = await producer.beginTransaction();
    await transaction.send([out('t', null, 'later', 0)]);
    await transaction.sendOffsets('g', [{ topic: 'in', partition: 0, offset: 5 }]);
    expect(values(kafka, 't', 0)).not.toContain('later');
    await transaction.commit();
    expect(values(kafka, 't', 0)).toEqual(['later']);
    expect(kafka.committed.get('in/0')?.offset).toBe(5);
    expect(kafka.ops).toEqual(['send t', 'send t', 'begin tx', 'txn send t', 'txn abort', 'begin tx', 'txn send t', 'txn offsets g [{"topic":"in","partition":0,"offset":5}]', 'txn commit']);
  });

  it('refuses a send to a missing topic when the producer may not create topics', async () => {
    const kafka = new InMemoryKafka();
    await expect((await kafka.producer({ autoCreateTopics: false })).send([out('nope', null, 'v')])).rejects.toThrow(/does not host/);
    await (await kafka.producer()).send([out('auto', null, 'v')]);
    expect(kafka.hasTopic('auto')).toBe(true);
  });

  it('delivers from the committed offset, stops at a pause, and marks a batch stale after a seek', async () => {
    const kafka = new InMemoryKafka({ t: 1 }, { maxBatchRecords: 2 });
    for (const v of ['a', 'b', 'c', 'd', 'e']) kafka.append('t', 0, { key: null, value: Buffer.from(v) });
    kafka.committed.set('t/0', { topic: 't', partition: 0, offset: 1 });
    const consumer = kafka.consumer({ groupId: 'g' });
    const seen: string[][] = [];
    let stale: ConsumedBatch | undefined;
    await consumer.run(['t'], {
      onAssigned: () => undefined,
      onCrash: () => undefined,
      onBatch: async (batch) => {
        seen.push(batch.records.map((r) => String(r.value)));
        if (seen.length === 1) {
          stale = batch;
          consumer.seek([{ topic: 't', partition: 0, offset: 4 }]);
        } else consumer.pause([{ topic: 't', partition: 0 }]);
      },
    });
    kafka.rebalance();
    expect(consumer.groupMetadata()).toEqual({ generationId: 3, memberId: 'member-1' });
    expect(await kafka.deliver()).toBe(3);
    expect(seen).toEqual([['b', 'c'], ['e']]);
    expect(stale?.isStale?.()).toBe(true);
    expect(await kafka.deliver()).toBe(0);
  });

  it('reads to the requested ends from the log start, in batches', async () => {
    const kafka = new InMemoryKafka({ t: 2 }, { maxBatchRecords: 2 });
    for (const v of ['a', 'b', 'c', 'd']) kafka.append('t', 0, { key: null, value: Buffer.from(v) });
    kafka.append('t', 1, { key: null, value: Buffer.from('x') });
    const admin = await kafka.admin();
    await admin.deleteRecords('t', [{ partition: 0, offset: 1 }]);
    expect(await admin.offsets('t')).toEqual([{ partition: 0, low: 1, high: 4 }, { partition: 1, low: 0, high: 1 }]);
    const batches: string[] = [];
    await kafka.readToEnd([{ topic: 't', partition: 0, endOffset: 4 }, { topic: 't', partition: 1, endOffset: 1 }], (b) => void batches.push(`${b.partition}:${b.records.map((r) => String(r.value)).join('')}`), { readCommitted: true });
    expect(batches).toEqual(['0:bc', '0:d', '1:x']);
    expect(kafka.reads).toEqual([{ readCommitted: true, partitions: ['t-0@4', 't-1@1'] }]);
  });
});
