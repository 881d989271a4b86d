import { describe, expect, it } from 'vitest';
import { Change } from '../processor/change.js';
import { changeSerde } from './change-serde.js';
import { deserializeNullable, serializeNullable } from './serde.js';
import { Serdes } from './serdes.js';

describe('Serdes', () => {
  it('long is Kafka LongSerde: 8-byte big-endian two\'s complement', () => {
    expect(Serdes.long().serialize(1, 't')).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]));
    expect(Serdes.long().serialize(-2, 't')).toEqual(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]));
    expect(Serdes.long().deserialize(Buffer.from([0, 0, 0, 0, 0, 0, 1, 0]), 't')).toBe(256);
    expect(() => Serdes.long().serialize(1.5, 't')).toThrow(RangeError);
    expect(() => Serdes.long().deserialize(Buffer.from([1]), 't')).toThrow(/8 bytes/);
  });

  it('string, json, bytes, double and jsonNumber round-trip', () => {
    expect(Serdes.string().deserialize(Serdes.string().serialize('héllo', 't'), 't')).toBe('héllo');
    expect(Serdes.json<{ a: number[] }>().deserialize(Serdes.json<{ a: number[] }>().serialize({ a: [1] }, 't'), 't')).toEqual({ a: [1] });
    expect(Serdes.double().deserialize(Serdes.double().serialize(0.25, 't'), 't')).toBe(0.25);
    expect(Serdes.jsonNumber().serialize(42, 't').toString()).toBe('42');
    expect(() => Serdes.jsonNumber().deserialize(Buffer.from('"x"'), 't')).toThrow(/JSON number/);
    const bytes = Buffer.from([1, 2]);
    expect(Serdes.bytes().serialize(bytes, 't')).toBe(bytes);
  });

  it('null is a null payload (tombstone), never passed to a serde', () => {
    expect(serializeNullable(Serdes.long(), null, 't')).toBeNull();
    expect(deserializeNullable(Serdes.long(), null, 't')).toBeNull();
  });

  it('the Change serde carries new and old values, either may be null', () => {
    const serde = changeSerde(Serdes.string());
    for (const change of [new Change('n', 'o'), new Change(null, 'o'), new Change('n', null), new Change<string>(null, null), new Change('', '')]) {
      expect(serde.deserialize(serde.serialize(change, 't'), 't')).toEqual(change);
    }
    expect(() => serde.deserialize(Buffer.from([1]), 't')).toThrow(/at least 5 bytes/);
  });
});
