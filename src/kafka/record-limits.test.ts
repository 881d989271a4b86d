import { describe, expect, it } from 'vitest';
import { InvalidRecordError, InvalidTopicError, RecordTooLargeError, type OutgoingRecord } from '../errors.js';
import { checkOutgoingRecord, isLegalTopicName, recordBatchBytesUpperBound } from './record-limits.js';

const record = (topic: string, value: number | null, key: string | null = 'k', headers: OutgoingRecord['headers'] = {}): OutgoingRecord => ({
  topic,
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.alloc(value),
  timestamp: 0,
  headers,
});

describe('record limits', () => {
  it('bounds a single-record batch from above, headers (and each element of an array header) included', () => {
    const plain = recordBatchBytesUpperBound(record('t', 100));
    expect(plain).toBeGreaterThanOrEqual(61 + 1 + 100);
    expect(plain).toBeLessThan(61 + 1 + 100 + 64);
    const withHeaders = recordBatchBytesUpperBound(record('t', 100, 'k', { trace: 'abc', tags: ['x', Buffer.alloc(10)] }));
    expect(withHeaders - plain).toBeGreaterThanOrEqual('trace'.length + 3 + 2 * 'tags'.length + 1 + 10);
  });

  it('refuses a record over the producer limit or the topic limit, whichever is smaller, and says which', () => {
    expect(checkOutgoingRecord(record('t', 1000), 2000)).toBeUndefined();
    const overProducer = checkOutgoingRecord(record('t', 5000), 2000);
    expect(overProducer).toBeInstanceOf(RecordTooLargeError);
    expect(overProducer?.message).toMatch(/producer's maximum request size \(2000\)/);
    const overTopic = checkOutgoingRecord(record('t', 5000), 1_048_576, { maxMessageBytes: 4096, compacted: false });
    expect(overTopic).toBeInstanceOf(RecordTooLargeError);
    expect(overTopic?.message).toMatch(/max.message.bytes \(4096\)/);
    expect((overTopic as RecordTooLargeError).limit).toBe(4096);
  });

  it('refuses illegal topic names and keyless records for compacted topics', () => {
    for (const bad of ['', '.', '..', 'a b', 'a/b', 'x'.repeat(250), 'é']) {
      expect(isLegalTopicName(bad)).toBe(false);
      expect(checkOutgoingRecord(record(bad, 1), 1_048_576)).toBeInstanceOf(InvalidTopicError);
    }
    for (const good of ['a', 'a.b-c_D9', 'x'.repeat(249)]) expect(isLegalTopicName(good)).toBe(true);
    expect(checkOutgoingRecord(record('t', 1, null), 1_048_576, { maxMessageBytes: 1_048_588, compacted: true })).toBeInstanceOf(InvalidRecordError);
    expect(checkOutgoingRecord(record('t', 1, null), 1_048_576, { maxMessageBytes: 1_048_588, compacted: false })).toBeUndefined();
  });
});
