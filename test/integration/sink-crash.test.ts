// A crash between the PostgreSQL commit and the Kafka offset commit: the restarted sink replays the batch,
// and the replay changes nothing because upserts and deletes are idempotent.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bob, changeEvent, customerKey } from '../../connectors/postgres-sink/fixtures/customers.js';
import {
  committedOffset, createTopics, produce, query, randomName, sinkConfig, sinkTestContext, startSink, waitForRecords, type TestMessage,
} from './sink-helpers.js';

const ctx = sinkTestContext();
const child = fileURLToPath(new URL('./sink-crash-child.ts', import.meta.url));

function runUntilKilled(config: object): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    proc.on('error', reject);
    proc.on('exit', (_code, signal) => resolve({ signal, stdout }));
  });
}

describe('sink: crash after the PostgreSQL commit', () => {
  it('replays the committed-but-unacknowledged batch harmlessly', async () => {
    const prefix = randomName('crash');
    const topic = `${prefix}.public.customers`;
    const table = `${prefix}_public_customers`;
    await createTopics(ctx, [topic]);
    const messages: TestMessage[] = [];
    for (let i = 0; i < 60; i++) {
      const id = (i % 20) + 1;
      messages.push({ key: customerKey(id), value: changeEvent(i < 20 ? 'c' : 'u', null, { ...bob, id, name: `v${i}` }) });
    }
    for (const id of [3, 6, 9]) messages.push({ key: customerKey(id), value: changeEvent('d', { ...bob, id }, null) }, { key: customerKey(id), value: null });
    await produce(ctx, topic, messages);

    const groupId = randomName('crash_group');
    const config = sinkConfig(ctx, {
      topics: topic, 'group.id': groupId, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'delete.enabled': true,
      'schema.evolution': 'basic', 'batch.size': 40, 'session.timeout.ms': 6000,
    });
    const crashed = await runUntilKilled(config);
    expect(crashed.signal).toBe('SIGKILL');
    expect(crashed.stdout).toContain(`committed ${topic}/0 up to 39`);
    // The first 40 records are in the table, but Kafka never heard of it.
    expect(await committedOffset(ctx, groupId, topic)).toBe('-1');
    const afterCrash = await query(ctx, `SELECT id, name FROM "${table}" ORDER BY id`);
    expect(afterCrash).toHaveLength(20);
    expect(afterCrash[0]).toEqual({ id: 1, name: 'v20' });

    // Same consumer group: everything is read again, the first 40 records for the second time.
    const sink = await startSink(ctx, config);
    await waitForRecords(sink, messages.length);
    const expected = Array.from({ length: 20 }, (_, i) => i + 1)
      .filter((id) => ![3, 6, 9].includes(id))
      .map((id) => ({ id, name: `v${id + 39}` }));
    expect(await query(ctx, `SELECT id, name FROM "${table}" ORDER BY id`)).toEqual(expected);
    expect(await committedOffset(ctx, groupId, topic)).toBe(String(messages.length));
  });
});
