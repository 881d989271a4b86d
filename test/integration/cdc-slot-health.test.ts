// Slot health: checked when the source starts and then periodically; a slot whose confirmed position falls behind
// (bytes and time) or that keeps WAL past the thresholds is warned about, naming the slot, and the metrics show
// wal_status, retained WAL and lag.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../env/services.js';
import { cdcContext, type CdcTestContext } from './cdc-helpers.js';

let ctx: CdcTestContext;
beforeAll(async () => {
  ctx = await cdcContext('cdc_slot_health');
});
afterAll(async () => {
  await ctx.cleanup();
});

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly kind?: string;
  readonly slot?: string;
  readonly value?: string;
}

describe('CDC source: slot health', () => {
  it('warns at start and while running when the slot falls behind, and exports the slot metrics', async () => {
    const s = ctx.prefix;
    await ctx.db.query(`CREATE TABLE ${s}.captured (id int PRIMARY KEY)`);
    await ctx.db.query(`CREATE TABLE ${s}.other (id serial PRIMARY KEY, pad text)`);
    const only = { 'table.include.list': `${s}.captured` };
    const first = ctx.source(only);
    await first.start();
    await first.stop();

    // WAL the slot does not confirm while no source runs: the slot is behind when the next one starts
    await ctx.db.query(`INSERT INTO ${s}.other (pad) SELECT repeat('x', 200) FROM generate_series(1, 2000)`);

    const lines: LogLine[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
    const registry = new Registry();
    const source = ctx.source(
      {
        ...only,
        'slot.health.check.interval.ms': 200,
        'slot.lag.warn.threshold.bytes': 1,
        'slot.lag.warn.threshold.ms': 300,
        'slot.retained.wal.warn.threshold.bytes': 1,
      },
      { logger, metrics: registry },
    );
    await source.start();
    const streamingAt = lines.findIndex((l) => l.msg === 'streaming started');
    const warnings = (kind: string): LogLine[] => lines.filter((l) => l.level === 40 && l.kind === kind);
    // checked at start: the lag is reported before streaming begins
    const atStart = lines.slice(0, streamingAt).filter((l) => l.level === 40);
    expect(atStart.map((l) => l.kind).sort()).toEqual(['lag-bytes', 'retained-wal']);
    expect(atStart[0]!.slot).toBe(ctx.slot);
    expect(atStart.find((l) => l.kind === 'lag-bytes')!.msg).toMatch(new RegExp(`replication slot ${ctx.slot} is \\d+ WAL bytes behind the server \\(slot.lag.warn.threshold.bytes=1\\)`));

    // while running: changes the slot is not confirmed for (the table is not captured) make it lag in time
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await ctx.db.query(`INSERT INTO ${s}.other (pad) VALUES ('y')`);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      await waitFor(() => warnings('lag-time').length > 0, { description: 'a lag-time warning' });
    } finally {
      writing = false;
      await writer;
    }
    const lagTime = warnings('lag-time')[0]!;
    expect(Number(lagTime.value)).toBeGreaterThanOrEqual(300);
    expect(lagTime.msg).toMatch(new RegExp(`replication slot ${ctx.slot} has been behind the server for \\d+ ms`));

    const metrics = await registry.metrics();
    const value = (name: string, labels = ''): number => {
      const m = new RegExp(`^${name}\\{connector="[^"]+"${labels}\\} (\\S+)$`, 'm').exec(metrics);
      if (!m) throw new Error(`${name}${labels} missing in\n${metrics}`);
      return Number(m[1]);
    };
    expect(value('tributary_cdc_slot_retained_wal_bytes')).toBeGreaterThan(0);
    expect(value('tributary_cdc_slot_lag_ms')).toBeGreaterThanOrEqual(0);
    expect(value('tributary_cdc_slot_wal_status', ',status="reserved"')).toBe(1);
    expect(value('tributary_cdc_slot_wal_status', ',status="lost"')).toBe(0);
    expect(value('tributary_cdc_slot_warnings_total', ',kind="lag-bytes"')).toBeGreaterThanOrEqual(1);
    expect(value('tributary_cdc_slot_warnings_total', ',kind="lag-time"')).toBeGreaterThanOrEqual(1);
    await source.stop();
  });
});
