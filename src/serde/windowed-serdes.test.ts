import { describe, expect, it } from 'vitest';
import { Windowed } from '../dsl/windows.js';
import { Serdes } from './serdes.js';
import { sessionWindowedSerde, timeWindowedSerde } from './windowed-serdes.js';

describe('windowed serdes', () => {
  it('time-windowed: key bytes + 8-byte big-endian start; end = start + size on read', () => {
    const serde = timeWindowedSerde(Serdes.string(), 300_000);
    const bytes = serde.serialize(new Windowed('page', { start: 1_700_000_100_000, end: 1_700_000_400_000 }), 't');
    expect(bytes.subarray(0, 4).toString()).toBe('page');
    expect(bytes.readBigInt64BE(4)).toBe(1_700_000_100_000n);
    expect(bytes.length).toBe(12);
    expect(serde.deserialize(bytes, 't')).toEqual(new Windowed('page', { start: 1_700_000_100_000, end: 1_700_000_400_000 }));
  });

  it('session-windowed: key bytes + end + start', () => {
    const serde = sessionWindowedSerde(Serdes.string());
    const bytes = serde.serialize(new Windowed('u', { start: 5, end: 9 }), 't');
    expect(bytes.readBigInt64BE(1)).toBe(9n);
    expect(bytes.readBigInt64BE(9)).toBe(5n);
    expect(serde.deserialize(bytes, 't')).toEqual(new Windowed('u', { start: 5, end: 9 }));
    expect(() => serde.deserialize(Buffer.alloc(3), 't')).toThrow(/shorter/);
  });
});
