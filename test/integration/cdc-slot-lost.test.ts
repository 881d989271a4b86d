// A replication slot PostgreSQL invalidated (max_slot_wal_keep_size, wal_status = 'lost') while `tributary cdc` was
// stopped: the next start fails at once with a non-zero exit and a message naming the slot, the LSN gap and the way
// back (drop the slot, re-snapshot); with snapshot.mode=when_needed the source recovers by itself with a new
// snapshot, after which every row is in Kafka. A PostgreSQL of its own: the test makes it throw WAL away.
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresService } from '../../src/testing/index.js';
import { randomName, testServices, waitFor } from '../env/services.js';
import { killCdcChildren, payload, readTopicRecords, startCdcChild, writeCdcConfig } from './cdc-helpers.js';

let postgres: PostgresService;
let db: pg.Client;
let kafka: Kafka;

beforeAll(async () => {
  // A slot may hold back almost no WAL: the next checkpoint after a segment switch invalidates an idle slot.
  postgres = await startPostgres({
    env: { TRIBUTARY_POSTGRES_IMAGE: process.env['TRIBUTARY_POSTGRES_IMAGE'] },
    settings: { max_slot_wal_keep_size: '1MB' },
  });
  db = new pg.Client({ connectionString: postgres.databaseUrl });
  await db.connect();
  kafka = new Kafka({ clientId: randomName('cdc_slot_lost'), brokers: testServices().brokers, logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  killCdcChildren();
  await db?.end();
  await postgres?.stop();
});

async function walStatus(slot: string): Promise<string | null> {
  const r = await db.query<{ wal_status: string }>('SELECT wal_status FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  return r.rows[0]?.wal_status ?? null;
}

describe('tributary cdc: a lost replication slot', () => {
  it('exits non-zero naming the slot, the gap and the recovery, and recovers with snapshot.mode=when_needed', async () => {
    const prefix = randomName('cdc_lost');
    const slot = `${prefix}_slot`;
    const topic = `${prefix}.public.items`;
    await db.query('CREATE TABLE items (id int PRIMARY KEY, body text)');
    await db.query(`INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 100) g`);
    const config = {
      'topic.prefix': prefix, 'database.url': postgres.databaseUrl, 'kafka.bootstrap.servers': testServices().brokers.join(','),
      'slot.name': slot, 'publication.name': `${prefix}_pub`, 'offset.storage.topic': `${prefix}_offsets`,
      'table.include.list': 'public.items', 'key.converter.schemas.enable': false, 'value.converter.schemas.enable': false,
    };
    const configFile = await writeCdcConfig(config);

    // 1. 100 rows through the snapshot, then a clean stop
    const first = startCdcChild(configFile);
    await first.waitForOutput(/streaming started/);
    expect(await readTopicRecords(kafka, topic, 100)).toHaveLength(100);
    first.process.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    // 2. while it is stopped: 1,100 more rows, and WAL thrown away until the slot is lost
    await db.query(`INSERT INTO items SELECT g, 'item ' || g FROM generate_series(101, 1200) g`);
    await waitFor(async () => {
      await db.query(`SELECT pg_switch_wal()`);
      await db.query(`INSERT INTO items SELECT g, 'wal' FROM generate_series(100001, 120000) g ON CONFLICT DO NOTHING`);
      await db.query(`DELETE FROM items WHERE id > 100000`);
      await db.query('CHECKPOINT');
      return (await walStatus(slot)) === 'lost';
    }, { description: `slot ${slot} lost`, intervalMs: 200 });

    // 3. the next start fails at once, says what happened and what to do
    const startedAt = Date.now();
    const second = startCdcChild(configFile);
    const exit = await Promise.race([second.exited, new Promise<null>((r) => setTimeout(() => r(null), 90_000))]);
    expect(exit, `still running after 90 s:\n${second.output()}`).not.toBeNull();
    console.log(`[cdc] lost slot: exit ${exit!.code} after ${exit!.atMs - startedAt} ms`);
    expect(exit!.code).not.toBe(0);
    const output = second.output();
    expect(output).toContain(`replication slot ${slot} is lost`);
    expect(output).toMatch(/Stored offset LSN [0-9A-F]+\/[0-9A-F]+, slot confirmed LSN [0-9A-F]+\/[0-9A-F]+, server at [0-9A-F]+\/[0-9A-F]+: \d+ bytes of WAL in the gap/);
    expect(output).toContain(`pg_drop_replication_slot('${slot}')`);
    expect(output).toContain('snapshot.mode=when_needed');
    expect(output).not.toMatch(/retriable error/);

    // 4. the way back: when_needed drops the lost slot and snapshots again; all 1,200 rows reach Kafka
    const recovered = startCdcChild(await writeCdcConfig({ ...config, 'snapshot.mode': 'when_needed' }));
    await recovered.waitForOutput(/streaming started/);
    const records = await readTopicRecords(kafka, topic, 100 + 1200);
    const ids = new Set(records.map((r) => (payload(r) as { after: { id: number } }).after.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
    expect(records.slice(100).every((r) => (payload(r) as { op: string }).op === 'r')).toBe(true);
    expect(await walStatus(slot)).toBe('reserved');
    recovered.process.kill('SIGTERM');
    expect((await recovered.exited).code).toBe(0);
  });
});
