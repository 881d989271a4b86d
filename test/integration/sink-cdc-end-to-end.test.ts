// Source table -> Tributary CDC -> Kafka -> Tributary sink -> sink table: after a snapshot and streamed
// inserts, updates, deletes and a primary-key change, both tables hold the same rows.
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresCdcSource, type PostgresCdcSource } from '../../connectors/postgres-cdc/index.js';
import {
  quietLogger, query, randomName, sinkConfig, sinkTestContext, startSink, waitFor,
} from './sink-helpers.js';

const ctx = sinkTestContext();
const sources: PostgresCdcSource[] = [];
afterAll(async () => {
  for (const s of sources) await s.stop().catch(() => undefined);
});

// Columns compared as values: json as jsonb (json has no equality), timetz in UTC (Debezium's ZonedTime
// normalizes the offset away).
const COMPARED = `id, name, email, balance, amount, created_at, ts, d, t, tags::jsonb AS tags, j::jsonb AS j, u, flag, big, f8,
  bytes, arr, tarr, iv, ttz AT TIME ZONE 'UTC' AS ttz`;

describe('CDC source to sink', () => {
  it('keeps the sink table equal to the source table, every column of many types', async () => {
    const prefix = randomName('e2e');
    const source = `"${prefix}"."items"`;
    await ctx.pool.query(`CREATE SCHEMA "${prefix}"`);
    await ctx.pool.query(`CREATE TABLE ${source} (id serial PRIMARY KEY, name text NOT NULL, email varchar(255), balance numeric(10,2),
      amount numeric, created_at timestamptz, ts timestamp, d date, t time, tags jsonb, j json, u uuid, flag bool, big int8, f8 float8,
      bytes bytea, arr int4[], tarr text[], iv interval, ttz timetz)`);
    const insert = `INSERT INTO ${source} (name, email, balance, amount, created_at, ts, d, t, tags, j, u, flag, big, f8, bytes, arr, tarr, iv, ttz)
      SELECT 'n' || g, 'e' || g || '@x.io', g * 1.25, g / 7.0, timestamptz '2024-01-15 10:30:00.123456+00' - g * interval '1 minute',
        timestamp '2024-01-01 00:00:00.123456' + g * interval '1 second', date '2020-01-01' + g, time '12:00:00.5' + g * interval '1 second',
        jsonb_build_object('g', g, 'tags', jsonb_build_array('a', g)), json_build_object('g', g), md5(g::text)::uuid, g % 2 = 0,
        9007199254740993 + g, g / 3.0::float8, decode(md5(g::text), 'hex'), ARRAY[g, g + 1, NULL], ARRAY['x' || g, 'y'],
        make_interval(0, 0, 0, g, 1, 2, 3.5), timetz '10:00:00+02'
      FROM generate_series($1::int, $2::int) g`;
    await ctx.pool.query(insert, [1, 300]);

    const cdc = createPostgresCdcSource({
      'topic.prefix': prefix, 'database.url': ctx.databaseUrl, 'kafka.bootstrap.servers': ctx.brokers.join(','),
      'slot.name': `${prefix}_slot`, 'publication.name': `${prefix}_pub`, 'publication.autocreate.mode': 'filtered',
      'offset.storage.topic': `${prefix}_offsets`, 'schema.include.list': prefix,
    }, { logger: quietLogger });
    sources.push(cdc);
    await cdc.start();
    const topic = `${prefix}.${prefix}.items`;
    await ctx.admin.connect();
    await waitFor(async () => (await ctx.admin.listTopics()).includes(topic), { description: `topic ${topic}` });
    const sink = await startSink(ctx, sinkConfig(ctx, {
      topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'delete.enabled': true, 'schema.evolution': 'basic',
    }));

    for (let round = 0; round < 6; round++) {
      const client = await ctx.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(insert, [301 + round * 50, 300 + (round + 1) * 50]);
        await client.query(`UPDATE ${source} SET name = name || 'u', balance = balance + 1, tags = tags || '{"u": true}', arr = arr || 7 WHERE id % 7 = $1`, [round]);
        await client.query(`DELETE FROM ${source} WHERE id % 31 = $1`, [round]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    }
    await ctx.pool.query(`UPDATE ${source} SET id = id + 100000 WHERE id = 10`);

    const target = `"${topic.replaceAll('.', '_')}"`;
    const difference = `SELECT (SELECT count(*) FROM (SELECT ${COMPARED} FROM ${source} EXCEPT SELECT ${COMPARED} FROM ${target}) a)
      + (SELECT count(*) FROM (SELECT ${COMPARED} FROM ${target} EXCEPT SELECT ${COMPARED} FROM ${source}) b) AS diff`;
    await waitFor(async () => Number((await query(ctx, difference))[0]!['diff']) === 0, {
      timeoutMs: 60_000, description: 'the sink table to equal the source table',
    });
    const [counts] = await query(ctx, `SELECT (SELECT count(*)::int FROM ${source}) AS source, (SELECT count(*)::int FROM ${target}) AS sink,
      (SELECT count(*)::int FROM ${target} WHERE id = 100010) AS moved, (SELECT count(*)::int FROM ${target} WHERE id = 10) AS old`);
    expect(counts!['sink']).toBe(counts!['source']);
    expect(counts).toMatchObject({ moved: 1, old: 0 });
    expect(sink.stats().deadLettered).toBe(0);
    await cdc.stop();
    await ctx.pool.query(`SELECT pg_drop_replication_slot('${prefix}_slot')`);
  });
});
