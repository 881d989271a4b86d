// Debezium change events -> Kafka -> sink -> PostgreSQL tables, against the run's real services.
import { describe, expect, it } from 'vitest';
import { eventText, keyText, defaultTableOf, topicOf, type TableSpec } from '../../connectors/postgres-sink/fixtures/envelope.js';
import { alice, bob, changeEvent, customerKey } from '../../connectors/postgres-sink/fixtures/customers.js';
import {
  createTopics, produce, query, randomName, sinkConfig, sinkTestContext, startSink, waitForRecords, type TestMessage,
} from './sink-helpers.js';

const ctx = sinkTestContext();

const upsertConfig = { 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'delete.enabled': true } as const;

describe('sink: Debezium change events', () => {
  it('keeps a table equal to the source rows through reads, inserts, updates, deletes and tombstones', async () => {
    const prefix = randomName('dbserver');
    const topic = `${prefix}.public.customers`;
    await createTopics(ctx, [topic]);
    const carol = { ...bob, id: 3, name: 'Carol', email: null, balance: null, tags: null };
    await produce(ctx, topic, [
      { key: customerKey(1), value: changeEvent('r', null, alice) },
      { key: customerKey(2), value: changeEvent('c', null, bob) },
      { key: customerKey(1), value: changeEvent('u', alice, { ...alice, balance: 'Aw1A' }) },
      { key: customerKey(3), value: changeEvent('c', null, carol) },
      { key: customerKey(2), value: changeEvent('d', { ...bob, name: '', email: null, balance: null, created_at: null, tags: null }, null) },
      { key: customerKey(2), value: null },
    ]);
    const sink = await startSink(ctx, sinkConfig(ctx, { topics: topic, ...upsertConfig, 'schema.evolution': 'basic' }));
    await waitForRecords(sink, 6);

    const table = `${prefix}_public_customers`;
    const rows = await query(ctx, `SELECT id, name, email, balance::text, (created_at AT TIME ZONE 'UTC')::text AS created_at, tags::text FROM "${table}" ORDER BY id`);
    expect(rows).toEqual([
      { id: 1, name: 'Alice', email: 'alice@example.com', balance: '2000.00', created_at: '2024-01-15 10:30:00', tags: '["vip", "new"]' },
      { id: 3, name: 'Carol', email: null, balance: null, created_at: '2024-01-15 10:31:00', tags: null },
    ]);
    const columns = await query(ctx, `SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attnotnull AS not_null
      FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 ORDER BY attnum`, [`"${table}"`]);
    expect(columns).toEqual([
      { name: 'id', type: 'integer', not_null: true },
      { name: 'name', type: 'text', not_null: true },
      { name: 'email', type: 'text', not_null: false },
      { name: 'balance', type: 'numeric(10,2)', not_null: false },
      { name: 'created_at', type: 'timestamp with time zone', not_null: false },
      { name: 'tags', type: 'json', not_null: false },
    ]);
    expect(sink.stats()).toMatchObject({ records: 6, deadLettered: 0, skipped: 0 });
  });

  it('replaying the whole topic into the same table changes nothing (idempotent upserts)', async () => {
    const prefix = randomName('replay');
    const topic = `${prefix}.public.customers`;
    await createTopics(ctx, [topic], 3);
    const messages: TestMessage[] = Array.from({ length: 300 }, (_, i) => {
      const id = (i % 100) + 1;
      return { key: customerKey(id, false), value: changeEvent(i < 100 ? 'c' : 'u', null, { ...bob, id, name: `name-${i}` }, false) };
    });
    // Every 7th key is deleted at the end, with its tombstone.
    for (let id = 7; id <= 100; id += 7) messages.push({ key: customerKey(id, false), value: changeEvent('d', { ...bob, id }, null, false) }, { key: customerKey(id, false), value: null });
    await produce(ctx, topic, messages);
    const table = `${prefix}_public_customers`;
    await ctx.pool.query(`CREATE TABLE "${table}" (id bigint PRIMARY KEY, name text NOT NULL, email text, balance text, created_at timestamptz, tags jsonb)`);

    const config = { topics: topic, ...upsertConfig, 'value.converter.schemas.enable': 'false' };
    const first = await startSink(ctx, sinkConfig(ctx, config));
    await waitForRecords(first, messages.length);
    await first.stop();
    const snapshot = await query(ctx, `SELECT * FROM "${table}" ORDER BY id`);
    expect(snapshot).toHaveLength(100 - 14);
    expect(snapshot.find((r) => r['id'] === '1')).toMatchObject({ name: 'name-200' });

    // A new consumer group reads the topic again from the beginning.
    const replay = await startSink(ctx, sinkConfig(ctx, config));
    await waitForRecords(replay, messages.length);
    expect(await query(ctx, `SELECT * FROM "${table}" ORDER BY id`)).toEqual(snapshot);
  });

  it('decodes every logical type into the matching PostgreSQL value', async () => {
    const t: TableSpec = {
      prefix: randomName('types'), schema: 'inventory', table: 'everything',
      key: [{ type: 'int32', field: 'id' }],
      value: [
        { type: 'int32', field: 'id', optional: false },
        { type: 'boolean', field: 'b' },
        { type: 'int16', field: 'i16' },
        { type: 'int64', field: 'i64' },
        { type: 'float', field: 'f32' },
        { type: 'double', field: 'f64' },
        { type: 'bytes', field: 'dec', name: 'org.apache.kafka.connect.data.Decimal', version: 1, parameters: { scale: '2', 'connect.decimal.precision': '10' } },
        { type: 'struct', field: 'vdec', name: 'io.debezium.data.VariableScaleDecimal', version: 1, fields: [{ type: 'int32', optional: false, field: 'scale' }, { type: 'bytes', optional: false, field: 'value' }] },
        { type: 'string', field: 'txt' },
        { type: 'bytes', field: 'bin' },
        { type: 'string', field: 'uid', name: 'io.debezium.data.Uuid', version: 1 },
        { type: 'string', field: 'js', name: 'io.debezium.data.Json', version: 1 },
        { type: 'int32', field: 'd', name: 'io.debezium.time.Date', version: 1 },
        { type: 'int32', field: 'd_bc', name: 'io.debezium.time.Date', version: 1 },
        { type: 'int64', field: 't', name: 'io.debezium.time.MicroTime', version: 1 },
        { type: 'int32', field: 't3', name: 'io.debezium.time.Time', version: 1 },
        { type: 'int64', field: 'ts', name: 'io.debezium.time.MicroTimestamp', version: 1 },
        { type: 'int64', field: 'ts3', name: 'io.debezium.time.Timestamp', version: 1 },
        { type: 'int64', field: 'ts_inf', name: 'io.debezium.time.MicroTimestamp', version: 1 },
        { type: 'string', field: 'tsz', name: 'io.debezium.time.ZonedTimestamp', version: 1 },
        { type: 'string', field: 'tz', name: 'io.debezium.time.ZonedTime', version: 1 },
        { type: 'int64', field: 'dur', name: 'io.debezium.time.MicroDuration', version: 1 },
        { type: 'string', field: 'en', name: 'io.debezium.data.Enum', version: 1, parameters: { allowed: 'sad,happy' } },
        { type: 'bytes', field: 'bits', name: 'io.debezium.data.Bits', version: 1, parameters: { length: '3' } },
        { type: 'array', field: 'arr', items: { type: 'int32', optional: true } },
        { type: 'array', field: 'tarr', items: { type: 'string', optional: true } },
        { type: 'map', field: 'm', keys: { type: 'string', optional: false }, values: { type: 'string', optional: true } } as never,
        { type: 'string', field: 'nothing' },
      ],
    };
    const after = '{"id":1,"b":true,"i16":1,"i64":9223372036854775807,"f32":3.5,"f64":4.44,"dec":"AeI6","vdec":{"scale":4,"value":"AYr3"},' +
      `"txt":"O'Reilly \\"quoted\\"; DROP TABLE x; --","bin":"AQID","uid":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","js":"{\\"bar\\": \\"baz\\"}",` +
      '"d":17109,"d_bc":-719528,"t":49890123456,"t3":49890123,"ts":1478267490123456,"ts3":1478267490123,"ts_inf":9223372036825200000,' +
      '"tsz":"2016-11-04T11:51:30.123456Z","tz":"11:51:30.123789Z","dur":37091106780000,"en":"happy","bits":"BQ==","arr":[1,2,null],' +
      '"tarr":["one","two"],"m":{"k":"v"},"nothing":null}';
    const topic = topicOf(t);
    await createTopics(ctx, [topic]);
    await produce(ctx, topic, [{ key: keyText(t, { id: 1 }), value: eventText(t, 'c', null, after) }]);
    const sink = await startSink(ctx, sinkConfig(ctx, { topics: topic, ...upsertConfig, 'schema.evolution': 'basic' }));
    await waitForRecords(sink, 1);

    const table = `"${defaultTableOf(t)}"`;
    const [row] = await query(ctx, `SELECT b::text, i16::text, i64::text, f32::text, f64::text, dec::text, vdec::text, txt, bin::text, uid::text,
      js::text, d::text, d_bc::text, t::text, t3::text, ts::text, ts3::text, ts_inf::text, (tsz AT TIME ZONE 'UTC')::text AS tsz,
      (tz AT TIME ZONE 'UTC')::text AS tz, dur::text, en, bits::text, arr::text, tarr::text, m::text, nothing FROM ${table}`);
    expect(row).toEqual({
      b: 'true', i16: '1', i64: '9223372036854775807', f32: '3.5', f64: '4.44', dec: '1234.50', vdec: '10.1111',
      txt: `O'Reilly "quoted"; DROP TABLE x; --`, bin: '\\x010203', uid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', js: '{"bar": "baz"}',
      d: '2016-11-04', d_bc: '0001-01-01 BC', t: '13:51:30.123456', t3: '13:51:30.123', ts: '2016-11-04 13:51:30.123456',
      ts3: '2016-11-04 13:51:30.123', ts_inf: 'infinity', tsz: '2016-11-04 11:51:30.123456', tz: '11:51:30.123789+00',
      dur: '10303:05:06.78', en: 'happy', bits: '101', arr: '{1,2,NULL}', tarr: '{one,two}', m: '{"k": "v"}', nothing: null,
    });
  });
});
