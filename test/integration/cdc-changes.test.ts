// Streaming semantics against real PostgreSQL: replica identity DEFAULT vs FULL, primary-key change, unchanged TOAST,
// truncate, tables without a key, schema changes from relation messages and transaction metadata.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdcContext, payload, type CdcTestContext } from './cdc-helpers.js';

let ctx: CdcTestContext;
let s: string;
beforeAll(async () => {
  ctx = await cdcContext('cdc_changes');
  s = ctx.prefix;
  await ctx.db.query(`CREATE TABLE ${s}.plain (id int PRIMARY KEY, name text NOT NULL, note text, big text)`);
  await ctx.db.query(`CREATE TABLE ${s}.full_id (id int PRIMARY KEY, name text NOT NULL, note text)`);
  await ctx.db.query(`ALTER TABLE ${s}.full_id REPLICA IDENTITY FULL`);
  await ctx.db.query(`CREATE TABLE ${s}.nokey (a int, b text)`);
  await ctx.db.query(`ALTER TABLE ${s}.nokey REPLICA IDENTITY FULL`);
  await ctx.db.query(`CREATE TABLE ${s}.evolving (id int PRIMARY KEY, a text)`);
  const source = ctx.source({
    'key.converter.schemas.enable': false, 'value.converter.schemas.enable': false,
    'skipped.operations': 'none', 'provide.transaction.metadata': true, 'snapshot.mode': 'no_data',
  });
  await source.start();
});
afterAll(async () => {
  await ctx.cleanup();
});

describe('CDC source: change semantics', () => {
  it('DEFAULT identity: update has no before, delete has the key columns, then a tombstone; unchanged TOAST gets the placeholder', async () => {
    const big = randomBytes(60_000).toString('base64'); // incompressible: stored out of line (TOAST)
    await ctx.db.query(`INSERT INTO ${s}.plain VALUES (1, 'one', 'n1', $1)`, [big]);
    await ctx.db.query(`UPDATE ${s}.plain SET note = 'n2' WHERE id = 1`);
    await ctx.db.query(`DELETE FROM ${s}.plain WHERE id = 1`);
    const recs = await ctx.readTopic(`${s}.${s}.plain`, 4);
    const [c, u, d, tomb] = recs;
    expect(payload(c!)['op']).toBe('c');
    expect((payload(c!)['after'] as any).big === big).toBe(true);
    expect(payload(u!)['before']).toBeNull();
    expect(payload(u!)['after']).toEqual({ id: 1, name: 'one', note: 'n2', big: '__debezium_unavailable_value' });
    expect(payload(d!)['before']).toEqual({ id: 1, name: '', note: null, big: null });
    expect(d!.key).toBe('{"id":1}');
    expect(tomb).toMatchObject({ key: '{"id":1}', value: null });
  });

  it('FULL identity: before carries the whole old row for update and delete', async () => {
    await ctx.db.query(`INSERT INTO ${s}.full_id VALUES (1, 'one', 'a')`);
    await ctx.db.query(`UPDATE ${s}.full_id SET note = 'b' WHERE id = 1`);
    await ctx.db.query(`DELETE FROM ${s}.full_id WHERE id = 1`);
    const recs = await ctx.readTopic(`${s}.${s}.full_id`, 4);
    expect(payload(recs[1]!)['before']).toEqual({ id: 1, name: 'one', note: 'a' });
    expect(payload(recs[1]!)['after']).toEqual({ id: 1, name: 'one', note: 'b' });
    expect(payload(recs[2]!)['before']).toEqual({ id: 1, name: 'one', note: 'b' });
    expect(recs[3]!.value).toBeNull();
  });

  it('primary-key change: delete + tombstone + create with __debezium.newkey / oldkey headers', async () => {
    await ctx.db.query(`INSERT INTO ${s}.plain VALUES (2, 'two', null, null)`);
    await ctx.db.query(`UPDATE ${s}.plain SET id = 20 WHERE id = 2`);
    const recs = (await ctx.readTopic(`${s}.${s}.plain`, 8)).slice(4);
    expect(recs.map((r) => [r.key, r.value === null ? null : payload(r)['op'], r.headers])).toEqual([
      ['{"id":2}', 'c', {}],
      ['{"id":2}', 'd', { '__debezium.newkey': '{"id":20}' }],
      ['{"id":2}', null, { '__debezium.newkey': '{"id":20}' }],
      ['{"id":20}', 'c', { '__debezium.oldkey': '{"id":2}' }],
    ]);
    expect(payload(recs[3]!)['after']).toEqual({ id: 20, name: 'two', note: null, big: null });
  });

  it('tables without a key get null keys; truncate emits op t with a null key when not skipped', async () => {
    await ctx.db.query(`INSERT INTO ${s}.nokey VALUES (1, 'a')`);
    await ctx.db.query(`TRUNCATE ${s}.nokey`);
    const recs = await ctx.readTopic(`${s}.${s}.nokey`, 2);
    expect(recs[0]!.key).toBeNull();
    expect(payload(recs[1]!)).toMatchObject({ op: 't', before: null, after: null });
    expect(recs[1]!.key).toBeNull();
  });

  it('an added column appears in later events (schema from the relation message)', async () => {
    await ctx.db.query(`INSERT INTO ${s}.evolving VALUES (1, 'x')`);
    await ctx.db.query(`ALTER TABLE ${s}.evolving ADD COLUMN extra int NOT NULL DEFAULT 5`);
    await ctx.db.query(`INSERT INTO ${s}.evolving VALUES (2, 'y', 6)`);
    await ctx.db.query(`ALTER TABLE ${s}.evolving DROP COLUMN a`);
    await ctx.db.query(`INSERT INTO ${s}.evolving VALUES (3, 7)`);
    const recs = await ctx.readTopic(`${s}.${s}.evolving`, 3);
    expect(recs.map((r) => payload(r)['after'])).toEqual([{ id: 1, a: 'x' }, { id: 2, a: 'y', extra: 6 }, { id: 3, extra: 7 }]);
  });

  it('transaction metadata: BEGIN/END records and the transaction block on each event', async () => {
    await ctx.db.query('BEGIN');
    await ctx.db.query(`INSERT INTO ${s}.full_id VALUES (10, 'a', null), (11, 'b', null)`);
    await ctx.db.query(`INSERT INTO ${s}.plain VALUES (10, 'a', null, null)`);
    await ctx.db.query('COMMIT');
    const tx = await ctx.readTopic(`${s}.transaction`, 2);
    const all = tx.map(payload);
    const end = all.filter((r) => r['status'] === 'END').at(-1)!;
    const begin = all.filter((r) => r['status'] === 'BEGIN').at(-1)!;
    expect(end['event_count']).toBe(3);
    expect(end['data_collections']).toEqual([{ data_collection: `${s}.full_id`, event_count: 2 }, { data_collection: `${s}.plain`, event_count: 1 }]);
    const fullRecs = (await ctx.readTopic(`${s}.${s}.full_id`, 6)).slice(4).map(payload);
    expect(fullRecs.map((r) => r['transaction'])).toEqual([
      { id: begin['id'], total_order: 1, data_collection_order: 1 },
      { id: begin['id'], total_order: 2, data_collection_order: 2 },
    ]);
  });
});
