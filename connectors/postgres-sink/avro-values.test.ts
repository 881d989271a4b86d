import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import { InMemorySchemaRegistry, Serdes } from '../../src/index.js';
import { frame } from '../../src/serde/avro/wire-format.js';
import { avroValueReader } from './avro-values.js';
import { parseSinkConfig } from './config.js';
import { BadRecordError, SinkConfigError } from './errors.js';
import { decodeRecord, type KafkaRecord } from './record.js';

const pageStats = {
  type: 'record', name: 'PageStats', namespace: 'clickstream',
  fields: [
    { name: 'page', type: 'string' },
    { name: 'views', type: 'long' },
    { name: 'ctr', type: ['null', 'double'], default: null },
    { name: 'window_start', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'revenue', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
    { name: 'device', type: { type: 'enum', name: 'Device', symbols: ['mobile', 'desktop'] } },
    { name: 'tags', type: { type: 'array', items: 'string' } },
  ],
};
interface PageStats {
  page: string; views: number; ctr: number | null; window_start: number; revenue: Buffer; device: string; tags: string[];
}

const config = parseSinkConfig({
  'connection.url': 'postgres://localhost/db', 'bootstrap.servers': 'localhost:9092', topics: 'page-stats',
  'insert.mode': 'upsert', 'primary.key.mode': 'record_value', 'primary.key.fields': 'page',
  'value.converter': 'io.confluent.connect.avro.AvroConverter', 'value.converter.schema.registry.url': 'http://localhost:8081',
});
const rec = (value: Buffer): KafkaRecord => ({ topic: 'page-stats', partition: 0, offset: '3', key: null, value });
const columns = (record: KafkaRecord, reader: ReturnType<typeof avroValueReader>) => {
  const op = decodeRecord(record, config, reader);
  if (op.kind !== 'upsert') throw new Error(`expected an upsert, got ${op.kind}`);
  return Object.fromEntries([...op.columns].map(([k, v]) => [k, { value: v.value, type: v.type }]));
};

describe('Avro values through the schema registry', () => {
  it('reads registry-framed Avro (logical types included) into typed columns, fetching the writer schema first', async () => {
    const registry = new InMemorySchemaRegistry();
    // registered as written (Serdes.avro registers avsc's rendering of the schema, which drops logicalType)
    const id = registry.sync.register('page-stats-value', JSON.stringify(pageStats));
    const type = avsc.Type.forSchema(pageStats as avsc.Schema, { wrapUnions: 'never' });
    const serialize = (v: PageStats): Buffer => frame(id, type.toBuffer(v));
    const bytes = serialize({
      page: '/home', views: 12, ctr: 0.25, window_start: Date.UTC(2024, 0, 15, 10, 30),
      revenue: Buffer.from([0x01, 0xe2, 0x3a]), device: 'mobile', tags: ['a', 'b'],
    });
    // a registry across the network: nothing is known until prefetch
    const reader = avroValueReader(registry.asRemote());
    expect(() => columns(rec(bytes), reader)).toThrow(/no Avro schema with id/);
    await reader.prefetch([bytes, null]);
    expect(columns(rec(bytes), reader)).toEqual({
      page: { value: '/home', type: 'text' },
      views: { value: 12, type: 'bigint' },
      ctr: { value: 0.25, type: 'double precision' },
      window_start: { value: '2024-01-15 10:30:00.000000', type: 'timestamp(3)' },
      revenue: { value: '1234.50', type: 'numeric(10, 2)' },
      device: { value: 'mobile', type: 'text' },
      tags: { value: ['a', 'b'], type: 'text[]' },
    });
    const withNull = serialize({ page: '/cart', views: 1, ctr: null, window_start: 0, revenue: Buffer.from([0]), device: 'desktop', tags: [] });
    expect(columns(rec(withNull), reader)['ctr']).toEqual({ value: null, type: 'double precision' });
  });

  it('reads what Serdes.avro writes', () => {
    const registry = new InMemorySchemaRegistry();
    const schema = { type: 'record', name: 'Count', fields: [{ name: 'page', type: 'string' }, { name: 'views', type: 'long' }] };
    const bytes = Serdes.avro<{ page: string; views: number }>({ registry, schema }).serialize({ page: '/home', views: 7 }, 'page-stats');
    expect(columns(rec(bytes), avroValueReader(registry))).toEqual({ page: { value: '/home', type: 'text' }, views: { value: 7, type: 'bigint' } });
  });

  it('reads a primitive Avro value into the value column', () => {
    const registry = new InMemorySchemaRegistry();
    const bytes = Serdes.avro<number>({ registry, schema: '"long"' }).serialize(42, 'page-stats');
    expect(decodeRecord({ ...rec(bytes), key: Buffer.from('{"page":"/home"}') }, { ...config, primaryKeyMode: 'record_key' }, avroValueReader(registry)))
      .toMatchObject({ kind: 'upsert', columns: new Map([['value', { value: 42, type: 'bigint', optional: true }], ['page', expect.anything()]]) });
  });

  it('makes undecodable values bad records with the reason', async () => {
    const registry = new InMemorySchemaRegistry();
    const reader = avroValueReader(registry);
    const fail = (value: Buffer): BadRecordError => {
      try {
        decodeRecord(rec(value), config, reader);
      } catch (e) {
        return e as BadRecordError;
      }
      throw new Error('decoded');
    };
    expect(fail(Buffer.from('{"page":"/home"}'))).toBeInstanceOf(BadRecordError);
    expect(fail(Buffer.from('{"page":"/home"}')).message).toMatch(/not in the schema registry wire format/);
    expect(fail(frame(99, Buffer.from([2]))).message).toMatch(/no Avro schema with id 99/);
    const id = registry.sync.register('page-stats-value', JSON.stringify(pageStats));
    expect(fail(frame(id, Buffer.from([0x02]))).message).toMatch(/cannot decode the body with writer schema/);
    const union = registry.sync.register('other-value', JSON.stringify({ type: 'record', name: 'U', fields: [{ name: 'x', type: ['int', 'string'] }] }));
    await reader.prefetch([frame(union, Buffer.from([0, 2]))]);
    expect(fail(frame(union, Buffer.from([0, 2]))).message).toMatch(/union of 2 non-null types/);
    expect(fail(frame(union, Buffer.from([0, 2]))).stage).toBe('VALUE_CONVERTER');
  });

  it('needs a registry URL with value.converter=avro', () => {
    expect(() => parseSinkConfig({
      'connection.url': 'postgres://localhost/db', 'bootstrap.servers': 'localhost:9092', topics: 't', 'value.converter': 'avro',
    })).toThrow(SinkConfigError);
  });
});
