// Source tables -> Tributary CDC source -> Kafka -> Tributary sink -> sink tables, under 50k mixed row changes
// (inserts, updates, deletes, primary-key changes, unchanged TOAST values) after a snapshot: once the pipeline is
// quiet, every sink table equals its source table row for row.
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresCdcSource, type PostgresCdcSource } from '../../connectors/postgres-cdc/index.js';
import {
  E2E_TABLES, allEqual, createSourceTables, runWorkload, seedSourceTables, seededRandom, tableDifferences,
} from './cdc-e2e-helpers.js';
import { quietLogger, randomName, sinkConfig, sinkTestContext, startSink, waitFor } from './sink-helpers.js';

const ctx = sinkTestContext();
const sources: PostgresCdcSource[] = [];
let slot: string | undefined;
afterAll(async () => {
  for (const s of sources) await s.stop().catch(() => undefined);
  if (slot) await ctx.pool.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]);
});

const CHANGES = 50_000;
const SEEDED = 2_000;

describe('CDC end to end', () => {
  it(`keeps three sink tables equal to their sources through a snapshot and ${CHANGES} mixed changes`, async () => {
    const seed = Number(process.env['E2E_SEED'] ?? Date.now() % 100_000);
    const prefix = randomName('e2e');
    slot = `${prefix}_slot`;
    await ctx.pool.query(`CREATE SCHEMA ${prefix}`);
    await createSourceTables(ctx.pool, prefix);
    await seedSourceTables(ctx.pool, prefix, SEEDED);

    const cdc = createPostgresCdcSource({
      'topic.prefix': prefix, 'database.url': ctx.databaseUrl, 'kafka.bootstrap.servers': ctx.brokers.join(','),
      'slot.name': slot, 'publication.name': `${prefix}_pub`, 'publication.autocreate.mode': 'filtered',
      'offset.storage.topic': `${prefix}_offsets`, 'schema.include.list': prefix,
      // MicroDuration (the numeric default) counts a month as 30.4375 days, so '1 mon' cannot come back from it;
      // the ISO 8601 string form round-trips every interval exactly.
      'interval.handling.mode': 'string',
    }, { logger: quietLogger });
    sources.push(cdc);
    const started = Date.now();
    await cdc.start();
    const topics = E2E_TABLES.map((t) => `${prefix}.${prefix}.${t.name}`);
    await ctx.admin.connect();
    await waitFor(async () => {
      const existing = await ctx.admin.listTopics();
      return topics.every((t) => existing.includes(t));
    }, { description: 'the three table topics' });
    const sink = await startSink(ctx, sinkConfig(ctx, {
      topics: topics.join(','), 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'delete.enabled': true,
      'schema.evolution': 'basic', 'batch.size': 2000,
    }));

    let changes = 0;
    const progress = setInterval(() => console.log(`[e2e] ${Math.round((Date.now() - started) / 1000)} s: ${changes} changes written, `
      + `sink committed ${sink.stats().records} records`), 15_000);
    const client = await ctx.pool.connect();
    try {
      changes = await runWorkload(client, {
        schema: prefix, changes: CHANGES, seededRows: SEEDED, random: seededRandom(seed), onCommit: (tx) => (changes += tx.changes),
      });
    } finally {
      client.release();
    }
    const written = Date.now();
    const diff = await waitFor(async () => {
      const d = await tableDifferences(ctx.pool, prefix, prefix);
      return allEqual(d) && d;
    }, { timeoutMs: 600_000, intervalMs: 1000, description: `sink tables equal to source tables (seed ${seed})` });
    clearInterval(progress);
    expect(diff).toEqual({ accounts: 0, orders: 0, notes: 0 });
    const counts = await ctx.pool.query<{ n: number }>(E2E_TABLES.map((t) => `SELECT count(*)::int AS n FROM ${prefix}.${t.name}`).join(' UNION ALL '));
    expect(counts.rows.every((r) => r.n > 0)).toBe(true);
    expect(sink.stats().deadLettered).toBe(0);
    console.log(`[e2e] seed ${seed}: ${changes} changes written in ${written - started} ms; sink equal ${Date.now() - written} ms later; `
      + `sink committed ${sink.stats().records} records`);
  }, 900_000);
});
