import { describe, expect, it } from 'vitest';
import { parseSinkConfig, type SinkConfigInput } from './config.js';
import { BadRecordError } from './errors.js';
import { alice, bob, changeEvent, customerKey } from './fixtures/customers.js';
import { decodeRecord, resolveTableName, type KafkaRecord, type SinkOperation } from './record.js';

const base = {
  'connection.url': 'postgres://localhost/db',
  'bootstrap.servers': 'localhost:9092',
  topics: 'dbserver1.public.customers',
  'insert.mode': 'upsert',
  'primary.key.mode': 'record_key',
  'delete.enabled': true,
} as const;
const config = (extra: SinkConfigInput = {}) => parseSinkConfig({ ...base, ...extra });

let offset = 0;
function rec(key: string | Buffer | null, value: string | null, topic = 'dbserver1.public.customers'): KafkaRecord {
  return {
    topic, partition: 0, offset: String(offset++),
    key: key === null ? null : Buffer.isBuffer(key) ? key : Buffer.from(key), value: value === null ? null : Buffer.from(value),
  };
}

function values(op: SinkOperation): Record<string, unknown> {
  if (op.kind !== 'upsert' && op.kind !== 'delete') throw new Error(`not a row operation: ${op.kind}`);
  return Object.fromEntries([...op.columns].map(([k, v]) => [k, v.value]));
}

describe('Debezium change events', () => {
  it('reads an insert with schemas into typed columns of the default table', () => {
    const op = decodeRecord(rec(customerKey(2), changeEvent('c', null, bob)), config());
    expect(op.kind).toBe('upsert');
    if (op.kind !== 'upsert') return;
    expect(op.table).toEqual({ name: 'dbserver1_public_customers' });
    expect(op.key).toEqual(['id']);
    expect(values(op)).toEqual({
      id: 2, name: 'Bob', email: 'bob@example.com', balance: '99.99', created_at: '2024-01-15T10:31:00.000000Z', tags: '[]',
    });
    expect(op.columns.get('balance')).toMatchObject({ type: 'numeric(10, 2)', optional: true });
    expect(op.columns.get('name')).toMatchObject({ type: 'text', optional: false });
    expect(op.columns.get('tags')?.type).toBe('json');
  });

  it('reads snapshot reads and updates the same way', () => {
    for (const o of ['r', 'u'] as const) {
      const op = decodeRecord(rec(customerKey(1), changeEvent(o, null, alice)), config());
      expect(values(op)['balance']).toBe('1234.50');
    }
  });

  it('reads schemaless events', () => {
    const op = decodeRecord(rec(customerKey(2, false), changeEvent('c', null, bob, false)), config());
    expect(values(op)).toMatchObject({ id: 2, name: 'Bob', balance: 'Jw8=' });
    expect(op.kind === 'upsert' && op.columns.get('id')?.type).toBe('bigint');
  });

  it('turns a delete and its tombstone into deletes by key', () => {
    const d = decodeRecord(rec(customerKey(1), changeEvent('d', { ...alice, name: '', email: null, balance: null, created_at: null, tags: null }, null)), config());
    expect(d.kind).toBe('delete');
    expect(values(d)).toEqual({ id: 1 });
    const t = decodeRecord(rec(customerKey(1), null), config());
    expect(t.kind).toBe('delete');
    expect(values(t)).toEqual({ id: 1 });
  });

  it('skips deletes, with a reason, when delete.enabled=false', () => {
    const c = config({ 'delete.enabled': false });
    expect(decodeRecord(rec(customerKey(1), null), c)).toMatchObject({ kind: 'skip', reason: expect.stringContaining('delete.enabled=false') });
  });

  it('resolves ${source.*} placeholders from the event', () => {
    const op = decodeRecord(rec(customerKey(2), changeEvent('c', null, bob)), config({ 'table.name.format': 'replica.${source.table}' }));
    expect(op.kind === 'upsert' && op.table).toEqual({ schema: 'replica', name: 'customers' });
  });

  it('drops the unchanged-TOAST placeholder so the stored value stays', () => {
    const op = decodeRecord(rec(customerKey(2, false), changeEvent('u', null, { ...bob, tags: '__debezium_unavailable_value' }, false)), config());
    expect(Object.keys(values(op))).not.toContain('tags');
  });
});

