/**
 * Golden examples of the Debezium reference (§11), reproduced byte for byte.
 */
import { describe, expect, it } from 'vitest';
import { buildTableSchema } from './table-schema.js';
import { BUILD_OPTS, CUSTOMERS } from './fixtures.test-support.js';
import { ChangeEventFactory, rowFromTuple } from './change-events.js';
import type { TupleData } from './pgoutput/tuple.js';
import type { SourcePosition } from './source-info.js';

const t = (text: string) => ({ kind: 'text' as const, text });
const n = { kind: 'null' as const };

const KEY_SCHEMA = '{"type":"struct","fields":[{"type":"int32","optional":false,"default":0,"field":"id"}],"optional":false,"name":"dbserver1.public.customers.Key"}';
const ROW_FIELDS =
  '{"type":"int32","optional":false,"default":0,"field":"id"},' +
  '{"type":"string","optional":false,"field":"name"},' +
  '{"type":"string","optional":true,"field":"email"},' +
  '{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"10"},"field":"balance"},' +
  '{"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp","version":1,"field":"created_at"},' +
  '{"type":"string","optional":true,"name":"io.debezium.data.Json","version":1,"field":"tags"}';
const VALUE_SCHEMA =
  '{"type":"struct","fields":[' +
  `{"type":"struct","fields":[${ROW_FIELDS}],"optional":true,"name":"dbserver1.public.customers.Value","field":"before"},` +
  `{"type":"struct","fields":[${ROW_FIELDS}],"optional":true,"name":"dbserver1.public.customers.Value","field":"after"},` +
  '{"type":"struct","fields":[' +
  '{"type":"string","optional":false,"field":"version"},' +
  '{"type":"string","optional":false,"field":"connector"},' +
  '{"type":"string","optional":false,"field":"name"},' +
  '{"type":"int64","optional":false,"field":"ts_ms"},' +
  '{"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"},"default":"false","field":"snapshot"},' +
  '{"type":"string","optional":false,"field":"db"},' +
  '{"type":"string","optional":true,"field":"sequence"},' +
  '{"type":"int64","optional":true,"field":"ts_us"},' +
  '{"type":"int64","optional":true,"field":"ts_ns"},' +
  '{"type":"string","optional":false,"field":"schema"},' +
  '{"type":"string","optional":false,"field":"table"},' +
  '{"type":"int64","optional":true,"field":"txId"},' +
  '{"type":"int64","optional":true,"field":"lsn"},' +
  '{"type":"int64","optional":true,"field":"xmin"}],' +
  '"optional":false,"name":"io.debezium.connector.postgresql.Source","version":1,"field":"source"},' +
  '{"type":"struct","fields":[' +
  '{"type":"string","optional":false,"field":"id"},' +
  '{"type":"int64","optional":false,"field":"total_order"},' +
  '{"type":"int64","optional":false,"field":"data_collection_order"}],' +
  '"optional":true,"name":"event.block","version":1,"field":"transaction"},' +
  '{"type":"string","optional":false,"field":"op"},' +
  '{"type":"int64","optional":true,"field":"ts_ms"},' +
  '{"type":"int64","optional":true,"field":"ts_us"},' +
  '{"type":"int64","optional":true,"field":"ts_ns"}],' +
  '"optional":false,"name":"dbserver1.public.customers.Envelope","version":2}';

const ALICE: TupleData = [t('1'), t('Alice'), t('alice@example.com'), t('1234.50'), t('2024-01-15 10:30:00+00'), t('["vip", "new"]')];
const ALICE_2000: TupleData = [t('1'), t('Alice'), t('alice@example.com'), t('2000.00'), t('2024-01-15 10:30:00+00'), t('["vip", "new"]')];

function factory(envelopeTsUs: bigint, schemas = true): ChangeEventFactory {
  return new ChangeEventFactory({ keySchemasEnable: schemas, valueSchemasEnable: schemas, tombstonesOnDelete: true, clockUs: () => envelopeTsUs });
}

const pos = (p: Partial<SourcePosition>): SourcePosition => ({
  topicPrefix: 'dbserver1', db: 'postgres', tsUs: 0n, snapshot: null, lastCommitLsn: null, lsn: null, txId: null, schema: 'public', table: 'customers', ...p,
});

