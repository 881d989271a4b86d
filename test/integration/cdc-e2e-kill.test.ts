// The end-to-end run with crashes: `tributary cdc` killed with SIGKILL five times and `tributary sink` twice, at
// random moments while a mixed workload runs, each restarted. Afterwards every sink table equals its source table,
// and at every source kill the slot's confirmed_flush_lsn covered only transactions whose events Kafka already held:
// for each transaction committed at or before the confirmed LSN, every event of it was below the topics' high
// watermarks read right after the kill (nothing the slot will never send again was missing from Kafka).
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  E2E_TABLES, allEqual, createSourceTables, lsnToNumber, runWorkload, seedSourceTables, seededRandom, tableDifferences,
  type CommittedTransaction,
} from './cdc-e2e-helpers.js';
import { randomName, sinkConfig, sinkTestContext, waitFor } from './sink-helpers.js';

const ctx = sinkTestContext();
const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));
const children: ChildProcess[] = [];
let slot: string | undefined;
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (slot) {
    await waitFor(async () => (await ctx.pool.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active', [slot])).rowCount === 0,
      { description: 'slot inactive' }).catch(() => undefined);
    await ctx.pool.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  }
});

// at least this many; the workload goes on until the last kill
const CHANGES = Number(process.env['E2E_KILL_CHANGES'] ?? 20_000);
const SEEDED = 2_000;
const SOURCE_KILLS = 5;
const SINK_KILLS = 2;

interface KillObservation {
  readonly round: number;
  readonly confirmed: string;
  readonly highWatermarks: Record<string, number>;
  /** Transactions committed (and recorded) when the source died. */
  readonly committed: readonly CommittedTransaction[];
}

