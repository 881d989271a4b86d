// `tributary cdc` and `tributary sink` through PostgreSQL faults: a crash (docker kill, then start) and a pause
// (docker pause, then unpause) of the source server the CDC connector reads, and of the target server the sink
// writes, while a writer keeps inserting, updating and deleting rows (reconnecting after a crash); a crash of the
// source during the initial snapshot; SIGTERM to either process while its server is paused. Afterwards the sink
// table equals the source table row for row; the topic holds every change the writer committed, in order per key;
// the sink applied every version of a row for the first time in order; both processes end on SIGTERM within 10 s;
// no output holds a password. Both servers are containers of this file (never the run's shared server): the test
// kills and pauses them. Recovery times are printed (the report quotes them); no test asserts a duration.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import type { StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerHostName, loadTestcontainers, ownerLabels } from '../../src/testing/docker-environment.js';
import { freePort } from '../../src/testing/free-port.js';
import { postgresImage } from '../../src/testing/images.js';
import { randomName, testServices, waitFor } from '../env/services.js';
import { seededRandom } from './cdc-e2e-helpers.js';

const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));
const docker = (...args: string[]): string =>
  execFileSync('docker', args, { encoding: 'utf8', env: process.env, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A PostgreSQL container of this file, with a password no other output could contain by chance. */
interface FaultServer {
  readonly label: string;
  readonly container: StartedTestContainer;
  readonly url: string;
  readonly password: string;
}

async function startServer(label: string): Promise<FaultServer> {
  const tc = await loadTestcontainers();
  // A fixed host port: after `docker kill` and `docker start` an ephemeral one could change, and the connectors'
  // configured URL must reach the restarted server.
  const port = await freePort();
  const password = `Pw${randomBytes(9).toString('hex')}`;
  const user = 'faulty';
  const container = await new tc.GenericContainer(postgresImage())
    .withEnvironment({ POSTGRES_USER: user, POSTGRES_PASSWORD: password, POSTGRES_DB: 'faulty' })
    .withCommand(['postgres', '-c', 'wal_level=logical', '-c', 'max_replication_slots=10', '-c', 'max_wal_senders=10'])
    .withExposedPorts({ container: 5432, host: port })
    .withLabels(ownerLabels())
    .withWaitStrategy(tc.Wait.forSuccessfulCommand(`pg_isready -h 127.0.0.1 -p 5432 -U ${user} -d faulty`))
    .withStartupTimeout(120_000)
    .start();
  return { label, container, url: `postgres://${user}:${password}@${dockerHostName()}:${port}/faulty`, password };
}

/** Runs `sql` on a fresh connection, retrying while the server is down or starting; resolves when it succeeded. */
async function queryWhenUp(url: string, sql: string, values: unknown[] = []): Promise<pg.QueryResult> {
  return waitFor(async () => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await client.query(sql, values);
    } finally {
      await client.end().catch(() => undefined);
    }
  }, { timeoutMs: 60_000, intervalMs: 100, description: `${sql.slice(0, 40)}... to succeed` });
}

let source: FaultServer;
let target: FaultServer;
let kafka: Kafka;
const children: ChildProcess[] = [];

