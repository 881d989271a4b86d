// Initial snapshot through the slot's exported snapshot while writes continue, then streaming: every row arrives
// exactly once (no gap, no duplicate), all snapshot reads before streamed changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdcContext, payload, type CdcTestContext } from './cdc-helpers.js';
import type { SnapshotResult } from '../../connectors/postgres-cdc/snapshot.js';

let ctx: CdcTestContext;
beforeAll(async () => {
  ctx = await cdcContext('cdc_snap');
});
afterAll(async () => {
  await ctx.cleanup();
});

// 20k in the suite; the 200k run is the same test with CDC_SNAPSHOT_ROWS=200000.
const SNAPSHOT_ROWS = Number(process.env['CDC_SNAPSHOT_ROWS'] ?? 20_000);

describe('CDC source: snapshot then streaming', () => {
  it('delivers each row exactly once while a writer keeps inserting during the snapshot', async () => {
    const s = ctx.prefix;
    await ctx.db.query(`CREATE TABLE ${s}.items (id int PRIMARY KEY, v text NOT NULL)`);
    await ctx.db.query(`CREATE TABLE ${s}.zz_empty (id int PRIMARY KEY)`);
    await ctx.db.query(`INSERT INTO ${s}.items SELECT g, 'row ' || g FROM generate_series(1, ${SNAPSHOT_ROWS}) g`);
    const source = ctx.source({ 'key.converter.schemas.enable': false, 'value.converter.schemas.enable': false, 'snapshot.fetch.size': 3000 });
    let snapshot: SnapshotResult | undefined;
    source.on('snapshot-completed', (r) => (snapshot = r));

    let writing = true;
    let nextId = 1_000_000;
    const writer = (async () => {
      const { default: pg } = await import('pg');
      const w = new pg.Client({ connectionString: ctx.config()['database.url'] as string });
      await w.connect();
      while (writing) await w.query(`INSERT INTO ${s}.items VALUES ($1, 'live')`, [nextId++]);
      for (let i = 0; i < 200; i++) await w.query(`INSERT INTO ${s}.items VALUES ($1, 'after')`, [nextId++]);
      await w.end();
    })();
    await source.start();
    writing = false;
    await writer;

    const expectedIds = (await ctx.db.query<{ id: number }>(`SELECT id FROM ${s}.items`)).rows.map((r) => r.id);
    const records = await ctx.readTopic(`${s}.${s}.items`, expectedIds.length);
    const events = records.map(payload) as { op: string; after: { id: number }; source: { snapshot: string } }[];
    const ids = events.map((e) => e.after.id);
    expect(ids.length).toBe(expectedIds.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => a - b)).toEqual([...expectedIds].sort((a, b) => a - b));
    const firstStreamed = events.findIndex((e) => e.op !== 'r');
    expect(events.slice(firstStreamed).every((e) => e.op === 'c')).toBe(true);
    expect(events.slice(0, firstStreamed).every((e) => e.op === 'r')).toBe(true);
    expect(firstStreamed).toBeGreaterThanOrEqual(SNAPSHOT_ROWS);
    // stream order is commit order: the writer inserted increasing ids, one per transaction
    const streamed = ids.slice(firstStreamed);
    expect(streamed.every((id, i) => i === 0 || id > streamed[i - 1]!)).toBe(true);
    // markers: first row 'first', last row of the table 'last_in_data_collection' (another, empty, table follows)
    expect(events[0]!.source.snapshot).toBe('first');
    expect(events[firstStreamed - 1]!.source.snapshot).toBe('last_in_data_collection');
    expect(events.slice(1, firstStreamed - 1).every((e) => e.source.snapshot === 'true')).toBe(true);
    expect(snapshot?.rows).toBe(firstStreamed);
    console.log(`[cdc] snapshot ${snapshot!.rows} rows in ${snapshot!.elapsedMs} ms `
      + `(${Math.round(snapshot!.rows / (snapshot!.elapsedMs / 1000))} rows/s); ${nextId - 1_000_000} rows written during/after it`);
  }, 600_000);
});
