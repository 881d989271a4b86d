// W5 CDC, PostgreSQL -> Kafka. Each run: a fresh table, publication and slot; the backlog (large transactions or
// single-row transactions, the same deterministic rows every run) is committed before the contender starts, so
// throughput is rows over the time from streaming start (the contender's READY) to the last event's broker append
// time. Then latency probes: single-row transactions at ~1k/s, from the INSERT's commit returning to the bench's
// consumer seeing the event. Every run's events (key and `after` of each row) must hash the same.
// w5-latency instead follows a small backlog with a paced phase: single-row transactions scheduled at a steady
// 2k/s for 5 s at every scale (a shorter phase measures its own start more than the steady state) from several connections, so that the rate is reached even when one commit takes longer
// than the interval; its table row holds the achieved transaction rate and the commit-to-visible p50/p99.
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { Contender, waitUntil } from '../lib/child.js';
import { collect, createTopic } from '../lib/kafka.js';
import { percentile } from '../lib/stats.js';
import type { BenchContext, ContenderSpec, RunResult, Workload } from '../lib/types.js';

const COLUMNS = 'id bigint primary key, user_id int not null, amount numeric(10,2) not null, note text, created timestamptz not null';
const rowsSql = (table: string, from: number, to: number): string =>
  `insert into ${table} select g, g % 1000, (g % 100000) / 100.0, md5(g::text), timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second' from generate_series(${from}, ${to}) g`;

/** The paced phase of w5-latency: single-row transactions at a steady rate from several connections. */
interface Paced {
  /** Transactions per second to schedule. */
  readonly rate: number;
  readonly connections: number;
}

const PACED_RATE = 2000;
const PACED_CONNECTIONS = 16;
/** How long the paced phase lasts, whatever the scale. */
const PACED_SECONDS = 5;

function cdcWorkload(name: string, description: string, bulk: boolean, paced?: Paced): Workload {
  return {
    name,
    description,
    async prepare(ctx) {
      const rows = paced ? 1000 : bulk ? Math.max(2000, Math.round(200_000 * ctx.scale)) : Math.max(500, Math.round(20_000 * ctx.scale));
      const probes = paced ? Math.round(paced.rate * PACED_SECONDS) : 1000;
      const reference: { digest?: string } = {};
      const contender = (contenderName: string, kind: 'tributary' | 'debezium' | 'ceiling', profilable = false): ContenderSpec => ({
        name: contenderName,
        profilable,
        run: (run, profileDir) => runOnce(ctx, { kind, bulk, rows, probes, reference, run, ...(paced ? { paced } : {}), ...(profileDir === undefined ? {} : { profileDir }) }),
      });
      const contenders = [contender('tributary cdc source', 'tributary', true), contender('debezium embedded -> kafka producer', 'debezium')];
      return {
        records: paced ? probes : rows,
        contenders: paced ? contenders : [...contenders, contender('replication ceiling (decode only, no Kafka)', 'ceiling')],
      };
    },
  };
}

export const w5bulk = cdcWorkload('w5-bulk', 'W5 CDC: 200k rows in 10 large transactions, Postgres -> Kafka', true);
export const w5single = cdcWorkload('w5-single', 'W5 CDC: 20k single-row transactions, Postgres -> Kafka', false);
export const w5latency = cdcWorkload(
  'w5-latency',
  'W5 CDC: commit-to-Kafka latency at a steady 2k single-row transactions/s (records/s = achieved transaction rate)',
  true,
  { rate: PACED_RATE, connections: PACED_CONNECTIONS },
);

interface RunSpec {
  kind: 'tributary' | 'debezium' | 'ceiling';
  bulk: boolean;
  rows: number;
  probes: number;
  reference: { digest?: string };
  run: number;
  paced?: Paced;
  profileDir?: string;
}

