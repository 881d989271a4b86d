// Shared pieces of the CDC end-to-end tests (source tables -> Tributary CDC -> Kafka -> Tributary sink -> sink
// tables): the source tables, a seeded mixed workload, and the row-for-row comparison of source and sink.
import type pg from 'pg';

export { seededRandom } from '../../src/testing/seeded-random.js';

export interface E2eTable {
  readonly name: string;
  /** Columns compared between source and sink, as SELECT expressions (json as jsonb: json has no equality). */
  readonly compared: string;
}

export const E2E_TABLES: readonly E2eTable[] = [
  { name: 'accounts', compared: 'id, name, balance, big, created, tags::jsonb AS tags, u, flag, f8' },
  { name: 'orders', compared: 'region, id, amount, d, t, ts, arr, bytes, doc, note' },
  { name: 'notes', compared: 'id, body, iv, words' },
];

/**
 * accounts: REPLICA IDENTITY FULL, 64-bit values beyond 2^53, numeric, timestamptz, jsonb, uuid, float8.
 * orders: composite primary key, DEFAULT identity, a TOAST column (stored out of line) that updates leave unchanged.
 * notes: serial key, DEFAULT identity, interval and text[].
 */
export async function createSourceTables(db: pg.Pool | pg.Client, schema: string): Promise<void> {
  await db.query(`CREATE TABLE ${schema}.accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric(14,2),
    big int8, created timestamptz, tags jsonb, u uuid, flag bool, f8 float8)`);
  await db.query(`ALTER TABLE ${schema}.accounts REPLICA IDENTITY FULL`);
  await db.query(`CREATE TABLE ${schema}.orders (region text, id int, amount numeric, d date, t time, ts timestamp,
    arr int4[], bytes bytea, doc text, note text, PRIMARY KEY (region, id))`);
  await db.query(`ALTER TABLE ${schema}.orders ALTER COLUMN doc SET STORAGE EXTERNAL`);
  await db.query(`CREATE TABLE ${schema}.notes (id serial PRIMARY KEY, body varchar(200), iv interval, words text[])`);
}

const INSERT_ACCOUNTS = (s: string) => `INSERT INTO ${s}.accounts
  SELECT g, 'name ' || g, g * 1.25 + $3, 9007199254740993 + g * 7, timestamptz '2024-01-15 10:30:00.123456+00' - g * interval '1 second',
    jsonb_build_object('g', g, 'a', jsonb_build_array(g, 'x')), md5(g::text)::uuid, g % 2 = 0, g / 3.0::float8
  FROM generate_series($1::bigint, $2::bigint) g`;
const INSERT_ORDERS = (s: string) => `INSERT INTO ${s}.orders
  SELECT CASE g % 3 WHEN 0 THEN 'eu' WHEN 1 THEN 'us' ELSE 'ap' END, g, g / 7.0 + $3, date '2020-01-01' + (g % 3000),
    time '00:00:00.000001' + g * interval '1.5 second', timestamp '2024-01-01 00:00:00.654321' + g * interval '1 minute',
    ARRAY[g, NULL, g + 1], decode(md5(g::text), 'hex'),
    CASE WHEN g % 10 = 0 THEN (SELECT string_agg(md5(g::text || i), '') FROM generate_series(1, 80) i) END, 'n'
  FROM generate_series($1::int, $2::int) g`;
const INSERT_NOTES = (s: string) => `INSERT INTO ${s}.notes (body, iv, words)
  SELECT 'body ' || g || $3, make_interval(0, g % 13, 0, g % 40, 1, 2, (g % 60) + 0.25), ARRAY['w' || g, NULL, 'z']
  FROM generate_series($1::int, $2::int) g`;

/** The rows present before the source starts (they arrive through the snapshot). */
export async function seedSourceTables(db: pg.Pool | pg.Client, schema: string, rowsPerTable: number): Promise<void> {
  await db.query(INSERT_ACCOUNTS(schema), [1, rowsPerTable, 0]);
  await db.query(INSERT_ORDERS(schema), [1, rowsPerTable, 0]);
  await db.query(INSERT_NOTES(schema), [1, rowsPerTable, '']);
}

