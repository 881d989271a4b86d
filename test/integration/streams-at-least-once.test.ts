// Real Kafka, at_least_once: a grouped count in a child process killed with SIGKILL at a random point and
// restarted; the final count per key in the output topic and in the (restored) store equal the true counts.
import { describe, expect, it } from 'vitest';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { AppProcess, appEnv, createTopics, kafkaSuite, produceWorkload, randomKillPoint, readCounts, sameCounts, seededRandom } from './streams-harness.js';

const apps: AppProcess[] = [];
const { brokers, kafka, admin } = kafkaSuite(() => Promise.all(apps.map((a) => a.kill())));

describe('KafkaStreams at_least_once on real Kafka', () => {
  it('counts 100k records exactly per key across a SIGKILL and restart', async () => {
    const seed = Date.now() % 1_000_000;
    const random = seededRandom(seed);
    const input = randomTopic('alos_in');
    const output = randomTopic('alos_out');
    const total = 100_000;
    await createTopics(admin, [
      { topic: input, partitions: 2 },
      { topic: output, partitions: 2 },
    ]);
    const truth = await produceWorkload(kafka, input, total, 300, random);
    const env = appEnv({ brokers, applicationId: randomName('alos_app'), input, output, guarantee: 'at_least_once', instance: 'alos-1', commitIntervalMs: 200 });

    const first = new AppProcess(env);
    apps.push(first);
    const killAt = randomKillPoint(random, total);
    await waitFor(() => first.processed >= killAt || first.exitCode !== undefined, { timeoutMs: 120_000, description: `${killAt} records processed (seed ${seed})` });
    expect(first.exitCode).toBeUndefined();
    await first.kill();

    const second = new AppProcess(env);
    apps.push(second);
    await second.waitForState('RUNNING');
    const restored = second.messages.filter((m) => m.type === 'restored').map((m) => m['records'] as number);
    expect(Math.max(...restored)).toBeGreaterThan(0);

    await waitFor(async () => sameCounts((await second.dump()).counts, truth), { timeoutMs: 120_000, intervalMs: 500, description: `store counts equal the true counts (seed ${seed})` });
    const reader = await readCounts(kafka, output, false);
    try {
      await waitFor(() => sameCounts(reader.lastByKey(), truth), { timeoutMs: 60_000, intervalMs: 500, description: `last output per key equals the true count (seed ${seed})` });
    } finally {
      await reader.close();
    }
    const dump = await second.dump();
    expect(dump.tasks).toEqual(['0_0', '0_1']);
    expect([...dump.counts.values()].reduce((a, b) => a + b, 0)).toBe(total);
    await second.kill();
  }, 300_000);
});
