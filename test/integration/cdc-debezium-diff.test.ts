// Differential check against the real Debezium PostgreSQL connector (embedded engine, test/oracle/debezium): both read
// the same snapshot and the same changes (every type of the reference's table, DEFAULT and FULL identity, inserts,
// updates, deletes, a primary-key change, an unchanged TOAST column, NULLs, an added column). Keys, values and the
// PK-change headers must be equal after removing only what must differ (timestamps, LSNs, transaction ids, sequence,
// xmin, connector version, and the fields Debezium 3.5+ added to `source`: origin, origin_lsn).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServices } from '../env/services.js';
import { DebeziumOracle, connectionFromUrl, type DebeziumEvent } from '../oracle/debezium/run-debezium.js';
import { cdcContext, type CdcTestContext, type TopicRecord } from './cdc-helpers.js';

let ctx: CdcTestContext;
let oracle: DebeziumOracle | undefined;
beforeAll(async () => {
  ctx = await cdcContext('cdc_diff');
});
afterAll(async () => {
  await oracle?.stop().catch(() => undefined);
  await ctx.db.query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE $1 AND NOT active", [`${ctx.prefix}%`]).catch(() => undefined);
  await ctx.cleanup();
});

const VARIABLE_SOURCE_FIELDS = ['version', 'ts_ms', 'ts_us', 'ts_ns', 'txId', 'lsn', 'sequence', 'xmin', 'origin', 'origin_lsn'];

/** Removes the fields that legitimately differ between two runs (and Debezium 3.5+'s origin fields) from value JSON. */
function normalise(value: string | null): unknown {
  if (value === null) return null;
  const v = JSON.parse(value);
  const env = v.schema ? v.payload : v;
  if (v.schema) {
    const source = v.schema.fields.find((f: { field: string }) => f.field === 'source');
    source.fields = source.fields.filter((f: { field: string }) => f.field !== 'origin' && f.field !== 'origin_lsn');
    delete source.version; // the `source` schema version flag (3.1+) is part of the Debezium release pinned here
  }
  if (env && typeof env === 'object') {
    for (const k of ['ts_ms', 'ts_us', 'ts_ns']) delete env[k];
    if (env.source) for (const k of VARIABLE_SOURCE_FIELDS) delete env.source[k];
    if (env.transaction) delete env.transaction.id;
  }
  return v;
}

interface Comparable {
  topic: string;
  key: string | null;
  value: unknown;
  headers: Record<string, string>;
}

function fromDebezium(e: DebeziumEvent): Comparable {
  const headers: Record<string, string> = {};
  for (const h of e.headers) if (!h.key.startsWith('__debezium.context.')) headers[h.key] = h.value ?? '';
  return { topic: e.topic, key: e.key, value: normalise(e.value), headers };
}

function fromTributary(topic: string, r: TopicRecord): Comparable {
  return { topic, key: r.key, value: normalise(r.value), headers: r.headers };
}

const COLUMNS = (s: string) => `
  id serial PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8,
  n numeric(10,2), nv numeric, m money, t text, vc varchar(10), c char(4), by bytea, u uuid, j json, jb jsonb, x xml,
  d date, tm time, tm3 time(3), ttz timetz, ts timestamp, ts3 timestamp(3), tstz timestamptz, iv interval,
  ia int4[], ta text[], e ${s}.mood, ip inet, r int4range, bt bit(1), vb bit(10), big text, dflt int4 NOT NULL DEFAULT 42`;
const NAMES = 'b, i2, i4, i8, f4, f8, n, nv, m, t, vc, c, by, u, j, jb, x, d, tm, tm3, ttz, ts, ts3, tstz, iv, ia, ta, e, ip, r, bt, vb, big';
const VALUES = `true, 1, 123456, 9223372036854775807, 3.3, 4.44, 1234.50, 10.1111, 1234.11, 'hello "world"', 'abc', 'ab',
  '\\x010203', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a":1}', '{"bar":"baz","a":[1, 2]}', '<a>1</a>',
  '2016-11-04', '13:51:30', '13:51:30.123', '13:51:30.123789+02', '2016-11-04 13:51:30.123456', '2016-11-04 13:51:30.123',
  '2016-11-04 13:51:30.123456+02', 'P1Y2M3DT4H5M6.78S', '{1,2,3}', '{one,"two, three",NULL}', 'happy',
  '192.168.2.0/12', '[1,5)', B'1', B'1000000001', $1`;