const text = (b: Buffer | null): string | null => (b === null ? null : b.toString('utf8'));

describe('Debezium golden examples (reference §11)', () => {
  const ts = buildTableSchema(CUSTOMERS, null, BUILD_OPTS);

  it('11.1 key with and without schemas', () => {
    const rec = factory(0n).insert(ts, ALICE, pos({}), null)[0]!;
    expect(text(rec.key)).toBe(`{"schema":${KEY_SCHEMA},"payload":{"id":1}}`);
    expect(text(factory(0n, false).insert(ts, ALICE, pos({}), null)[0]!.key)).toBe('{"id":1}');
    expect(rec.topic).toBe('dbserver1.public.customers');
  });

  it('11.2 + 11.3 snapshot read with the full value schema', () => {
    const source = pos({ tsUs: 1705314660512345n, snapshot: 'last', lsn: 24021848n, txId: 745n });
    const payload =
      '{"before":null,' +
      '"after":{"id":1,"name":"Alice","email":"alice@example.com","balance":"AeI6","created_at":"2024-01-15T10:30:00.000000Z","tags":"[\\"vip\\", \\"new\\"]"},' +
      '"source":{"version":"3.1.0.Final","connector":"postgresql","name":"dbserver1","ts_ms":1705314660512,"snapshot":"last","db":"postgres",' +
      '"sequence":"[null,\\"24021848\\"]","ts_us":1705314660512345,"ts_ns":1705314660512345000,"schema":"public","table":"customers",' +
      '"txId":745,"lsn":24021848,"xmin":null},' +
      '"transaction":null,"op":"r","ts_ms":1705314660530,"ts_us":1705314660530117,"ts_ns":1705314660530117000}';
    const withSchema = factory(1705314660530117n).read(ts, rowFromTuple(ts, ALICE), source)[0]!;
    expect(text(withSchema.value)).toBe(`{"schema":${VALUE_SCHEMA},"payload":${payload}}`);
    expect(text(factory(1705314660530117n, false).read(ts, rowFromTuple(ts, ALICE), source)[0]!.value)).toBe(payload);
  });

  it('11.4 streaming insert writes snapshot "false" from the schema default', () => {
    const bob: TupleData = [t('2'), t('Bob'), t('bob@example.com'), t('99.99'), t('2024-01-15 10:31:00+00'), t('[]')];
    const source = pos({ tsUs: 1705314661234567n, lastCommitLsn: 24023128n, lsn: 27510008n, txId: 746n });
    const rec = factory(1705314661301422n, false).insert(ts, bob, source, null)[0]!;
    expect(text(rec.value)).toBe(
      '{"before":null,' +
        '"after":{"id":2,"name":"Bob","email":"bob@example.com","balance":"Jw8=","created_at":"2024-01-15T10:31:00.000000Z","tags":"[]"},' +
        '"source":{"version":"3.1.0.Final","connector":"postgresql","name":"dbserver1","ts_ms":1705314661234,"snapshot":"false","db":"postgres",' +
        '"sequence":"[\\"24023128\\",\\"27510008\\"]","ts_us":1705314661234567,"ts_ns":1705314661234567000,"schema":"public","table":"customers",' +
        '"txId":746,"lsn":27510008,"xmin":null},' +
        '"transaction":null,"op":"c","ts_ms":1705314661301,"ts_us":1705314661301422,"ts_ns":1705314661301422000}',
    );
    expect(text(rec.key)).toBe('{"id":2}');
  });

  it('11.5 update under DEFAULT identity has before null', () => {
    const rec = factory(1n, false).update(ts, null, null, ALICE_2000, pos({ txId: 747n, lsn: 27510704n }), null);
    expect(rec).toHaveLength(1);
    const v = JSON.parse(text(rec[0]!.value)!);
    expect(v.before).toBeNull();
    expect(v.after.balance).toBe('Aw1A');
    expect(v.op).toBe('u');
  });

  it('11.6 update under FULL identity carries the old row', () => {
    const full = buildTableSchema({ ...CUSTOMERS, replicaIdentity: 'full' }, null, BUILD_OPTS);
    const v = JSON.parse(text(factory(1n, false).update(full, null, ALICE, ALICE_2000, pos({}), null)[0]!.value)!);
    expect(text(factory(1n, false).update(full, null, ALICE, ALICE_2000, pos({}), null)[0]!.value)).toContain(
      '{"before":{"id":1,"name":"Alice","email":"alice@example.com","balance":"AeI6","created_at":"2024-01-15T10:30:00.000000Z","tags":"[\\"vip\\", \\"new\\"]"},' +
        '"after":{"id":1,"name":"Alice","email":"alice@example.com","balance":"Aw1A","created_at":"2024-01-15T10:30:00.000000Z","tags":"[\\"vip\\", \\"new\\"]"},',
    );
    expect(v.op).toBe('u');
  });

  it('11.7 delete under DEFAULT identity fills NOT NULL non-key columns with the type fallback, then a tombstone', () => {
    const recs = factory(1n, false).delete(ts, [t('1'), n, n, n, n, n], null, pos({ txId: 748n, lsn: 27511208n }), null);
    expect(recs).toHaveLength(2);
    expect(text(recs[0]!.value)).toMatch(/^\{"before":\{"id":1,"name":"","email":null,"balance":null,"created_at":null,"tags":null\},"after":null,"source":\{.*"txId":748,"lsn":27511208,.*"op":"d"/);
    expect(recs[1]).toEqual({ topic: 'dbserver1.public.customers', key: Buffer.from('{"id":1}'), value: null, headers: {} });
    const withSchemas = factory(1n, true).delete(ts, [t('1'), n, n, n, n, n], null, pos({}), null);
    expect(text(withSchemas[1]!.key)).toBe(`{"schema":${KEY_SCHEMA},"payload":{"id":1}}`);
    expect(withSchemas[1]!.value).toBeNull();
  });

  it('11.8 primary-key change becomes delete + tombstone + create with oldkey/newkey headers', () => {
    const bobOld: TupleData = [t('2'), n, n, n, n, n];
    const bobNew: TupleData = [t('10'), t('Bob'), t('bob@example.com'), t('99.99'), t('2024-01-15 10:31:00+00'), t('[]')];
    const recs = factory(1n, false).update(ts, bobOld, null, bobNew, pos({}), null);
    expect(recs.map((r) => [text(r.key), r.value === null ? null : JSON.parse(text(r.value)!).op, Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.toString()]))])).toEqual([
      ['{"id":2}', 'd', { '__debezium.newkey': '{"id":10}' }],
      ['{"id":2}', null, { '__debezium.newkey': '{"id":10}' }],
      ['{"id":10}', 'c', { '__debezium.oldkey': '{"id":2}' }],
    ]);
  });

  it('unchanged TOAST values become the placeholder unless the old row has them', () => {
    const toast: TupleData = [t('1'), t('Alice'), t('alice@example.com'), t('1.00'), t('2024-01-15 10:30:00+00'), { kind: 'unchanged-toast' }];
    const v = JSON.parse(text(factory(1n, false).update(ts, null, null, toast, pos({}), null)[0]!.value)!);
    expect(v.after.tags).toBe('__debezium_unavailable_value');
    const full = buildTableSchema({ ...CUSTOMERS, replicaIdentity: 'full' }, null, BUILD_OPTS);
    const w = JSON.parse(text(factory(1n, false).update(full, null, ALICE, toast, pos({}), null)[0]!.value)!);
    expect(w.after.tags).toBe('["vip", "new"]');
  });

  it('a table without a key gets null Kafka keys', () => {
    const nokey = buildTableSchema({ ...CUSTOMERS, keyColumns: [] }, null, BUILD_OPTS);
    expect(factory(1n).insert(nokey, ALICE, pos({}), null)[0]!.key).toBeNull();
  });

  it('transaction metadata fills the transaction block', () => {
    const rec = factory(1n, false).insert(ts, ALICE, pos({}), { id: '571:53195829', totalOrder: 1n, dataCollectionOrder: 1n })[0]!;
    expect(text(rec.value)).toContain('"transaction":{"id":"571:53195829","total_order":1,"data_collection_order":1}');
  });
});
