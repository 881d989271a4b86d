// Real Kafka: the grouped count with the record cache on (cacheMaxBytes), under at_least_once and
// exactly_once. Updates of a key between two commits are merged, so the output topic holds far fewer
// records than the input, and the last output per key and the store both hold the true count.
import { describe, expect, it } from 'vitest';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { AppProcess, appEnv, createTopics, kafkaSuite, produceWorkload, readCounts, sameCounts, seededRandom } from './streams-harness.js';

const apps: AppProcess[] = [];
const { brokers, kafka, admin } = kafkaSuite(() => Promise.all(apps.map((a) => a.kill())));

describe('KafkaStreams record cache on real Kafka', () => {
  for (const guarantee of ['at_least_once', 'exactly_once'] as const) {
    it(`${guarantee}: a cached grouped count emits a fraction of the updates and ends at the true counts`, async () => {
      const seed = Date.now() % 1_000_000;
      const random = seededRandom(seed);
      const input = randomTopic('cache_in');
      const output = randomTopic('cache_out');
      const total = 4000;
      await createTopics(admin, [
        { topic: input, partitions: 2 },
        { topic: output, partitions: 2 },
      ]);
      const truth = await produceWorkload(kafka, input, total, 12, random);
      const app = new AppProcess(
        appEnv({ brokers, applicationId: randomName('cache_app'), input, output, guarantee, instance: `cache-${guarantee}`, commitIntervalMs: 1000, cacheMaxBytes: 1024 * 1024 }),
      );
      apps.push(app);
      await app.waitForState('RUNNING');
      await waitFor(async () => sameCounts((await app.dump()).counts, truth), { timeoutMs: 120_000, intervalMs: 500, description: `store counts equal the true counts (seed ${seed})` });

      const reader = await readCounts(kafka, output, guarantee === 'exactly_once');
      try {
        await waitFor(() => sameCounts(reader.lastByKey(), truth), { timeoutMs: 60_000, intervalMs: 500, description: `last output per key equals the true count (seed ${seed})` });
      } finally {
        await reader.close();
      }
      let emitted = 0;
      for (const [key, n] of truth) {
        const values = reader.valuesByKey.get(key)!;
        emitted += values.length;
        // Without a crash each emitted count is later than the one before, and the last is the true count.
        expect(values.every((v, i) => i === 0 || v > values[i - 1]!), `counts of ${key} increase`).toBe(true);
        expect(values[values.length - 1]).toBe(n);
      }
      // Each commit forwards at most one count per key: far fewer than one output per input record.
      expect(emitted).toBeLessThan(total / 4);
      await app.kill();
    }, 240_000);
  }
});
