import { describe, expect, it } from 'vitest';
import { parseSinkConfig, type SinkConfigInput } from './config.js';
import { BadRecordError, SinkConfigError } from './errors.js';
import { decodeRecord, type KafkaRecord } from './record.js';
import { decodePrimitive, parseValueFormat } from './value-converter.js';

const base = {
  'connection.url': 'postgres://localhost/db',
  'bootstrap.servers': 'localhost:9092',
  topics: 'page-counts',
  'insert.mode': 'upsert',
  'primary.key.mode': 'record_key',
  'key.format': 'string',
} as const;
const config = (extra: SinkConfigInput = {}) => parseSinkConfig({ ...base, ...extra });

function rec(key: string, value: Buffer): KafkaRecord {
  return { topic: 'page-counts', partition: 0, offset: '7', key: Buffer.from(key), value };
}
function long(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
}
function upsertValue(record: KafkaRecord, extra: SinkConfigInput): unknown {
  const op = decodeRecord(record, config(extra));
  if (op.kind !== 'upsert') throw new Error(`expected an upsert, got ${op.kind}`);
  return op.columns.get('value');
}

describe('value.converter', () => {
  it('accepts Connect class names and short names, and refuses an unknown one naming the key', () => {
    expect(parseValueFormat('org.apache.kafka.connect.converters.LongConverter')).toBe('long');
    expect(parseValueFormat('double')).toBe('double');
    expect(parseValueFormat('toString')).toBeUndefined();
    expect(config().valueFormat).toBe('json');
    expect(config({ 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' }).valueFormat).toBe('string');
    expect(() => config({ 'value.converter': 'io.confluent.Unknown' })).toThrow(SinkConfigError);
    expect(() => config({ 'value.converter': 'io.confluent.Unknown' })).toThrow(/value.converter/);
  });

  it('reads a Serdes.long() count into a bigint value column, exactly beyond 2^53', () => {
    expect(upsertValue(rec('/home', long(42n)), { 'value.converter': 'long' })).toEqual({ value: '42', type: 'bigint', optional: true });
    expect(upsertValue(rec('/home', long(9007199254740993n)), { 'value.converter': 'long' })).toMatchObject({ value: '9007199254740993' });
    expect(upsertValue(rec('/home', long(-1n)), { 'value.converter': 'long' })).toMatchObject({ value: '-1' });
  });

  it('reads the other primitive formats', () => {
    const d = Buffer.alloc(8); d.writeDoubleBE(0.25);
    expect(upsertValue(rec('k', d), { 'value.converter': 'double' })).toMatchObject({ value: 0.25, type: 'double precision' });
    const nan = Buffer.alloc(8); nan.writeDoubleBE(Number.NaN);
    expect(decodePrimitive('double', nan).payload).toBe('NaN');
    const f = Buffer.alloc(4); f.writeFloatBE(1.5);
    expect(upsertValue(rec('k', f), { 'value.converter': 'float' })).toMatchObject({ value: 1.5, type: 'real' });
    const i = Buffer.alloc(4); i.writeInt32BE(-7);
    expect(upsertValue(rec('k', i), { 'value.converter': 'integer' })).toMatchObject({ value: -7, type: 'integer' });
    const s = Buffer.alloc(2); s.writeInt16BE(300);
    expect(upsertValue(rec('k', s), { 'value.converter': 'short' })).toMatchObject({ value: 300, type: 'smallint' });
    expect(upsertValue(rec('k', Buffer.from('{"not":"parsed"}')), { 'value.converter': 'string' })).toMatchObject({ value: '{"not":"parsed"}', type: 'text' });
    expect(upsertValue(rec('k', Buffer.from([0, 255])), { 'value.converter': 'bytes' })).toMatchObject({ value: Buffer.from([0, 255]), type: 'bytea' });
  });

  it('makes a value of the wrong size a bad record with the reason, for the dead-letter topic', () => {
    // the sink's default JSON reading of a long count is the failure this converter exists for
    expect(() => decodeRecord(rec('/home', long(42n)), config())).toThrow(BadRecordError);
    let error: unknown;
    try {
      decodeRecord(rec('/home', Buffer.from([1, 2, 3])), config({ 'value.converter': 'long' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadRecordError);
    expect((error as BadRecordError).message).toMatch(/expects 8 bytes, the value has 3/);
    expect((error as BadRecordError).stage).toBe('VALUE_CONVERTER');
    expect(() => decodeRecord(rec('k', Buffer.from([0xff, 0xfe])), config({ 'value.converter': 'string' }))).toThrow(/not valid UTF-8/);
  });
});