describe('flattened rows and changelogs', () => {
  it('reads a flattened row (ExtractNewRecordState output)', () => {
    const op = decodeRecord(rec('{"id":5}', '{"id":5,"name":"Eve","score":1.5}', 'people'), config({ topics: 'people' }));
    expect(op.kind === 'upsert' && op.table).toEqual({ name: 'people' });
    expect(values(op)).toEqual({ id: 5, name: 'Eve', score: 1.5 });
  });

  it('puts a primitive value in a value column and a primitive key in a key column', () => {
    const op = decodeRecord(rec('"/home"', '42', 'views'), config({ topics: 'views' }));
    expect(values(op)).toEqual({ key: '/home', value: 42 });
    const named = decodeRecord(rec('/home', '42', 'views'), config({ topics: 'views', 'key.format': 'string', 'primary.key.fields': 'page' }));
    expect(values(named)).toEqual({ page: '/home', value: 42 });
  });

  it('reads json-windowed keys into key columns plus window bounds', () => {
    const key = '{"key":{"page":"/a"},"window":{"start":1705314600000,"end":1705314900000}}';
    const op = decodeRecord(rec(key, '{"views":3}', 'pv'), config({ topics: 'pv', 'key.window': 'json' }));
    expect(op.kind === 'upsert' && op.key).toEqual(['page', 'window_start', 'window_end']);
    expect(values(op)).toEqual({ views: 3, page: '/a', window_start: '2024-01-15T10:30:00.000Z', window_end: '2024-01-15T10:35:00.000Z' });
  });

  it('reads Kafka Streams binary time- and session-windowed keys', () => {
    const start = Buffer.alloc(8);
    start.writeBigInt64BE(1705314600000n);
    const timeKey = Buffer.concat([Buffer.from('/a'), start]);
    const op = decodeRecord(rec(timeKey, '{"views":3}', 'pv'),
      config({ topics: 'pv', 'key.format': 'string', 'key.window': 'time', 'key.window.size.ms': 300000, 'primary.key.fields': 'page' }));
    expect(values(op)).toEqual({ views: 3, page: '/a', window_start: '2024-01-15T10:30:00.000Z', window_end: '2024-01-15T10:35:00.000Z' });
    const end = Buffer.alloc(8);
    end.writeBigInt64BE(1705314660000n);
    const sessionKey = Buffer.concat([Buffer.from('"u1"'), end, start]);
    const s = decodeRecord(rec(sessionKey, null, 'sessions'), config({ topics: 'sessions', 'key.window': 'session', 'primary.key.fields': 'user' }));
    expect(s.kind).toBe('delete');
    expect(values(s)).toEqual({ user: 'u1', window_start: '2024-01-15T10:30:00.000Z', window_end: '2024-01-15T10:31:00.000Z' });
  });

  it('uses value fields as the key in record_value mode', () => {
    const op = decodeRecord(rec(null, '{"sku":"A1","qty":2}', 'stock'),
      config({ topics: 'stock', 'primary.key.mode': 'record_value', 'primary.key.fields': 'sku', 'delete.enabled': false }));
    expect(op.kind === 'upsert' && op.key).toEqual(['sku']);
  });
});

describe('bad records', () => {
  const expectBad = (record: KafkaRecord, pattern: RegExp, c = config()) => {
    let error: unknown;
    try {
      decodeRecord(record, c);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadRecordError);
    const bad = error as BadRecordError;
    expect(bad.message).toMatch(pattern);
    expect(bad.message).toContain(`topic ${record.topic}, partition 0, offset ${record.offset}`);
    expect(bad.origin).toEqual({ topic: record.topic, partition: 0, offset: record.offset });
    return bad;
  };

  it('names malformed JSON', () => {
    expect(expectBad(rec(customerKey(1), '{"after":'), /JSON|Unexpected|end/).stage).toBe('VALUE_CONVERTER');
  });

  it('names a payload that does not match its schema', () => {
    const wrong = changeEvent('c', null, { ...bob, balance: '$$$$' });
    expectBad(rec(customerKey(2), wrong), /after\.balance: expected base64/);
    const missing = changeEvent('c', null, { ...bob, name: null as unknown as string });
    expectBad(rec(customerKey(2), missing), /after\.name: null for a required field/);
  });

  it('names a missing key in record_key mode', () => {
    expectBad(rec(null, changeEvent('c', null, bob)), /no key/);
  });

  it('names an unknown op and an event without a row', () => {
    expectBad(rec(customerKey(1), '{"before":null,"after":null,"source":{},"op":"x"}'), /unknown change event op/);
    expectBad(rec(customerKey(1), '{"before":null,"after":null,"source":{},"op":"c"}'), /no "after" row/);
  });

  it('names a hostile table name from the event instead of running it', () => {
    const evil = changeEvent('c', null, bob).replace('"table":"customers"', '"table":"a.b.c"');
    expectBad(rec(customerKey(2), evil), /at most one dot/, config({ 'table.name.format': '${source.schema}.${source.table}' }));
  });
});

