import { describe, expect, it } from 'vitest';
import { RecordTooLargeError } from '../../src/errors.js';
import { InMemoryKafka } from '../../src/kafka/in-memory-kafka.js';
import { RecordSender } from './record-sender.js';
import type { CdcRecord } from './change-events.js';
import type { SourceOffset } from './offset-store.js';

/** The sender on an in-memory Kafka; sends, stored offsets and durability go into one ordered log (`kafka.ops`). */
async function senderOn(kafka: InMemoryKafka, maxRecords?: number, maxBytes?: number) {
  const errors: Error[] = [];
  const producer = await kafka.producer();
  const sender = new RecordSender(producer, async (o) => void kafka.ops.push(`offset:${o.lsnCommit}`), (e) => errors.push(e), {}, maxRecords, maxBytes);
  return { sender, errors, durable: (lsn: number) => () => void kafka.ops.push(`durable:${lsn}`) };
}

const rec = (topic: string, v: string, size = 0): CdcRecord => ({ topic, key: Buffer.from('k'), value: Buffer.from(v + ' '.repeat(size)), headers: {} });
const offset = (lsn: bigint): SourceOffset => ({ lsn, lsnProc: lsn, lsnCommit: lsn, txId: 1n, tsUsec: 0n, messageType: 'COMMIT', snapshotCompleted: true });
const values = (kafka: InMemoryKafka, topic: string): string[] => kafka.records(topic).map((r) => String(r.value).trim());

describe('RecordSender', () => {
  it('keeps order, stores the offset after the records and reports durability after the offset', async () => {
    const kafka = new InMemoryKafka({ a: 1, b: 1 });
    const { sender, durable } = await senderOn(kafka);
    sender.enqueue({ records: [rec('a', '1'), rec('b', '2')], offset: offset(10n), onDurable: durable(10) });
    sender.enqueue({ records: [rec('a', '3')], offset: offset(20n), onDurable: durable(20) });
    await sender.drain();
    const firstSend = kafka.ops.findIndex((l) => l.startsWith('send'));
    expect(firstSend).toBeGreaterThanOrEqual(0);
    expect(kafka.ops.indexOf('offset:10') === -1 || kafka.ops.indexOf('offset:10') > firstSend).toBe(true);
    expect(kafka.ops.indexOf('durable:20')).toBeGreaterThan(kafka.ops.indexOf('offset:20'));
    expect(values(kafka, 'a')).toEqual(['1', '3']);
    expect(values(kafka, 'b')).toEqual(['2']);
    expect(sender.backlog).toBe(0);
  });

  it('splits a transaction larger than one send and calls it durable only after its last piece', async () => {
    const kafka = new InMemoryKafka({ a: 1 });
    const { sender, durable } = await senderOn(kafka, 5000, 1000);
    const big = Array.from({ length: 10 }, (_, i) => rec('a', String(i), 300));
    sender.enqueue({ records: big, offset: offset(30n), onDurable: durable(30) });
    await sender.drain();
    expect(kafka.ops.filter((l) => l.startsWith('send')).length).toBeGreaterThan(3);
    const lastSend = kafka.ops.map((l) => l.startsWith('send')).lastIndexOf(true);
    expect(kafka.ops.indexOf('offset:30')).toBeGreaterThan(lastSend);
    expect(kafka.ops.filter((l) => l === 'offset:30')).toHaveLength(1);
    expect(kafka.ops.at(-1)).toBe('durable:30');
    expect(values(kafka, 'a')).toEqual(big.map((r) => r.value!.toString().trim()));
  });

  it('on a Kafka failure reports it, never stores the offset and never calls the batch durable', async () => {
    const kafka = new InMemoryKafka({ a: 1 });
    const { sender, errors, durable } = await senderOn(kafka);
    kafka.failSends(() => new Error('broker down'));
    sender.enqueue({ records: [rec('a', '1')], offset: offset(10n), onDurable: durable(10) });
    await expect(sender.drain()).rejects.toThrow(/broker down/);
    expect(errors.map((e) => e.message)).toEqual(['broker down']);
    expect(kafka.ops.filter((l) => !l.startsWith('send'))).toEqual([]);
    expect(kafka.log('a', 0)).toEqual([]);
    expect(() => sender.enqueue({ records: [], offset: null })).toThrow(/broker down/);
  });

  it('fails on a record Kafka refuses instead of storing an offset past it', async () => {
    const kafka = new InMemoryKafka({ a: 1 });
    const { sender, errors, durable } = await senderOn(kafka);
    const tooLarge = new RecordTooLargeError('record of about 2000000 bytes is larger than the limit', { topic: 'a', bytes: 2_000_000, limit: 1_048_576 });
    kafka.refuseRecords((r) => (String(r.value) === 'huge' ? tooLarge : undefined));
    sender.enqueue({ records: [rec('a', '1'), rec('a', 'huge')], offset: offset(10n), onDurable: durable(10) });
    await expect(sender.drain()).rejects.toBe(tooLarge);
    expect(errors).toEqual([tooLarge]);
    expect(kafka.ops.filter((l) => !l.startsWith('send'))).toEqual([]);
  });
});
