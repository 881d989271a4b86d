// Heartbeats: with only uncaptured tables changing, heartbeat records and the heartbeat action query let the slot's
// confirmed position follow the server, so a quiet captured table does not pin WAL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { waitFor } from '../env/services.js';
import { cdcContext, type CdcTestContext } from './cdc-helpers.js';

let ctx: CdcTestContext;
beforeAll(async () => {
  ctx = await cdcContext('cdc_hb');
});
afterAll(async () => {
  await ctx.cleanup();
});

describe('CDC source: heartbeats', () => {
  it('emits heartbeat records and advances the slot while captured tables are quiet', async () => {
    const s = ctx.prefix;
    await ctx.db.query(`CREATE TABLE ${s}.quiet (id int PRIMARY KEY)`);
    await ctx.db.query(`CREATE TABLE ${s}.hb (id int PRIMARY KEY, ts timestamptz)`);
    await ctx.db.query(`CREATE TABLE public.${s}_noise (id serial PRIMARY KEY, v text)`);
    const registry = new Registry();
    const source = ctx.source({
      'table.include.list': `${s}\\.quiet`,
      'heartbeat.interval.ms': 200,
      'heartbeat.action.query': `INSERT INTO ${s}.hb VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET ts = now()`,
      'status.update.interval.ms': 200,
    }, { metrics: registry });
    await source.start();
    const startLsn = source.confirmedLsn;
    for (let i = 0; i < 50; i++) await ctx.db.query(`INSERT INTO public.${s}_noise (v) SELECT repeat('x', 1000) FROM generate_series(1, 20)`);
    const serverLsn = BigInt(`0x${(await ctx.db.query("SELECT lpad(split_part(pg_current_wal_lsn()::text, '/', 1), 8, '0') || lpad(split_part(pg_current_wal_lsn()::text, '/', 2), 8, '0') AS l")).rows[0].l}`);
    await waitFor(() => source.confirmedLsn >= serverLsn, { description: 'confirmed LSN to pass the noise writes' });
    expect(source.confirmedLsn > startLsn).toBe(true);
    const lag = await waitFor(async () => {
      const l = await source.slotLag();
      return l !== null && l.confirmedFlushLsn !== null && l.confirmedFlushLsn >= serverLsn ? l : undefined;
    }, { description: 'slot confirmed_flush_lsn to follow' });
    expect(lag.active).toBe(true);
    const beats = await ctx.readTopic(`__debezium-heartbeat.${s}`, 2);
    const beat = JSON.parse(beats[0]!.value!);
    expect(beats[0]!.key).toBe(`{"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"serverName"}],"optional":false,"name":"io.debezium.connector.common.ServerNameKey"},"payload":{"serverName":"${s}"}}`);
    expect(beat.schema.name).toBe('io.debezium.connector.common.Heartbeat');
    expect(typeof beat.payload.ts_ms).toBe('number');
    const metrics = await registry.metrics();
    expect(metrics).toMatch(new RegExp(`tributary_cdc_slot_lag_bytes\\{connector="[^"]+"\\} \\d+`));
    const confirmedMetric = /tributary_cdc_confirmed_lsn\{connector="[^"]+"\} (\d+)/.exec(metrics);
    expect(Number(confirmedMetric?.[1]) > Number(startLsn)).toBe(true);
    await ctx.db.query(`DROP TABLE public.${s}_noise`);
  });
});