interface RunningProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(kind: 'cdc' | 'sink', configFile: string, logFile: string): RunningProcess {
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [bin, kind, '--config', configFile, ...(kind === 'sink' ? ['--log-level', 'warn'] : [])], {
    stdio: ['ignore', fd, fd], env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  closeSync(fd);
  children.push(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited };
}

describe('CDC end to end with crashes', () => {
  it(`sink equals source after ${SOURCE_KILLS} source and ${SINK_KILLS} sink SIGKILLs; no LSN confirmed before Kafka held its events`, async () => {
    const seed = Number(process.env['E2E_SEED'] ?? Date.now() % 100_000);
    const random = seededRandom(seed);
    const prefix = randomName('e2k');
    slot = `${prefix}_slot`;
    await ctx.pool.query(`CREATE SCHEMA ${prefix}`);
    await createSourceTables(ctx.pool, prefix);
    await seedSourceTables(ctx.pool, prefix, SEEDED);
    const topics = E2E_TABLES.map((t) => `${prefix}.${prefix}.${t.name}`);

    const dir = await mkdtemp(join(tmpdir(), 'cdc-e2e-kill-'));
    const cdcConfig = join(dir, 'cdc.json');
    const sinkConfigFile = join(dir, 'sink.json');
    const cdcLog = join(dir, 'cdc.log');
    const sinkLog = join(dir, 'sink.log');
    await writeFile(cdcConfig, JSON.stringify({
      'topic.prefix': prefix, 'database.url': ctx.databaseUrl, 'kafka.bootstrap.servers': ctx.brokers.join(','),
      'slot.name': slot, 'publication.name': `${prefix}_pub`, 'publication.autocreate.mode': 'filtered',
      'offset.storage.topic': `${prefix}_offsets`, 'schema.include.list': prefix,
      // MicroDuration (the numeric default) counts a month as 30.4375 days, so '1 mon' cannot come back from it;
      // the ISO 8601 string form round-trips every interval exactly.
      'interval.handling.mode': 'string', 'status.update.interval.ms': 200,
    }));
    await writeFile(sinkConfigFile, JSON.stringify(sinkConfig(ctx, {
      topics: topics.join(','), 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'delete.enabled': true,
      'schema.evolution': 'basic', 'batch.size': 2000,
    })));

    let source = start('cdc', cdcConfig, cdcLog);
    await ctx.admin.connect();
    await waitFor(async () => {
      const existing = await ctx.admin.listTopics();
      return topics.every((t) => existing.includes(t));
    }, { timeoutMs: 120_000, description: 'the three table topics' });
    let sink = start('sink', sinkConfigFile, sinkLog);

    const committed: CommittedTransaction[] = [];
    let killsDone = false;
    const client = await ctx.pool.connect();
    const workload = runWorkload(client, {
      schema: prefix, changes: CHANGES, seededRows: SEEDED, random: seededRandom(seed + 1),
      onCommit: (tx) => committed.push(tx),
      // changes keep coming until the last kill, so every source process has something to stream and confirm
      keepGoing: () => !killsDone,
      pauseAfterTargetMs: 500,
    }).finally(() => client.release());

    // Kills at random moments, in a random order of source and sink kills.
    const plan: ('cdc' | 'sink')[] = [...Array<'cdc'>(SOURCE_KILLS).fill('cdc'), ...Array<'sink'>(SINK_KILLS).fill('sink')];
    for (let i = plan.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [plan[i], plan[j]] = [plan[j]!, plan[i]!];
    }
    const observations: KillObservation[] = [];
    const unexpected: string[] = [];
    const slotConfirmed = async (): Promise<string> =>
      (await ctx.pool.query<{ c: string }>('SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0]!.c;
    let lastConfirmed = await slotConfirmed();
    for (const [round, kind] of plan.entries()) {
      if (kind === 'cdc') {
        // a random moment once this process streams: it has confirmed something new
        await waitFor(async () => lsnToNumber(await slotConfirmed()) > lsnToNumber(lastConfirmed), {
          timeoutMs: 180_000, intervalMs: 200, description: `the source of round ${round} to confirm past ${lastConfirmed}`,
        });
        await new Promise((r) => setTimeout(r, random() * 3000));
      } else {
        await new Promise((r) => setTimeout(r, 2000 + random() * 4000));
      }
      const victim = kind === 'cdc' ? source : sink;
      if (victim.child.exitCode !== null) unexpected.push(`${kind} had exited with ${victim.child.exitCode} before round ${round}`);
      victim.child.kill('SIGKILL');
      await victim.exited;
      if (kind === 'cdc') {
        // The dead process can confirm nothing more: what the slot holds now is all it ever confirmed.
        const r = await ctx.pool.query<{ c: string }>('SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE slot_name = $1', [slot]);
        const highWatermarks: Record<string, number> = {};
        for (const topic of topics) {
          const offsets = await ctx.admin.fetchTopicOffsets(topic);
          highWatermarks[topic] = Math.max(...offsets.map((o) => Number(o.high)));
          expect(offsets).toHaveLength(1);
        }
        observations.push({ round, confirmed: r.rows[0]!.c, highWatermarks, committed: [...committed] });
        lastConfirmed = r.rows[0]!.c;
      }
      await new Promise((r) => setTimeout(r, random() * 1000));
      if (kind === 'cdc') source = start('cdc', cdcConfig, cdcLog);
      else sink = start('sink', sinkConfigFile, sinkLog);
    }
    killsDone = true;
    const changes = await workload;

    await waitFor(async () => allEqual(await tableDifferences(ctx.pool, prefix, prefix)), {
      timeoutMs: 600_000, intervalMs: 1000, description: `sink tables equal to source tables (seed ${seed}, logs in ${dir})`,
    });
    expect(await tableDifferences(ctx.pool, prefix, prefix)).toEqual({ accounts: 0, orders: 0, notes: 0 });

    source.child.kill('SIGTERM');
    sink.child.kill('SIGTERM');
    expect(await source.exited).toEqual({ code: 0, signal: null });
    expect(await sink.exited).toEqual({ code: 0, signal: null });
    expect(unexpected).toEqual([]);

    // Every change event in Kafka, by topic and offset, with the transaction it belongs to.
    const events = await readEvents(topics);
    const violations: string[] = [];
    let checkedTransactions = 0;
    for (const o of observations) {
      const confirmed = lsnToNumber(o.confirmed);
      for (const tx of o.committed) {
        if (lsnToNumber(tx.lsnAfter) > confirmed) continue;
        checkedTransactions++;
        const all = events.get(tx.txId) ?? [];
        if (all.length === 0) violations.push(`kill ${o.round}: transaction ${tx.txId} (confirmed, ${tx.changes} changes) has no event at all`);
        const before = new Set(all.filter((e) => e.offset < o.highWatermarks[e.topic]!).map((e) => e.id));
        const missing = new Set(all.map((e) => e.id).filter((id) => !before.has(id)));
        if (missing.size > 0) {
          violations.push(`kill ${o.round}: slot confirmed ${o.confirmed} past transaction ${tx.txId} (committed by ${tx.lsnAfter}) `
            + `but ${missing.size} of its events were not in Kafka yet`);
        }
      }
    }
    const sinkLogText = await readFile(sinkLog, 'utf8');
    console.log(`[e2e-kill] seed ${seed}: ${changes} changes in ${committed.length} transactions; ${observations.length} source kills `
      + `(confirmed LSNs ${observations.map((o) => o.confirmed).join(', ')}), ${checkedTransactions} confirmed-transaction checks; `
      + `${events.size} transactions in Kafka; sink log ${sinkLogText.length} bytes`);
    expect(violations.slice(0, 20)).toEqual([]);
    expect(observations).toHaveLength(SOURCE_KILLS);
    expect(checkedTransactions).toBeGreaterThan(0);
  }, 1_200_000);
});

interface EventRef {
  readonly topic: string;
  readonly offset: number;
  /** Identity of the change: the same change written again after a restart has the same id. */
  readonly id: string;
}

/** Reads the table topics to their current ends; returns the streamed (non-snapshot) change events by txId. */
async function readEvents(topics: readonly string[]): Promise<Map<number, EventRef[]>> {
  const ends = new Map<string, number>();
  for (const topic of topics) {
    const offsets = await ctx.admin.fetchTopicOffsets(topic);
    for (const o of offsets) ends.set(`${topic}/${o.partition}`, Number(o.high));
  }
  const byTx = new Map<number, EventRef[]>();
  const reached = new Map<string, number>();
  const consumer = ctx.kafka.consumer({ groupId: randomName('e2e_reader'), maxBytes: 50 * 1024 * 1024 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          reached.set(`${batch.topic}/${batch.partition}`, Number(m.offset) + 1);
          if (m.value === null) continue; // tombstone: belongs to the delete before it
          const { payload } = JSON.parse(m.value.toString('utf8')) as { payload: { op: string; source: { txId: number; lsn: number } } };
          if (payload.op === 'r') continue;
          const id = `${batch.topic}|${payload.source.lsn}|${payload.op}|${m.key?.toString('utf8')}`;
          const list = byTx.get(payload.source.txId) ?? [];
          list.push({ topic: batch.topic, offset: Number(m.offset), id });
          byTx.set(payload.source.txId, list);
        }
      },
    });
    await waitFor(() => [...ends].every(([tp, end]) => end === 0 || (reached.get(tp) ?? 0) >= end), {
      timeoutMs: 300_000, description: 'the table topics read to their ends',
    });
  } finally {
    await consumer.disconnect();
  }
  return byTx;
}
