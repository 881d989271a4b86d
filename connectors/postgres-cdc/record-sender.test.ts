import { describe, expect, it } from 'vitest';
import type { Producer, ProducerBatch } from 'kafkajs';
import { RecordSender } from './record-sender.js';
import type { CdcRecord } from './change-events.js';
import type { SourceOffset } from './offset-store.js';

/** A producer that records requests; `fail` makes the next request reject. */
function recordingProducer() {
  const requests: ProducerBatch[] = [];
  const log: string[] = [];
  let fail = false;
  const producer = {
    async sendBatch(batch: ProducerBatch) {
      await new Promise((r) => setTimeout(r, 1));
      if (fail) throw new Error('broker down');
      requests.push(batch);
      log.push(`send:${batch.topicMessages!.flatMap((t) => t.messages.map((m) => String(m.value))).join(',')}`);
      return [];
    },
  } as unknown as Producer;
  return { producer, requests, log, failNext: () => (fail = true) };
}

const rec = (topic: string, v: string, size = 0): CdcRecord => ({ topic, key: Buffer.from('k'), value: Buffer.from(v + ' '.repeat(size)), headers: {} });
const offset = (lsn: bigint): SourceOffset => ({ lsn, lsnProc: lsn, lsnCommit: lsn, txId: 1n, tsUsec: 0n, messageType: 'COMMIT', snapshotCompleted: true });

describe('RecordSender', () => {
  it('keeps order, stores the offset after the records and reports durability after the offset', async () => {
    const p = recordingProducer();
    const sender = new RecordSender(p.producer, async (o) => void p.log.push(`offset:${o.lsnCommit}`), () => undefined);
    sender.enqueue({ records: [rec('a', '1'), rec('b', '2')], offset: offset(10n), onDurable: () => p.log.push('durable:10') });
    sender.enqueue({ records: [rec('a', '3')], offset: offset(20n), onDurable: () => p.log.push('durable:20') });
    await sender.drain();
    expect(p.log.filter((l) => l.startsWith('send')).join(';')).toMatch(/1.*2|2.*1/);
    expect(p.log.indexOf('offset:10') === -1 || p.log.indexOf('offset:10') > p.log.findIndex((l) => l.includes('1'))).toBe(true);
    expect(p.log.indexOf('durable:20')).toBeGreaterThan(p.log.indexOf('offset:20'));
    const values = p.requests.flatMap((r) => r.topicMessages!.filter((t) => t.topic === 'a').flatMap((t) => t.messages.map((m) => String(m.value))));
    expect(values).toEqual(['1', '3']);
    expect(sender.backlog).toBe(0);
  });

  it('splits a transaction larger than one request and calls it durable only after its last piece', async () => {
    const p = recordingProducer();
    const sender = new RecordSender(p.producer, async (o) => void p.log.push(`offset:${o.lsnCommit}`), () => undefined, {}, 5000, 1000);
    const big = Array.from({ length: 10 }, (_, i) => rec('a', String(i), 300));
    sender.enqueue({ records: big, offset: offset(30n), onDurable: () => p.log.push('durable:30') });
    await sender.drain();
    expect(p.requests.length).toBeGreaterThan(3);
    const lastSend = p.log.map((l) => l.startsWith('send')).lastIndexOf(true);
    expect(p.log.indexOf('offset:30')).toBeGreaterThan(lastSend);
    expect(p.log.filter((l) => l === 'offset:30')).toHaveLength(1);
    expect(p.log.at(-1)).toBe('durable:30');
    const values = p.requests.flatMap((r) => r.topicMessages!.flatMap((t) => t.messages.map((m) => String(m.value).trim())));
    expect(values).toEqual(big.map((r) => r.value!.toString().trim()));
  });

  it('on a Kafka failure reports it, never stores the offset and never calls the batch durable', async () => {
    const p = recordingProducer();
    const errors: Error[] = [];
    const sender = new RecordSender(p.producer, async (o) => void p.log.push(`offset:${o.lsnCommit}`), (e) => errors.push(e));
    p.failNext();
    sender.enqueue({ records: [rec('a', '1')], offset: offset(10n), onDurable: () => p.log.push('durable:10') });
    await expect(sender.drain()).rejects.toThrow(/broker down/);
    expect(errors.map((e) => e.message)).toEqual(['broker down']);
    expect(p.log).toEqual([]);
    expect(() => sender.enqueue({ records: [], offset: null })).toThrow(/broker down/);
  });
});
