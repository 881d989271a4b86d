// Offsets and acknowledgement: the slot is confirmed only up to what Kafka acknowledged, a dropped replication
// connection is re-established, and a restarted source resumes from its stored offset with nothing lost and
// nothing repeated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../env/services.js';
import { cdcContext, payload, type CdcTestContext } from './cdc-helpers.js';
import type { CdcRecord } from '../../connectors/postgres-cdc/index.js';
import type { PostgresCdcSource } from '../../connectors/postgres-cdc/index.js';

let ctx: CdcTestContext;
beforeAll(async () => {
  ctx = await cdcContext('cdc_restart');
});
afterAll(async () => {
  await ctx.cleanup();
});

interface Confirmation {
  readonly lsn: bigint;
  /** Data records of the test table Kafka had acknowledged when this LSN was confirmed. */
  readonly acknowledged: number;
}

function watch(source: PostgresCdcSource, topic: string, confirmations: Confirmation[], counter: { acked: number }): void {
  source.on('acknowledged', (records: readonly CdcRecord[]) => {
    counter.acked += records.filter((r) => r.topic === topic && r.value !== null).length;
  });
  source.on('confirmed', (lsn) => confirmations.push({ lsn, acknowledged: counter.acked }));
}

describe('CDC source: offsets, confirmation and restarts', () => {
  it('confirms only acknowledged events, survives a dropped connection and resumes after a restart', async () => {
    const s = ctx.prefix;
    await ctx.db.query(`CREATE TABLE ${s}.orders (id int PRIMARY KEY, qty int NOT NULL)`);
    const topic = `${s}.${s}.orders`;
    const config = { 'key.converter.schemas.enable': false, 'value.converter.schemas.enable': false, 'status.update.interval.ms': 200 };
    const confirmations: Confirmation[] = [];
    const counter = { acked: 0 };
    let id = 0;
    const insert = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await ctx.db.query(`INSERT INTO ${s}.orders VALUES ($1, $2)`, [++id, id % 7]);
    };

    const first = ctx.source(config);
    watch(first, topic, confirmations, counter);
    await first.start();
    await insert(100);

    // drop the walsender: the source reconnects and continues from its confirmed position
    await waitFor(() => counter.acked >= 100, { description: 'first 100 acknowledged' });
    // as a database restart would: end the walsender and the source's catalog connection
    const ended = await ctx.db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name IN ($1, $2)`, [
      `tributary-cdc-repl/${ctx.slot}`,
      `tributary-cdc-catalog/${ctx.slot}`,
    ]);
    expect(ended.rowCount).toBe(2);
    await insert(50);
    await ctx.db.query(`ALTER TABLE ${s}.orders ADD COLUMN note text`); // needs the catalog connection again
    await insert(50);
    await waitFor(() => counter.acked >= 200, { description: '200 acknowledged after the reconnect' });
    await first.stop();

    await insert(100); // written while no source runs
    const second = ctx.source(config);
    watch(second, topic, confirmations, counter);
    await second.start();
    await insert(100);

    const records = await ctx.readTopic(topic, 400);
    const events = records.map(payload) as { op: string; after: { id: number }; source: { lsn: number } }[];
    const ids = events.map((e) => e.after.id);
    expect(new Set(ids).size).toBe(ids.length); // nothing repeated
    expect(ids).toEqual(Array.from({ length: 400 }, (_, i) => i + 1)); // nothing lost, in commit order
    expect(events.every((e) => e.op === 'c')).toBe(true);

    // every confirmed LSN covers only events Kafka had acknowledged at that moment
    await waitFor(() => confirmations.some((c) => c.acknowledged >= 400), { description: 'last confirmation' });
    expect(confirmations.length).toBeGreaterThan(0);
    for (const c of confirmations) {
      const coveredEvents = events.filter((e) => BigInt(e.source.lsn) < c.lsn).length;
      expect(coveredEvents).toBeLessThanOrEqual(c.acknowledged);
    }
    const slot = await second.slotLag();
    expect(slot?.active).toBe(true);
    expect(slot!.confirmedFlushLsn! <= second.confirmedLsn).toBe(true);
  });
});
