// Real Kafka, exactly_once: an instance stalls (SIGSTOP) past its session timeout with processed but
// uncommitted records, another instance takes its tasks and finishes the input; then the stalled one wakes
// up (SIGCONT). Its transactional offsets carry its old group generation, so the group coordinator refuses
// them until it has rejoined, and a read_committed reader sees every count 1..n of every key exactly once.
import { describe, expect, it } from 'vitest';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { AppProcess, appEnv, createTopics, kafkaSuite, produceWorkload, randomKillPoint, readCounts, sameCounts, seededRandom } from './streams-harness.js';

const apps: AppProcess[] = [];
const { brokers, kafka, admin } = kafkaSuite(() => Promise.all(apps.map((a) => a.kill())));

describe('KafkaStreams exactly_once with a stalled instance on real Kafka', () => {
  it('a stalled instance whose tasks moved to another cannot commit them when it wakes up', async () => {
    const seed = Date.now() % 1_000_000;
    const random = seededRandom(seed);
    const input = randomTopic('zombie_in');
    const output = randomTopic('zombie_out');
    const total = 40_000;
    await createTopics(admin, [
      { topic: input, partitions: 2 },
      { topic: output, partitions: 2 },
    ]);
    const truth = await produceWorkload(kafka, input, total, 200, random);
    const common = { brokers, applicationId: randomName('zombie_app'), input, output, guarantee: 'exactly_once' as const, sessionTimeoutMs: 6000, commitIntervalMs: 1000 };

    const zombie = new AppProcess(appEnv({ ...common, instance: 'zombie' }));
    apps.push(zombie);
    const stallAt = randomKillPoint(random, total, 0.1, 0.4);
    await waitFor(() => zombie.processed >= stallAt || zombie.exitCode !== undefined, { timeoutMs: 150_000, description: `${stallAt} records processed (seed ${seed})` });
    expect(zombie.exitCode).toBeUndefined();
    // Part way into the next commit interval: the stalled instance holds records processed since its last commit.
    await new Promise((resolve) => setTimeout(resolve, 200 + Math.floor(random() * 600)));
    zombie.child.kill('SIGSTOP');

    const successor = new AppProcess(appEnv({ ...common, instance: 'successor' }));
    apps.push(successor);
    await successor.waitForState('RUNNING', 180_000);
    await waitFor(async () => sameCounts((await successor.dump()).counts, truth), { timeoutMs: 180_000, intervalMs: 500, description: `successor's counts equal the true counts (seed ${seed})` });

    const woken = zombie.messages.length;
    zombie.child.kill('SIGCONT');
    // Rejoined: the two instances share the tasks (until then the woken one may rebuild its old tasks and
    // try to commit them, which the group coordinator refuses).
    await waitFor(
      async () => {
        if (zombie.exitCode !== undefined) throw new Error(`woken instance exited: ${zombie.stderr.slice(-2000)}`);
        const [z, s] = await Promise.all([zombie.dump(), successor.dump()]);
        return z.state === 'RUNNING' && s.state === 'RUNNING' && z.tasks.length === 1 && s.tasks.length === 1 && z.tasks[0] !== s.tasks[0];
      },
      { timeoutMs: 180_000, intervalMs: 500, description: `the woken instance to rejoin and share the tasks (seed ${seed})` },
    );
    const recoveries = zombie.messages.slice(woken).filter((m) => m.type === 'recovered').map((m) => m['kind']);
    const reader = await readCounts(kafka, output, true);
    try {
      await waitFor(() => sameCounts(reader.lastByKey(), truth), { timeoutMs: 120_000, intervalMs: 500, description: `last committed output per key equals the true count (seed ${seed})` });
    } finally {
      await reader.close();
    }
    for (const [key, n] of truth) {
      expect(reader.valuesByKey.get(key), `counts of ${key} (seed ${seed}; recoveries of the woken instance: ${recoveries.join(', ') || 'none'})`).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    }
  }, 600_000);
});
