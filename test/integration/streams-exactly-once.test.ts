// Real Kafka, exactly_once: the grouped count (re-keyed through a repartition topic) in a child process
// killed twice with SIGKILL; a read_committed reader sees every count 1..n of every key exactly once, in order.
// Record caching is off (cacheMaxBytes 0): with it on, only some counts would be emitted.
import { describe, expect, it } from 'vitest';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { AppProcess, appEnv, createTopics, kafkaSuite, produceWorkload, randomKillPoint, readCounts, sameCounts, seededRandom } from './streams-harness.js';

const apps: AppProcess[] = [];
const { brokers, kafka, admin } = kafkaSuite(() => Promise.all(apps.map((a) => a.kill())));

describe('KafkaStreams exactly_once on real Kafka', () => {
  it('emits every count exactly once across two SIGKILLs', async () => {
    const seed = Date.now() % 1_000_000;
    const random = seededRandom(seed);
    const input = randomTopic('eos_in');
    const output = randomTopic('eos_out');
    const total = 100_000;
    await createTopics(admin, [
      { topic: input, partitions: 2 },
      { topic: output, partitions: 2 },
    ]);
    const truth = await produceWorkload(kafka, input, total, 300, random);
    const env = appEnv({ brokers, applicationId: randomName('eos_app'), input, output, guarantee: 'exactly_once', instance: 'eos-1', regroup: true, cacheMaxBytes: 0 });

    // Every input record is processed twice: once before and once after the repartition topic.
    for (const round of [1, 2]) {
      const app = new AppProcess(env);
      apps.push(app);
      const killAt = randomKillPoint(random, 2 * total, 0.1, 0.4);
      await waitFor(() => app.processed >= killAt || app.exitCode !== undefined, { timeoutMs: 150_000, description: `round ${round}: ${killAt} records processed (seed ${seed})` });
      expect(app.exitCode).toBeUndefined();
      await app.kill();
    }

    const last = new AppProcess(env);
    apps.push(last);
    await last.waitForState('RUNNING');
    await waitFor(async () => sameCounts((await last.dump()).counts, truth), { timeoutMs: 180_000, intervalMs: 500, description: `store counts equal the true counts (seed ${seed})` });

    const reader = await readCounts(kafka, output, true);
    try {
      await waitFor(() => sameCounts(reader.lastByKey(), truth), { timeoutMs: 60_000, intervalMs: 500, description: `last committed output per key equals the true count (seed ${seed})` });
    } finally {
      await reader.close();
    }
    for (const [key, n] of truth) {
      const values = reader.valuesByKey.get(key)!;
      expect(values, `counts of ${key}`).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    }
    await last.kill();
  }, 420_000);
});
