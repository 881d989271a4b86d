// Real Kafka, exactly_once, key-value stores on LMDB (defaultStoreType 'persistent') in a state directory of the
// test's own: a grouped count killed with SIGKILL and restarted on the same state directory. The lock the killed
// process left is taken over, the store is rebuilt from the changelog, and counts are exact in the store and
// in a read_committed read of the output.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { AppProcess, appEnv, createTopics, kafkaSuite, produceWorkload, randomKillPoint, readCounts, sameCounts, seededRandom } from './streams-harness.js';

const apps: AppProcess[] = [];
const { brokers, kafka, admin } = kafkaSuite(() => Promise.all(apps.map((a) => a.kill())));
const stateDir = mkdtempSync(join(tmpdir(), 'tributary-persistent-it-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe('KafkaStreams with persistent stores on real Kafka', () => {
  it('counts exactly across a SIGKILL and a restart on the same state directory', async () => {
    const seed = Date.now() % 1_000_000;
    const random = seededRandom(seed);
    const input = randomTopic('pkv_in');
    const output = randomTopic('pkv_out');
    const total = 50_000;
    await createTopics(admin, [
      { topic: input, partitions: 2 },
      { topic: output, partitions: 2 },
    ]);
    const truth = await produceWorkload(kafka, input, total, 300, random);
    const applicationId = randomName('pkv_app');
    const env = appEnv({ brokers, applicationId, input, output, guarantee: 'exactly_once', instance: 'pkv-1', commitIntervalMs: 200, stateDir, defaultStoreType: 'persistent' });

    const first = new AppProcess(env);
    apps.push(first);
    const killAt = randomKillPoint(random, total);
    await waitFor(() => first.processed >= killAt || first.exitCode !== undefined, { timeoutMs: 120_000, description: `${killAt} records processed (seed ${seed})` });
    expect(first.exitCode).toBeUndefined();
    // The task folders hold the LMDB stores and the lock of the running instance.
    const lock = join(stateDir, applicationId, '0_0', '.lock');
    expect(readFileSync(lock, 'utf8')).toMatch(/^\d+ pkv-1$/);
    expect(existsSync(join(stateDir, applicationId, '0_0', 'counts'))).toBe(true);
    await first.kill();

    const second = new AppProcess(env);
    apps.push(second);
    await second.waitForState('RUNNING');
    const restored = second.messages.filter((m) => m.type === 'restored').map((m) => m['records'] as number);
    expect(Math.max(...restored)).toBeGreaterThan(0);

    await waitFor(async () => sameCounts((await second.dump()).counts, truth), { timeoutMs: 120_000, intervalMs: 500, description: `store counts equal the true counts (seed ${seed})` });
    const reader = await readCounts(kafka, output, true);
    try {
      await waitFor(() => sameCounts(reader.lastByKey(), truth), { timeoutMs: 60_000, intervalMs: 500, description: `last committed output per key equals the true count (seed ${seed})` });
    } finally {
      await reader.close();
    }
    await second.kill();
  }, 300_000);
});