describe('resolveTableName', () => {
  it('follows Debezium: topic dots become underscores, format dots split schema and table', () => {
    expect(resolveTableName('${topic}', 'dbserver1.public.customers', undefined)).toEqual({ name: 'dbserver1_public_customers' });
    expect(resolveTableName('sink.${topic}', 'orders', undefined)).toEqual({ schema: 'sink', name: 'orders' });
    expect(() => resolveTableName('${source.table}', 'orders', undefined)).toThrow(/not a Debezium change event/);
  });
});

describe('records PostgreSQL cannot take', () => {
  const rejectWith = (record: KafkaRecord, pattern: RegExp, extra: SinkConfigInput = {}) => {
    let error: unknown;
    try {
      decodeRecord(record, config(extra));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadRecordError);
    expect((error as Error).message).toMatch(pattern);
  };

  it('rejects field names that are empty, hold NUL or exceed 63 bytes, and more than 1,600 fields', () => {
    rejectWith(rec('{"id":1}', JSON.stringify({ id: 1, '': 1 })), /it is empty/);
    rejectWith(rec('{"id":1}', JSON.stringify({ id: 1, 'a\u0000': 1 })), /NUL/);
    rejectWith(rec('{"id":1}', JSON.stringify({ id: 1, ['é'.repeat(32)]: 1 })), /longer than 63 bytes/);
    rejectWith(rec(JSON.stringify({ ['k'.repeat(64)]: 1 }), null), /longer than 63 bytes/);
    const wide = Object.fromEntries(Array.from({ length: 1600 }, (_, i) => [`f${i}`, i]));
    rejectWith(rec('{"id":1}', JSON.stringify({ id: 1, ...wide })), /1601 fields/);
    expect(values(decodeRecord(rec('{"id":1}', JSON.stringify({ id: 1, 'x"; DROP TABLE t; --': 2 })), config()))).toEqual({ id: 1, 'x"; DROP TABLE t; --': 2 });
  });

  it('rejects invalid UTF-8 in a value or key unless utf8.invalid=replace', () => {
    const value: KafkaRecord = { ...rec('{"id":1}', null), value: Buffer.from([...Buffer.from('{"id":1,"n":"'), 0xff, ...Buffer.from('"}')]) };
    rejectWith(value, /the value is not valid UTF-8/);
    expect(values(decodeRecord(value, config({ 'utf8.invalid': 'replace' })))).toEqual({ id: 1, n: '\uFFFD' });
    rejectWith(rec(Buffer.from([0x31, 0xc3]), '{"n":1}'), /the key is not valid UTF-8/, { 'key.format': 'string' });
  });

  it('rejects a table outside table.include.list, wherever the name comes from', () => {
    const event = (table: string) => JSON.stringify({ before: null, after: { id: 1 }, source: { schema: 'public', table }, op: 'c' });
    const routed = { 'table.name.format': '${source.schema}.${source.table}', 'table.include.list': 'public\\.orders' };
    expect(decodeRecord(rec('{"id":1}', event('orders')), config(routed))).toMatchObject({ table: { schema: 'public', name: 'orders' } });
    rejectWith(rec('{"id":1}', event('users')), /table "public.users" is not in table.include.list/, routed);
    rejectWith(rec('{"id":1}', event('orders_archive')), /not in table.include.list/, routed);
  });
});