beforeAll(async () => {
  [source, target] = await Promise.all([startServer('source'), startServer('target')]);
  kafka = new Kafka({ clientId: randomName('pgfaults'), brokers: testServices().brokers, logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of [source, target]) {
    if (!s) continue;
    // a test that failed mid-pause must not leave a frozen container behind
    try {
      docker('unpause', s.container.getId());
    } catch {
      // it was not paused
    }
    await s.container.stop().catch(() => undefined);
  }
});

interface Cli {
  readonly process: ChildProcess;
  output(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startCli(kind: 'cdc' | 'sink', configFile: string): Cli {
  // debug for the sink: every line it can print is searched for the password
  const args = [bin, kind, '--config', configFile, ...(kind === 'sink' ? ['--log-level', 'debug'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })));
  return { process: child, output: () => out, exited };
}

/** Sends SIGTERM and waits (bounded) for the exit; fails saying which process did not end. */
async function terminate(name: string, cli: Cli): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  expect(cli.process.exitCode, `${name} exited before SIGTERM:\n${cli.output().slice(-3000)}`).toBeNull();
  cli.process.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not exit within 10 s of SIGTERM:\n${cli.output().slice(-3000)}`)), 10_000);
  });
  try {
    return await Promise.race([cli.exited, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The version of a row a change event carries: `v` of the row after an insert, snapshot read or update, and v + 0.5
 * for a delete (it comes after the update that made v). Per key they must first appear in increasing order.
 */
type Step = number;

/** Changes the writer committed: per row id, the steps in commit order. */
type Committed = Map<number, Step[]>;

/**
 * Transactions of inserts, updates and deletes over `schema.items` until stop() is called. Each update bumps the
 * row's version `v`; ids are never reused. After a failure (the server crashed) it reconnects and reloads the live
 * rows: the transaction in flight may or may not have committed, so its changes are not recorded as committed.
 */
function startWriter(url: string, schema: string, seeded: number, seed: number) {
  const random = seededRandom(seed);
  const committed: Committed = new Map();
  const live = new Map<number, number>();
  for (let id = 1; id <= seeded; id++) live.set(id, 0);
  let nextId = seeded + 1;
  let stopped = false;
  let transactions = 0;
  let failures = 0;
  const record = (id: number, step: Step): void => {
    const steps = committed.get(id) ?? [];
    steps.push(step);
    committed.set(id, steps);
  };
  const pick = (n: number): number[] => {
    const ids = [...live.keys()];
    const out = new Set<number>();
    while (out.size < Math.min(n, ids.length)) out.add(ids[Math.floor(random() * ids.length)]!);
    return [...out];
  };
  const loop = (async () => {
    let client: pg.Client | null = null;
    while (!stopped) {
      try {
        if (client === null) {
          const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
          c.on('error', () => undefined); // the query in flight fails too; the loop handles it there
          try {
            await c.connect();
          } catch (e) {
            await c.end().catch(() => undefined);
            throw e;
          }
          client = c;
          if (failures > 0) {
            live.clear();
            for (const r of (await client.query<{ id: number; v: number }>(`SELECT id, v FROM ${schema}.items WHERE id > 0`)).rows) live.set(r.id, r.v);
          }
        }
        const steps: [number, Step][] = [];
        await client.query('BEGIN');
        const first = nextId;
        nextId += 3;
        const inserted = await client.query<{ id: number; v: number }>(
          `INSERT INTO ${schema}.items (id, v, note, amount) SELECT g, 0, 'n' || g, g / 7.0 FROM generate_series($1::int, $2::int) g RETURNING id, v`,
          [first, first + 2]);
        for (const r of inserted.rows) steps.push([r.id, r.v]);
        const updated = await client.query<{ id: number; v: number }>(
          `UPDATE ${schema}.items SET v = v + 1, note = note || '.', amount = amount + 1 WHERE id = ANY($1) RETURNING id, v`, [pick(3)]);
        for (const r of updated.rows) steps.push([r.id, r.v]);
        if (random() < 0.4) {
          const deleted = await client.query<{ id: number; v: number }>(`DELETE FROM ${schema}.items WHERE id = ANY($1) RETURNING id, v`, [pick(1)]);
          for (const r of deleted.rows) steps.push([r.id, r.v + 0.5]);
        }
        await client.query('COMMIT');
        transactions++;
        for (const [id, step] of steps) {
          record(id, step);
          if (step % 1 === 0) live.set(id, step);
          else live.delete(id);
        }
        await sleep(20);
      } catch {
        failures++;
        const broken = client;
        client = null;
        await broken?.end().catch(() => undefined);
        await sleep(100);
      }
    }
    await client?.end().catch(() => undefined);
  })();
  return {
    committed,
    get transactions() {
      return transactions;
    },
    get failures() {
      return failures;
    },
    async stop(): Promise<void> {
      stopped = true;
      await loop;
    },
  };
}

interface Row {
  readonly id: number;
  readonly v: number;
  readonly note: string | null;
  readonly amount: string | null;
}

/** Row count and a digest of every row: equal on both sides when the tables are (cheap enough to poll). */
async function digest(url: string, table: string): Promise<string> {
  const r = await queryWhenUp(url, `SELECT count(*) || ':' || coalesce(md5(string_agg(id || '|' || v || '|' || coalesce(note, '-') || '|'
    || coalesce(amount::text, '-'), ',' ORDER BY id)), '') AS d FROM ${table}`);
  return (r.rows[0] as { d: string }).d;
}

async function rows(url: string, table: string): Promise<Row[]> {
  const r = await queryWhenUp(url, `SELECT id, v, note, amount::text AS amount FROM ${table} ORDER BY id`);
  return r.rows as Row[];
}

/** One source table -> `tributary cdc` -> Kafka -> `tributary sink` -> one target table, with a writer on the source. */
async function startPipeline(label: string, seed: number, options: { seeded?: number; cdc?: Record<string, string | number> } = {}) {
  // the sink table is named <topic.prefix>_<schema>_items: short parts keep it within PostgreSQL's 63 bytes
  const prefix = randomName('pgf');
  const schema = label;
  const topic = `${prefix}.${schema}.items`;
  const sinkTable = `"${topic.replaceAll('.', '_')}"`;
  const seeded = options.seeded ?? 200;
  await queryWhenUp(source.url, `CREATE SCHEMA ${schema}`);
  // FULL: a delete event carries the row's last version (before.v), so the order check covers deletes too
  await queryWhenUp(source.url, `CREATE TABLE ${schema}.items (id int PRIMARY KEY, v int NOT NULL, note text, amount numeric(12,2));
    ALTER TABLE ${schema}.items REPLICA IDENTITY FULL;
    INSERT INTO ${schema}.items SELECT g, 0, 'n' || g, g / 7.0 FROM generate_series(1, ${seeded}) g`);
  // The sink table exists beforehand so that a trigger can log every row version the sink applies, in the order
  // the sink applied them (a rolled-back batch leaves no trace: the log is written in the sink's transaction).
  await queryWhenUp(target.url, `CREATE TABLE ${sinkTable} (id int PRIMARY KEY, v int NOT NULL, note text, amount numeric(12,2));
    CREATE TABLE ${prefix}_applied (seq bigserial PRIMARY KEY, id int NOT NULL, step numeric NOT NULL);
    CREATE FUNCTION ${prefix}_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF TG_OP = 'DELETE' THEN INSERT INTO ${prefix}_applied (id, step) VALUES (OLD.id, OLD.v + 0.5);
      ELSE INSERT INTO ${prefix}_applied (id, step) VALUES (NEW.id, NEW.v); END IF; RETURN NULL; END $$;
    CREATE TRIGGER ${prefix}_log AFTER INSERT OR UPDATE OR DELETE ON ${sinkTable} FOR EACH ROW EXECUTE FUNCTION ${prefix}_log()`);

  const dir = await mkdtemp(join(tmpdir(), 'pg-faults-'));
  const cdcFile = join(dir, 'cdc.json');
  const sinkFile = join(dir, 'sink.json');
  const { brokers } = testServices();
  await writeFile(cdcFile, JSON.stringify({
    'topic.prefix': prefix, 'database.url': source.url, 'kafka.bootstrap.servers': brokers.join(','),
    'slot.name': `${prefix}_slot`, 'publication.name': `${prefix}_pub`, 'publication.autocreate.mode': 'filtered',
    'offset.storage.topic': `${prefix}_offsets`, 'schema.include.list': schema,
    'status.update.interval.ms': 500, 'errors.retry.delay.initial.ms': 300, 'errors.retry.delay.max.ms': 2000,
    ...options.cdc,
  }));
  await writeFile(sinkFile, JSON.stringify({
    'connection.url': target.url, 'bootstrap.servers': brokers.join(','), 'group.id': `${prefix}_sink`,
    topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'delete.enabled': true, 'schema.evolution': 'basic',
    // The default (5 retries 1 s apart, Debezium's) gives up on a target that is away for more than about 5 s, and
    // a killed server with its crash recovery can take that long: 30 s of retries ride it out.
    'flush.max.retries': 30,
  }));
  const cdc = startCli('cdc', cdcFile);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(async () => (await admin.listTopics()).includes(topic), { timeoutMs: 60_000, description: `topic ${topic}` });
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- cdc output:\n${cdc.output().slice(-3000)}`, { cause: e });
  } finally {
    await admin.disconnect();
  }
  const sink = startCli('sink', sinkFile);
  const writer = startWriter(source.url, schema, seeded, seed);
  // retired: processes stopped before the last ones; their output is searched for passwords too
  return { prefix, schema, topic, sinkTable, cdc, cdcFile, sink, sinkFile, retired: [] as Cli[], writer, markers: 0 };
}
type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