async function runOnce(ctx: BenchContext, spec: RunSpec): Promise<RunResult> {
  const tag = `${spec.kind}_${spec.run}_${randomBytes(3).toString('hex')}`;
  const table = `bench_cdc_${tag}`;
  const slot = `bench_slot_${tag}`;
  const publication = `bench_pub_${tag}`;
  const prefix = `benchcdc${randomBytes(3).toString('hex')}`;
  const topic = `${prefix}.public.${table}`;
  const db = new pg.Client({ connectionString: ctx.databaseUrl });
  await db.connect();
  const admin = ctx.kafka.admin();
  await admin.connect();
  let contender: Contender | undefined;
  let collector: Awaited<ReturnType<typeof collect>> | undefined;
  // Deleting a topic that does not exist is retried by kafkajs for seconds: the ceiling never creates one.
  let topicCreated = false;
  try {
    await db.query(`create table ${table} (${COLUMNS})`);
    await db.query(`create publication ${publication} for table ${table}`);
    await db.query(`select pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
    // The backlog, committed before the contender starts.
    if (spec.bulk) {
      const perTxn = Math.ceil(spec.rows / 10);
      for (let from = 1; from <= spec.rows; from += perTxn) await db.query(rowsSql(table, from, Math.min(spec.rows, from + perTxn - 1)));
    } else {
      const clients = await Promise.all(Array.from({ length: 4 }, async () => {
        const c = new pg.Client({ connectionString: ctx.databaseUrl });
        await c.connect();
        return c;
      }));
      await Promise.all(clients.map(async (c, k) => {
        for (let id = 1 + k; id <= spec.rows; id += clients.length) await c.query(rowsSql(table, id, id));
      }));
      await Promise.all(clients.map((c) => c.end()));
    }
    const total = spec.rows + (spec.kind === 'ceiling' ? 0 : spec.probes);

    if (spec.kind === 'ceiling') {
      contender = new Contender(process.execPath, ['--import', 'tsx', join(ctx.root, 'bench/contenders/w5-ceiling.ts'), ctx.databaseUrl, slot, publication, String(spec.rows)], /"inserts"/);
      await waitUntil(() => contender!.readyAt !== undefined, 600_000, 'ceiling', () => (contender!.exited && contender!.readyAt === undefined ? contender!.output.slice(-2000) : undefined));
      const r = JSON.parse(/\{"inserts".*\}/.exec(contender.output)![0]) as { inserts: number; ms: number; rss: number };
      return { throughput: r.inserts / (r.ms / 1000), peakRssBytes: Math.max(r.rss, contender.peakRss), mismatch: r.inserts === spec.rows ? '' : `${r.inserts} inserts decoded, expected ${spec.rows}` };
    }

    await createTopic(admin, topic, 1);
    topicCreated = true;
    const seen = new Map<number, string>();
    const receivedAt = new Float64Array(total + 1);
    let duplicates = 0;
    let wrong = 0;
    let lastAppend = 0;
    collector = await collect(ctx.kafka, topic, (r) => {
      const value = JSON.parse(r.value) as { payload: { op: string; after: { id: number } } };
      const after = value.payload.after;
      if (value.payload.op !== 'c' || !after) {
        wrong++;
        return;
      }
      if (seen.has(after.id)) duplicates++;
      seen.set(after.id, `${JSON.stringify((JSON.parse(r.key) as { payload: unknown }).payload)}|${JSON.stringify(after)}`);
      receivedAt[after.id] = r.receivedAt;
      if (after.id <= spec.rows) lastAppend = Math.max(lastAppend, r.appendTime);
    });

    const url = new URL(ctx.databaseUrl);
    const command =
      spec.kind === 'tributary'
        ? { command: process.execPath, args: [...(spec.profileDir ? ['--cpu-prof', '--cpu-prof-dir', spec.profileDir] : []), '--import', 'tsx', join(ctx.root, 'bench/contenders/w5-tributary.ts'), ctx.databaseUrl, ctx.brokers.join(','), slot, publication, `public.${table}`, prefix, `${prefix}_offsets`] }
        : (() => {
            const java = ctx.java('dev.tributary.bench.DebeziumToKafka', 'java-debezium');
            return { command: java.command, args: [...java.args, url.hostname, url.port || '5432', url.pathname.slice(1), decodeURIComponent(url.username), decodeURIComponent(url.password), slot, publication, `public.${table}`, prefix, ctx.brokers.join(',')] };
          })();
    contender = new Contender(command.command, command.args, /^READY$/m);
    const died = (): string | undefined => (contender!.exited ? `contender exited:\n${contender!.output.slice(-3000)}` : undefined);
    await waitUntil(() => contender!.readyAt !== undefined, 180_000, `${spec.kind} ready`, died);
    let backlogSeen = 0;
    await waitUntil(() => {
      backlogSeen = 0;
      for (const id of seen.keys()) if (id <= spec.rows) backlogSeen++;
      return backlogSeen >= spec.rows;
    }, 600_000, `${spec.kind} backlog`, died);
    let throughput = spec.rows / ((lastAppend - contender.readyAt!) / 1000);
    let note: string | undefined;

    const committedAt = new Float64Array(total + 1);
    if (spec.paced) {
      const achieved = await pacedInserts(ctx, table, spec.rows + 1, total, spec.paced, committedAt);
      throughput = achieved.rate;
      note = `paced phase: ${spec.probes} single-row transactions from ${spec.paced.connections} connections, target ${spec.paced.rate}/s, achieved ${achieved.rate.toFixed(0)}/s over ${(achieved.ms / 1000).toFixed(1)} s; backlog ${spec.rows} rows at ${(spec.rows / ((lastAppend - contender.readyAt!) / 1000)).toFixed(0)} rows/s`;
    } else {
      // Latency probes: single-row transactions, ~1k/s.
      for (let id = spec.rows + 1; id <= total; id++) {
        const before = Date.now();
        await db.query(rowsSql(table, id, id));
        committedAt[id] = Date.now();
        const pause = 1 - (committedAt[id]! - before);
        if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
      }
    }
    await waitUntil(() => seen.size >= total, 120_000, `${spec.kind} probes`, died);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const latencies: number[] = [];
    for (let id = spec.rows + 1; id <= total; id++) latencies.push(receivedAt[id]! - committedAt[id]!);

    const digest = createHash('sha256');
    for (const id of [...seen.keys()].sort((a, b) => a - b)) digest.update(`${seen.get(id)}\n`);
    const hex = digest.digest('hex');
    spec.reference.digest ??= hex;
    const mismatch = [
      wrong > 0 ? `${wrong} events that are not inserts` : '',
      duplicates > 0 ? `${duplicates} duplicates` : '',
      seen.size !== total ? `${seen.size} rows, expected ${total}` : '',
      hex !== spec.reference.digest ? `events differ from the first run's (sha ${hex.slice(0, 12)} vs ${spec.reference.digest.slice(0, 12)})` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return { throughput, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), peakRssBytes: contender.peakRss, mismatch, ...(note === undefined ? {} : { note }) };
  } finally {
    await contender?.stop();
    await collector?.disconnect();
    // The slot stays active until its walsender notices that the client left (seconds): end the walsender,
    // the contender is gone anyway.
    await db.query(`select pg_terminate_backend(active_pid) from pg_replication_slots where slot_name = $1 and active_pid is not null`, [slot]).catch(() => undefined);
    for (let attempt = 0; attempt < 50; attempt++) {
      const dropped = await db.query(`select pg_drop_replication_slot($1)`, [slot]).then(() => true, (error: Error) => /does not exist/.test(error.message));
      if (dropped) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await db.query(`drop publication if exists ${publication}`).catch(() => undefined);
    await db.query(`drop table if exists ${table}`).catch(() => undefined);
    await db.end();
    if (topicCreated) await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/**
 * Inserts rows `from`..`to` as single-row transactions on a fixed schedule (row k due at start + k / rate), spread
 * round-robin over several connections; a connection that falls behind issues its next row at once instead of
 * waiting, so the achieved rate only drops below the target when the database cannot keep up.
 */
async function pacedInserts(ctx: BenchContext, table: string, from: number, to: number, paced: Paced, committedAt: Float64Array): Promise<{ rate: number; ms: number }> {
  const clients = await Promise.all(
    Array.from({ length: paced.connections }, async () => {
      const c = new pg.Client({ connectionString: ctx.databaseUrl });
      await c.connect();
      return c;
    }),
  );
  try {
    const start = Date.now() + 50;
    await Promise.all(
      clients.map(async (c, k) => {
        for (let id = from + k; id <= to; id += clients.length) {
          const due = start + ((id - from) * 1000) / paced.rate;
          const wait = due - Date.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          await c.query(rowsSql(table, id, id));
          committedAt[id] = Date.now();
        }
      }),
    );
    const ms = Math.max(...Array.from(committedAt.subarray(from, to + 1))) - start;
    return { rate: (to - from + 1) / (ms / 1000), ms };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}
