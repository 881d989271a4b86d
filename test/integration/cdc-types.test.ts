// Every type of the reference's table through real PostgreSQL -> the CDC source -> Kafka, compared with the
// JSON Debezium writes, for a snapshot read and for a streamed insert of the same values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdcContext, payload, type CdcTestContext } from './cdc-helpers.js';

let ctx: CdcTestContext;
beforeAll(async () => {
  ctx = await cdcContext('cdc_types');
});
afterAll(async () => {
  await ctx.cleanup();
});

const COLUMNS = `
  id serial PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8,
  n numeric(10,2), nv numeric, m money, t text, vc varchar(10), c char(4), by bytea, u uuid, j json, jb jsonb, x xml,
  d date, tm time, tm3 time(3), ttz timetz, ts timestamp, ts3 timestamp(3), tstz timestamptz, tstz0 timestamptz(0), iv interval,
  ia int4[], ta text[], e %MOOD%, ip inet, r int4range, bt bit(1), vb bit(10), dflt int4 NOT NULL DEFAULT 42, tsv tsvector`;
const VALUES = `true, 1, 123456, 9223372036854775807, 3.3, 4.44, 1234.50, 10.1111, 1234.11, 'hello "world"', 'abc', 'ab',
  '\\x010203', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a":1}', '{"bar":"baz","a":[1, 2]}', '<a>1</a>',
  '2016-11-04', '13:51:30', '13:51:30.123', '13:51:30.123789+02', '2016-11-04 13:51:30.123456', '2016-11-04 13:51:30.123',
  '2016-11-04 13:51:30.123456+02', '2020-04-01 11:51:02+00', 'P1Y2M3DT4H5M6.78S', '{1,2,3}', '{one,"two, three",NULL}', 'happy',
  '192.168.2.0/12', '[1,5)', B'1', B'1000000001', 7, 'a b'`;
const NAMES = 'b, i2, i4, i8, f4, f8, n, nv, m, t, vc, c, by, u, j, jb, x, d, tm, tm3, ttz, ts, ts3, tstz, tstz0, iv, ia, ta, e, ip, r, bt, vb, dflt, tsv';

const EXPECTED_AFTER = {
  b: true, i2: 1, i4: 123456, f4: 3.3, f8: 4.44, n: 'AeI6', nv: { scale: 4, value: 'AYr3' }, m: 'AeIT',
  t: 'hello "world"', vc: 'abc', c: 'ab  ', by: 'AQID', u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', j: '{"a":1}',
  jb: '{"a": [1, 2], "bar": "baz"}', x: '<a>1</a>', d: 17109, tm: 49890000000, tm3: 49890123, ttz: '11:51:30.123789Z',
  ts: 1478267490123456, ts3: 1478267490123, tstz: '2016-11-04T11:51:30.123456Z', tstz0: '2020-04-01T11:51:02Z', iv: 37091106780000,
  ia: [1, 2, 3], ta: ['one', 'two, three', null], e: 'happy', ip: '192.168.2.0/12', r: '[1,5)', bt: true, vb: 'AQI=', dflt: 7,
};

describe('CDC source: every type round-trips as Debezium writes it', () => {
  it('snapshot read and streamed insert give the expected JSON, with exact 64-bit values and schemas', async () => {
    const s = ctx.prefix;
    await ctx.db.query(`CREATE TYPE ${s}.mood AS ENUM ('sad', 'ok', 'happy')`);
    await ctx.db.query(`CREATE TABLE ${s}.all_types (${COLUMNS.replace('%MOOD%', `${s}.mood`)})`);
    await ctx.db.query(`INSERT INTO ${s}.all_types (${NAMES}) VALUES (${VALUES})`);
    await ctx.db.query(`INSERT INTO ${s}.all_types (i4) VALUES (NULL)`);
    const source = ctx.source({ 'key.converter.schemas.enable': false, 'value.converter.schemas.enable': false });
    await source.start();
    await ctx.db.query(`INSERT INTO ${s}.all_types (${NAMES}) VALUES (${VALUES})`);
    const topic = `${s}.${s}.all_types`;
    const records = await ctx.readTopic(topic, 3);
    expect(records.map((r) => r.key)).toEqual(['{"id":1}', '{"id":2}', '{"id":3}']);
    const [snap, nulls, streamed] = records.map(payload) as Record<string, any>[];
    expect(snap!['op']).toBe('r');
    expect(snap!['source'].snapshot).toBe('first');
    expect(nulls!['source'].snapshot).toBe('last');
    expect(streamed!['op']).toBe('c');
    expect(streamed!['source'].snapshot).toBe('false');
    for (const [rec, id] of [[snap, 1], [streamed, 3]] as const) {
      const { i8: _i8, ...after } = rec!['after'];
      expect(after).toEqual({ id, ...EXPECTED_AFTER });
      expect(Object.keys(rec!['after'])).not.toContain('tsv'); // unknown types are omitted, as Debezium does
    }
    // int64 max survives byte for byte (JSON.parse above would round it)
    for (const r of [records[0]!, records[2]!]) expect(r.value).toContain('"i8":9223372036854775807,');
    const nullAfter = nulls!['after'];
    expect(nullAfter.b).toBeNull();
    expect(nullAfter.dflt).toBe(42);
    expect(nullAfter.ta).toBeNull();
  });

  it('writes the value schema with Debezium\'s logical names, parameters and defaults', async () => {
    const s = ctx.prefix;
    const source = ctx.source({ 'slot.name': `${ctx.slot}_s`, 'topic.prefix': `${s}_schemas`, 'offset.storage.topic': `${s}_offsets_s`, 'publication.name': `${ctx.publication}_s` });
    try {
      await source.start();
      const records = await ctx.readTopic(`${s}_schemas.${s}.all_types`, 3);
      const value = records[0]!.value!;
      const fields = JSON.parse(value).schema.fields[1].fields as { field: string }[];
      const byName = (name: string) => JSON.stringify(fields.find((f) => f.field === name));
      expect(byName('id')).toBe('{"type":"int32","optional":false,"default":0,"field":"id"}');
      expect(byName('n')).toBe('{"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"10"},"field":"n"}');
      expect(byName('nv')).toContain('"name":"io.debezium.data.VariableScaleDecimal","version":1,"doc":"Variable scaled decimal"');
      expect(byName('e')).toBe(`{"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"sad,ok,happy"},"field":"e"}`);
      expect(byName('tstz')).toBe('{"type":"string","optional":true,"name":"io.debezium.time.ZonedTimestamp","version":1,"field":"tstz"}');
      expect(byName('ts')).toBe('{"type":"int64","optional":true,"name":"io.debezium.time.MicroTimestamp","version":1,"field":"ts"}');
      expect(byName('ts3')).toBe('{"type":"int64","optional":true,"name":"io.debezium.time.Timestamp","version":1,"field":"ts3"}');
      expect(byName('ta')).toBe('{"type":"array","items":{"type":"string","optional":true},"optional":true,"field":"ta"}');
      expect(byName('dflt')).toBe('{"type":"int32","optional":false,"default":42,"field":"dflt"}');
      expect(records[0]!.key).toBe(`{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"default":0,"field":"id"}],"optional":false,"name":"${s}_schemas.${s}.all_types.Key"},"payload":{"id":1}}`);
    } finally {
      await source.stop();
      await ctx.db.query('SELECT pg_drop_replication_slot($1)', [`${ctx.slot}_s`]);
      await ctx.db.query(`DROP PUBLICATION ${ctx.publication}_s`);
    }
  });
});