async function differential(variant: string, properties: Record<string, string>): Promise<void> {
    const s = ctx.prefix;
    await ctx.db.query(`DO $$ BEGIN CREATE TYPE ${s}.mood AS ENUM ('sad', 'ok', 'happy'); EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
    for (const table of ['dflt_id', 'full_id']) await ctx.db.query(`CREATE TABLE ${s}.${table} (${COLUMNS(s)})`);
    await ctx.db.query(`ALTER TABLE ${s}.full_id REPLICA IDENTITY FULL`);
    const big = randomBytes(30_000).toString('base64');
    for (const table of ['dflt_id', 'full_id']) {
      await ctx.db.query(`INSERT INTO ${s}.${table} (${NAMES}) VALUES (${VALUES})`, [big]);
      await ctx.db.query(`INSERT INTO ${s}.${table} (i4) VALUES (NULL)`);
    }
    const tables = `${s}.dflt_id,${s}.full_id`;
    const prefix = `${s}_${variant}`;
    const { databaseUrl } = testServices();
    oracle = DebeziumOracle.start({
      ...connectionFromUrl(databaseUrl), slotName: `${s}_dbz_${variant}`, publicationName: `${s}_dbzpub_${variant}`, tableIncludeList: tables.replace(/\./g, '\\.'),
      topicPrefix: prefix, properties: { 'publication.autocreate.mode': 'filtered', ...properties },
    });
    const source = ctx.source({
      ...properties, 'topic.prefix': prefix, 'table.include.list': tables.replace(/\./g, '\\.'), 'slot.name': `${s}_t_${variant}`,
      'publication.name': `${s}_tpub_${variant}`, 'offset.storage.topic': `${s}_off_${variant}`,
    });
    await source.start();
    await oracle.waitForEvents(4, 120_000);

    for (const table of ['dflt_id', 'full_id']) {
      await ctx.db.query(`INSERT INTO ${s}.${table} (${NAMES}) VALUES (${VALUES})`, [big]);
      await ctx.db.query(`UPDATE ${s}.${table} SET t = 'changed', i8 = -9223372036854775808 WHERE id = 1`); // big unchanged (TOAST)
      await ctx.db.query(`UPDATE ${s}.${table} SET b = NULL, nv = NULL, ta = NULL WHERE id = 3`);
      await ctx.db.query(`UPDATE ${s}.${table} SET id = 30 WHERE id = 3`);
      await ctx.db.query(`DELETE FROM ${s}.${table} WHERE id = 2`);
      await ctx.db.query(`ALTER TABLE ${s}.${table} ADD COLUMN added text DEFAULT 'new'`);
      await ctx.db.query(`INSERT INTO ${s}.${table} (i4, added) VALUES (5, 'x')`);
    }
    // per table: 2 snapshot + c + u + u + (d, tombstone, c) + (d, tombstone) + c = 11
    const expected = await oracle.waitForEvents(22, 120_000);
    await oracle.stop();
    oracle = undefined;
    for (const table of ['dflt_id', 'full_id']) {
      const topic = `${prefix}.${s}.${table}`;
      const theirs = expected.filter((e) => e.topic === topic).map(fromDebezium);
      expect(theirs.map((e) => (e.value === null ? 'tombstone' : (e.value as { payload: { op: string } }).payload.op))).toEqual(
        ['r', 'r', 'c', 'u', 'u', 'd', 'tombstone', 'c', 'd', 'tombstone', 'c'],
      );
      const ours = (await ctx.readTopic(topic, theirs.length)).map((r) => fromTributary(topic, r));
      expect(ours.length).toBe(theirs.length);
      for (let i = 0; i < theirs.length; i++) expect({ i, ...ours[i]! }).toEqual({ i, ...theirs[i]! });
    }
    await source.stop();
    for (const slot of [`${s}_dbz_${variant}`, `${s}_t_${variant}`]) {
      await ctx.db.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slot]);
    }
    for (const pub of [`${s}_dbzpub_${variant}`, `${s}_tpub_${variant}`]) await ctx.db.query(`DROP PUBLICATION IF EXISTS ${pub}`);
    for (const table of ['dflt_id', 'full_id']) await ctx.db.query(`DROP TABLE ${s}.${table}`);
}

describe('CDC source vs Debezium', () => {
  it('writes the same keys, values and headers as Debezium for the same changes (default modes)', async () => {
    await differential('dflt', {});
  });

  it('agrees with Debezium under decimal=string, time=connect, binary=hex, interval=string', async () => {
    await differential('modes', {
      'decimal.handling.mode': 'string', 'time.precision.mode': 'connect', 'binary.handling.mode': 'hex', 'interval.handling.mode': 'string',
    });
  });
});