export interface CommittedTransaction {
  /** The transaction's id as the envelope's source.txId carries it. */
  readonly txId: number;
  /** pg_current_wal_lsn() read after COMMIT returned: at or after the end of the commit record. */
  readonly lsnAfter: string;
  readonly changes: number;
}

export interface WorkloadOptions {
  readonly schema: string;
  /** Row changes to make in total (each inserted, updated or deleted row counts one). */
  readonly changes: number;
  /** Ids below this already exist (the seeded rows). */
  readonly seededRows: number;
  readonly random: () => number;
  /** Called after each commit, e.g. to record which transactions exist. */
  readonly onCommit?: (tx: CommittedTransaction) => void;
  /** Asked once `changes` are made: the workload goes on while it returns true. */
  readonly keepGoing?: () => boolean;
  /** Pause between transactions once `changes` are made (bounds the volume while keepGoing holds). */
  readonly pauseAfterTargetMs?: number;
}

/**
 * Mixed transactions over the three tables: inserts, updates (the TOAST column of orders left unchanged), deletes,
 * and primary-key changes on accounts (FULL) and notes (DEFAULT). Transaction sizes vary from one row to a few hundred.
 */
export async function runWorkload(client: pg.PoolClient | pg.Client, options: WorkloadOptions): Promise<number> {
  const { schema: s, random } = options;
  const pick = (n: number) => Math.floor(random() * n);
  const live = {
    accounts: new Set<number>(), orders: new Set<number>(), notes: new Set<number>(),
  };
  for (let i = 1; i <= options.seededRows; i++) {
    live.accounts.add(i);
    live.orders.add(i);
    live.notes.add(i);
  }
  let nextAccount = 10_000_000;
  let nextOrder = 10_000_000;
  let nextNote = options.seededRows; // serial: the sequence continues after the seeded rows
  let done = 0;
  let tx = 0;
  const sample = (set: Set<number>, n: number): number[] => {
    const all = [...set];
    const out = new Set<number>();
    while (out.size < Math.min(n, all.length)) out.add(all[pick(all.length)]!);
    return [...out];
  };
  const regionOf = (id: number) => (id % 3 === 0 ? 'eu' : id % 3 === 1 ? 'us' : 'ap');

  while (done < options.changes || options.keepGoing?.() === true) {
    tx++;
    const scale = random() < 0.2 ? 0 : 1 + pick(12);
    await client.query('BEGIN');
    const [{ txid }] = (await client.query<{ txid: string }>('SELECT txid_current()::text AS txid')).rows as [{ txid: string }];
    let changes = 0;
    const count = (r: pg.QueryResult) => (changes += r.rowCount ?? 0);
    if (scale === 0) {
      // a one-row transaction
      const id = sample(live.accounts, 1)[0]!;
      count(await client.query(`UPDATE ${s}.accounts SET balance = balance + 0.01, tags = tags || '{"t":1}' WHERE id = $1`, [id]));
    } else {
      const n = scale * 4;
      count(await client.query(INSERT_ACCOUNTS(s), [nextAccount, nextAccount + n - 1, tx]));
      for (let i = 0; i < n; i++) live.accounts.add(nextAccount + i);
      nextAccount += n;
      count(await client.query(INSERT_ORDERS(s), [nextOrder, nextOrder + n - 1, tx]));
      for (let i = 0; i < n; i++) live.orders.add(nextOrder + i);
      nextOrder += n;
      count(await client.query(INSERT_NOTES(s), [nextNote + 1, nextNote + n, `#${tx}`]));
      for (let i = 1; i <= n; i++) live.notes.add(nextNote + i);
      nextNote += n;

      count(await client.query(`UPDATE ${s}.accounts SET name = name || '+', balance = balance * 2, big = big + 1,
        tags = tags || jsonb_build_object('tx', $2::int), flag = NOT flag WHERE id = ANY($1)`, [sample(live.accounts, n), tx]));
      const orderIds = sample(live.orders, n);
      count(await client.query(`UPDATE ${s}.orders SET amount = amount + 1, note = note || $3, arr = arr || $2::int
        WHERE (region, id) IN (SELECT * FROM unnest($4::text[], $1::int[]))`,
        [orderIds, tx, String(tx % 10), orderIds.map(regionOf)]));
      count(await client.query(`UPDATE ${s}.notes SET body = left(body || '.', 200), iv = iv + interval '1 day', words = words || $2::text
        WHERE id = ANY($1)`, [sample(live.notes, n), `t${tx}`]));

      for (const [table, key] of [['accounts', 'id'], ['notes', 'id']] as const) {
        const gone = sample(live[table], Math.ceil(n / 4));
        count(await client.query(`DELETE FROM ${s}.${table} WHERE ${key} = ANY($1)`, [gone]));
        for (const id of gone) live[table].delete(id);
      }
      const goneOrders = sample(live.orders, Math.ceil(n / 4));
      count(await client.query(`DELETE FROM ${s}.orders WHERE (region, id) IN (SELECT * FROM unnest($2::text[], $1::int[]))`,
        [goneOrders, goneOrders.map(regionOf)]));
      for (const id of goneOrders) live.orders.delete(id);

      if (tx % 5 === 0) {
        // primary-key changes: delete + tombstone + create on the topic
        const [a] = sample(live.accounts, 1);
        count(await client.query(`UPDATE ${s}.accounts SET id = $2 WHERE id = $1`, [a, nextAccount]));
        live.accounts.delete(a!);
        live.accounts.add(nextAccount++);
        const [b] = sample(live.notes, 1);
        const moved = 50_000_000 + tx;
        count(await client.query(`UPDATE ${s}.notes SET id = $2 WHERE id = $1`, [b, moved]));
        live.notes.delete(b!);
        live.notes.add(moved);
      }
    }
    await client.query('COMMIT');
    const [{ lsn }] = (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows as [{ lsn: string }];
    done += changes;
    options.onCommit?.({ txId: Number(txid), lsnAfter: lsn, changes });
    if (done >= options.changes && options.pauseAfterTargetMs) await new Promise((r) => setTimeout(r, options.pauseAfterTargetMs));
  }
  return done;
}

/** The sink table the sink's default table.name.format gives a topic. */
export function sinkTable(topic: string): string {
  return `"${topic.replaceAll('.', '_')}"`;
}

/** Rows present on one side only, per table (0 everywhere when the sink equals the source row for row). */
export async function tableDifferences(db: pg.Pool | pg.Client, schema: string, prefix: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of E2E_TABLES) {
    const source = `${schema}.${t.name}`;
    const target = sinkTable(`${prefix}.${schema}.${t.name}`);
    try {
      const r = await db.query<{ diff: string }>(`SELECT
        (SELECT count(*) FROM (SELECT ${t.compared} FROM ${source} EXCEPT ALL SELECT ${t.compared} FROM ${target}) a)
        + (SELECT count(*) FROM (SELECT ${t.compared} FROM ${target} EXCEPT ALL SELECT ${t.compared} FROM ${source}) b) AS diff`);
      out[t.name] = Number(r.rows[0]!.diff);
    } catch (e) {
      if ((e as { code?: string }).code === '42P01') out[t.name] = -1; // sink table not created yet
      else throw e;
    }
  }
  return out;
}

export function allEqual(diff: Record<string, number>): boolean {
  return Object.values(diff).every((d) => d === 0);
}

/** LSN text (X/Y) as a number of bytes; exact up to 2^53. */
export function lsnToNumber(lsn: string): number {
  const [hi, lo] = lsn.split('/');
  return parseInt(hi!, 16) * 2 ** 32 + parseInt(lo!, 16);
}