/**
 * Like waitFor, but it fails at once when cdc or sink exited (a dead process brings no more changes), and the
 * failure shows the end of what both printed.
 */
async function waitWithOutput(p: Pipeline, check: () => Promise<boolean>, timeoutMs: number, intervalMs: number, description: string): Promise<void> {
  const exited = (): string | null => {
    for (const [name, cli] of [['cdc', p.cdc], ['sink', p.sink]] as const) {
      if (cli.process.exitCode !== null) return `tributary ${name} exited with ${cli.process.exitCode} while waiting for ${description}`;
    }
    return null;
  };
  let gone: string | null = null;
  try {
    await waitFor(async () => (gone = exited()) !== null || (await check()), { timeoutMs, intervalMs, description });
    if (gone !== null) throw new Error(gone);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- cdc output:\n${p.cdc.output().slice(-3000)}\n--- sink output:\n${p.sink.output().slice(-3000)}`, { cause: e });
  }
}

/** Waits until the row with id `id` is in the sink table; returns when it saw it. */
async function waitInSink(p: Pipeline, id: number, what: string): Promise<number> {
  await waitWithOutput(p, async () => (await queryWhenUp(target.url, `SELECT 1 FROM ${p.sinkTable} WHERE id = $1`, [id])).rowCount === 1,
    120_000, 50, `${what}: row ${id} in the sink table`);
  return Date.now();
}

/**
 * Recovery after a fault ended at `endedAt`: a marker row is inserted into the source (as soon as the server takes
 * it) and the time until the sink table has it is the time until new changes reach the sink again.
 */
async function measureRecovery(p: Pipeline, fault: string, endedAt: number): Promise<number> {
  const id = -(++p.markers);
  await queryWhenUp(source.url, `INSERT INTO ${p.schema}.items VALUES ($1, 0, 'marker', 0)`, [id]);
  const insertedAt = Date.now();
  const seenAt = await waitInSink(p, id, `after ${fault}`);
  console.log(`[pg-faults] ${fault}: source took writes ${insertedAt - endedAt} ms after the fault ended; `
    + `a new change reached the sink table ${seenAt - endedAt} ms after the fault ended`);
  return seenAt - endedAt;
}

/**
 * Writes stop, the sink catches up, and everything the test promises is checked. `snapshotRedone`: the fault hit
 * the initial snapshot. The new session snapshots again without an exported snapshot and streams from the slot's
 * start (the source warns that streaming may repeat changes made meanwhile): a row changed twice before the second
 * snapshot read it is read at its newer version and then streamed again from the older one. So there the order is
 * checked for the streamed events only, and the sink's (which follows the topic) is not.
 */
async function finish(p: Pipeline, options: { snapshotRedone?: boolean } = {}): Promise<void> {
  // the writer went on through the fault: let it write a little more on a server that is up again
  await sleep(2000);
  await p.writer.stop();
  expect(p.writer.transactions).toBeGreaterThan(0);
  const sourceTable = `${p.schema}.items`;
  const wanted = await digest(source.url, sourceTable);
  await waitWithOutput(p, async () => (await digest(target.url, p.sinkTable)) === wanted, 120_000, 500, 'the sink table to equal the source table');
  const expected = await rows(source.url, sourceTable);
  const actual = await rows(target.url, p.sinkTable);
  expect(actual).toHaveLength(expected.length);
  expect(actual).toEqual(expected);

  // Both end on SIGTERM, within the bound, successfully.
  const [cdcExit, sinkExit] = await Promise.all([terminate('tributary cdc', p.cdc), terminate('tributary sink', p.sink)]);
  expect(cdcExit, p.cdc.output().slice(-3000)).toEqual({ code: 0, signal: null });
  expect(sinkExit, p.sink.output().slice(-3000)).toEqual({ code: 0, signal: null });

  // The topic: every step the writer committed is there, and per key the steps first appear in increasing order.
  const events = await readSteps(p.topic);
  const lost: string[] = [];
  const disorder: string[] = [];
  for (const [id, steps] of p.writer.committed) {
    const seen = (events.get(id) ?? []).map((e) => e.step);
    for (const s of steps) if (!seen.includes(s)) lost.push(`${id}@${s}`);
  }
  for (const [id, all] of events) {
    const seen = all.filter((e) => !options.snapshotRedone || e.op !== 'r').map((e) => e.step);
    const firsts = [...new Set(seen)];
    for (let i = 1; i < firsts.length; i++) if (firsts[i]! <= firsts[i - 1]!) disorder.push(`${id}: ${seen.join(',')}`);
  }
  expect(lost.slice(0, 20), 'committed changes missing from the topic').toEqual([]);
  expect(disorder.slice(0, 20), 'changes out of order in the topic').toEqual([]);

  // The sink: per key, each version was applied for the first time after the versions before it.
  if (!options.snapshotRedone) await expectSinkAppliedInOrder(p);

  // No password in anything either process printed.
  for (const [name, cli] of [['cdc', p.cdc], ['sink', p.sink], ...p.retired.map((r) => ['(stopped earlier)', r] as const)] as const) {
    for (const s of [source, target]) {
      expect(cli.output().includes(s.password), `the ${s.label} password in the output of tributary ${name}`).toBe(false);
    }
    // nor a connection's internals, such as the key that cancels its server's queries
    expect(cli.output(), `connection internals in the output of tributary ${name}`).not.toMatch(/"secretKey"/);
  }
  const commits = [...p.writer.committed.values()].reduce((n, s) => n + s.length, 0);
  const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;
  console.log(`[pg-faults] ${p.prefix}: ${p.writer.transactions} transactions (${commits} row changes) committed, `
    + `${p.writer.failures} writer failures; ${expected.length} rows in both tables; `
    + `cdc session restarts ${count(p.cdc.output(), /retriable error, restarting the source/g)}, `
    + `sink batch retries ${count(p.sink.output(), /transient PostgreSQL error, retrying the batch/g)}`);
  await queryWhenUp(source.url, `SELECT pg_drop_replication_slot('${p.prefix}_slot')`);
}

/** Per key, the sink applied each row version for the first time after the versions before it (the trigger's log). */
async function expectSinkAppliedInOrder(p: Pipeline): Promise<void> {
  const applied = new Map<number, number[]>();
  for (const r of (await queryWhenUp(target.url, `SELECT id, step::float8 AS step FROM ${p.prefix}_applied ORDER BY seq`)).rows as { id: number; step: number }[]) {
    applied.set(r.id, [...(applied.get(r.id) ?? []), r.step]);
  }
  const disorder: string[] = [];
  for (const [id, steps] of applied) {
    const firsts = [...new Set(steps)];
    for (let i = 1; i < firsts.length; i++) if (firsts[i]! <= firsts[i - 1]!) disorder.push(`${id}: ${steps.join(',')}`);
  }
  expect(disorder.slice(0, 20), 'versions applied out of order by the sink').toEqual([]);
}

/** Operation and step of every change event in `topic` by row id, in topic order (tombstones carry none). */
async function readSteps(topic: string): Promise<Map<number, { op: string; step: Step }[]>> {
  const admin = kafka.admin();
  await admin.connect();
  const [end] = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const high = Number(end!.high);
  const out = new Map<number, { op: string; step: Step }[]>();
  let reached = 0;
  const consumer = kafka.consumer({ groupId: randomName('pgfaults_reader'), maxBytes: 50 * 1024 * 1024 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        reached = Number(message.offset) + 1;
        if (message.value === null) return;
        const { payload } = JSON.parse(message.value.toString('utf8')) as {
          payload: { op: string; before: { id: number; v: number } | null; after: { id: number; v: number } | null };
        };
        const row = payload.op === 'd' ? payload.before! : payload.after!;
        const step = payload.op === 'd' ? row.v + 0.5 : row.v;
        out.set(row.id, [...(out.get(row.id) ?? []), { op: payload.op, step }]);
      },
    });
    await waitFor(() => reached >= high, { timeoutMs: 120_000, description: `${topic} read to offset ${high}` });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/**
 * Waits until the pipeline carries changes: the writer committed some, and a marker row inserted after them is in
 * the sink table (markers have ids below 0, which the writer never updates or deletes).
 */
async function running(p: Pipeline): Promise<void> {
  await waitFor(() => p.writer.transactions >= 20, { description: 'the writer to commit 20 transactions' });
  const id = -(++p.markers);
  await queryWhenUp(source.url, `INSERT INTO ${p.schema}.items VALUES ($1, 0, 'marker', 0)`, [id]);
  await waitInSink(p, id, 'streaming');
}

describe('tributary cdc + tributary sink through PostgreSQL faults (own servers)', () => {
  it('a crash of the source PostgreSQL (docker kill, start) while rows are written', async () => {
    const p = await startPipeline('src_crash', 1);
    await running(p);
    docker('kill', source.container.getId());
    const killedAt = Date.now();
    await sleep(3000); // down for a few seconds while the writer keeps trying
    docker('start', source.container.getId());
    const endedAt = Date.now();
    console.log(`[pg-faults] source crash: down ${endedAt - killedAt} ms`);
    await measureRecovery(p, 'source crash', endedAt);
    expect(p.cdc.output()).toMatch(/retriable error, restarting the source/);
    await finish(p);
  });

  it('a crash of the source PostgreSQL (docker kill, start) during the initial snapshot', async () => {
    const p = await startPipeline('snap_crash', 5, { seeded: 60_000, cdc: { 'snapshot.fetch.size': 500 } });
    await waitWithOutput(p, async () => /snapshot: reading table/.test(p.cdc.output()), 60_000, 20, 'the snapshot to begin');
    await sleep(300);
    docker('kill', source.container.getId());
    const killedAt = Date.now();
    // the fault hit the snapshot, not what follows it
    expect(p.cdc.output()).not.toMatch(/snapshot: completed/);
    await sleep(3000);
    docker('start', source.container.getId());
    const endedAt = Date.now();
    console.log(`[pg-faults] source crash in the snapshot: down ${endedAt - killedAt} ms`);
    await measureRecovery(p, 'source crash in the snapshot', endedAt);
    expect(p.cdc.output()).toMatch(/retriable error, restarting the source/);
    await finish(p, { snapshotRedone: true });
  });

  it('a pause of the source PostgreSQL (docker pause, unpause) while rows are written', async () => {
    const p = await startPipeline('src_pause', 2);
    await running(p);
    docker('pause', source.container.getId());
    const pausedAt = Date.now();
    await sleep(7000);
    docker('unpause', source.container.getId());
    const endedAt = Date.now();
    console.log(`[pg-faults] source pause: paused ${endedAt - pausedAt} ms`);
    await measureRecovery(p, 'source pause', endedAt);
    await finish(p);
  });

  it('a crash of the sink target PostgreSQL (docker kill, start) while rows are written', async () => {
    const p = await startPipeline('tgt_crash', 3);
    await running(p);
    docker('kill', target.container.getId());
    const killedAt = Date.now();
    await sleep(3000);
    docker('start', target.container.getId());
    const endedAt = Date.now();
    console.log(`[pg-faults] target crash: down ${endedAt - killedAt} ms`);
    await measureRecovery(p, 'target crash', endedAt);
    await finish(p);
  });

  it('a pause of the sink target PostgreSQL (docker pause, unpause) while rows are written', async () => {
    const p = await startPipeline('tgt_pause', 4);
    await running(p);
    docker('pause', target.container.getId());
    const pausedAt = Date.now();
    await sleep(7000);
    docker('unpause', target.container.getId());
    const endedAt = Date.now();
    console.log(`[pg-faults] target pause: paused ${endedAt - pausedAt} ms`);
    await measureRecovery(p, 'target pause', endedAt);
    await finish(p);
  });

  it('SIGTERM to the sink while its target PostgreSQL is paused: it exits within 10 s, and a new sink catches up', async () => {
    const p = await startPipeline('tgt_stop', 6);
    await running(p);
    docker('pause', target.container.getId());
    let exit;
    try {
      await sleep(2000); // the sink's next batch waits on the paused server
      const at = Date.now();
      exit = await terminate('tributary sink', p.sink);
      console.log(`[pg-faults] SIGTERM to the sink while the target is paused: exit ${JSON.stringify(exit)} after ${Date.now() - at} ms`);
    } finally {
      docker('unpause', target.container.getId());
    }
    const endedAt = Date.now();
    // a stop: the batch it ended is not committed anywhere, so nothing is lost and the exit is a clean one
    expect(exit).toEqual({ code: 0, signal: null });
    // Nothing of the batch it gave up on is lost: a new sink of the same group reads it again.
    p.retired.push(p.sink);
    p.sink = startCli('sink', p.sinkFile);
    await measureRecovery(p, 'sink restarted after a SIGTERM during a target pause', endedAt);
    await finish(p);
  });

  it('SIGTERM to cdc while its source PostgreSQL is paused: it exits within 10 s, and a new cdc resumes', async () => {
    const p = await startPipeline('src_stop', 7);
    await running(p);
    docker('pause', source.container.getId());
    let exit;
    try {
      await sleep(2000); // the writer's transactions and the source's status updates and checks wait on the paused server
      const at = Date.now();
      exit = await terminate('tributary cdc', p.cdc);
      console.log(`[pg-faults] SIGTERM to cdc while the source is paused: exit ${JSON.stringify(exit)} after ${Date.now() - at} ms`);
    } finally {
      docker('unpause', source.container.getId());
    }
    const endedAt = Date.now();
    expect(exit).toEqual({ code: 0, signal: null });
    expect(p.cdc.output()).not.toMatch(/did not stop in time/);
    p.retired.push(p.cdc);
    p.cdc = startCli('cdc', p.cdcFile);
    await measureRecovery(p, 'cdc restarted after a SIGTERM during a source pause', endedAt);
    await finish(p);
  });
});
