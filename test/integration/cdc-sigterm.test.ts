// SIGTERM ends `tributary cdc` with exit code 0 in every state: while connecting to a server that does not answer,
// while retrying an unreachable Kafka, in the middle of a snapshot, and while streaming under load. What is stored
// stays consistent: an interrupted snapshot is not marked complete (the next start takes it again), and the slot is
// never confirmed past what Kafka holds. Exit times are printed (the note reports them); no test asserts a duration.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/testing/free-port.js';
import { parseLsn } from '../../connectors/postgres-cdc/lsn.js';
import { decodeOffset } from '../../connectors/postgres-cdc/offset-store.js';
import { waitFor } from '../env/services.js';
import { cdcContext, killCdcChildren, payload, readTopicRecords, startCdcChild, writeCdcConfig, type CdcChild, type CdcTestContext } from './cdc-helpers.js';

let ctx: CdcTestContext;
beforeAll(async () => {
  ctx = await cdcContext('cdc_sigterm');
});
afterAll(async () => {
  killCdcChildren();
  await ctx.cleanup();
});

async function terminate(child: CdcChild, state: string): Promise<number | null> {
  const at = Date.now();
  child.process.kill('SIGTERM');
  const { code, atMs } = await child.exited;
  console.log(`[cdc] SIGTERM while ${state}: exit ${code} after ${atMs - at} ms`);
  return code;
}

/** Offsets stored for this test's connector (the offsets topic, read to its end). */
async function storedOffsets(count: number): Promise<ReturnType<typeof decodeOffset>[]> {
  if (count === 0) return [];
  return (await readTopicRecords(ctx.kafka, `${ctx.prefix}_offsets`, count)).map((r) => decodeOffset(r.value!));
}

async function offsetCount(): Promise<number> {
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(`${ctx.prefix}_offsets`)) return 0;
    return (await admin.fetchTopicOffsets(`${ctx.prefix}_offsets`)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
}

describe('tributary cdc: SIGTERM in every state', () => {
  it('while connecting to a server that never answers', async () => {
    // accepts connections and says nothing, like a host behind a black-holing firewall
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => void sockets.push(s));
    const port = await freePort();
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', () => r()));
    try {
      const child = startCdcChild(await writeCdcConfig(ctx.config({ 'database.url': `postgres://u:pw_silent@127.0.0.1:${port}/db` })));
      await waitFor(() => sockets.length > 0, { description: 'the source connecting' });
      expect(await terminate(child, 'connecting')).toBe(0);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('while retrying an unreachable Kafka', async () => {
    const child = startCdcChild(await writeCdcConfig(ctx.config({ 'kafka.bootstrap.servers': `127.0.0.1:${await freePort()}`, 'errors.retry.delay.initial.ms': 2000 })));
    await child.waitForOutput(/retriable error, restarting the source/);
    expect(await terminate(child, 'retrying')).toBe(0);
  });

  it('in the middle of a snapshot, which the next start takes again', async () => {
    const s = ctx.prefix;
    await ctx.db.query(`CREATE TABLE ${s}.big (id int PRIMARY KEY, pad text)`);
    await ctx.db.query(`INSERT INTO ${s}.big SELECT g, repeat('p', 100) FROM generate_series(1, 300000) g`);
    const config = await writeCdcConfig(ctx.config({ 'snapshot.fetch.size': 1000, 'table.include.list': `${s}.big` }));
    const child = startCdcChild(config);
    await child.waitForOutput(/snapshot: reading table/);
    expect(await terminate(child, 'snapshotting')).toBe(0);
    expect(child.output()).not.toMatch(/snapshot: completed/);
    // nothing marks the snapshot done: no stored offset says snapshot_completed
    expect((await storedOffsets(await offsetCount())).filter((o) => o.snapshotCompleted)).toEqual([]);
    const again = startCdcChild(config);
    await again.waitForOutput(/"snapshot":true.*"msg":"snapshot decision"/);
    expect(await terminate(again, 'snapshotting (second start)')).toBe(0);
  });

  it('while streaming under load, confirming the slot only up to what Kafka holds', async () => {
    const s = ctx.prefix;
    await ctx.db.query(`CREATE TABLE ${s}.live (id int PRIMARY KEY)`);
    const child = startCdcChild(await writeCdcConfig(ctx.config({
      'table.include.list': `${s}.live`, 'snapshot.mode': 'no_data', 'status.update.interval.ms': 100,
      'key.converter.schemas.enable': false, 'value.converter.schemas.enable': false,
    })));
    await child.waitForOutput(/streaming started/);
    // every committed row with the server's WAL position read right after its commit
    const committed: { id: number; lsnAfter: bigint }[] = [];
    let writing = true;
    const writer = (async () => {
      for (let id = 1; writing; id++) {
        await ctx.db.query(`INSERT INTO ${s}.live VALUES ($1)`, [id]);
        const lsn = (await ctx.db.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l')).rows[0]!.l;
        committed.push({ id, lsnAfter: parseLsn(lsn) });
      }
    })();
    await waitFor(() => committed.length >= 300, { description: '300 rows committed' });
    const code = await terminate(child, 'streaming');
    writing = false;
    await writer;
    expect(code).toBe(0);
    const slot = await ctx.db.query<{ c: string }>('SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots WHERE slot_name = $1', [ctx.slot]);
    const confirmed = parseLsn(slot.rows[0]!.c);
    const mustBeInKafka = committed.filter((c) => c.lsnAfter <= confirmed).map((c) => c.id);
    expect(mustBeInKafka.length).toBeGreaterThan(0);
    const records = await readTopicRecords(ctx.kafka, `${s}.${s}.live`, mustBeInKafka.length);
    const inKafka = new Set(records.map((r) => (payload(r) as { after: { id: number } }).after.id));
    expect(mustBeInKafka.filter((id) => !inKafka.has(id))).toEqual([]);
    console.log(`[cdc] streaming SIGTERM: ${committed.length} rows committed, ${mustBeInKafka.length} confirmed to the slot, ${inKafka.size} in Kafka`);
  });
});
