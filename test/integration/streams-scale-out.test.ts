// Real Kafka, scale-out: two instances share a 4-partition input; one is killed with SIGKILL; the survivor
// takes its tasks, restores their stores from the changelog, keeps its own tasks without a restore, and the
// final counts are exact.
import { describe, expect, it } from 'vitest';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { AppProcess, appEnv, createTopics, kafkaSuite, produceWorkload, randomKillPoint, readCounts, sameCounts, seededRandom } from './streams-harness.js';

const apps: AppProcess[] = [];
const { brokers, kafka, admin } = kafkaSuite(() => Promise.all(apps.map((a) => a.kill())));

describe('KafkaStreams scale-out on real Kafka', () => {
  it('splits the tasks over two instances and moves them, with their state, when one dies', async () => {
    const seed = Date.now() % 1_000_000;
    const random = seededRandom(seed);
    const input = randomTopic('scale_in');
    const output = randomTopic('scale_out');
    const total = 60_000;
    await createTopics(admin, [
      { topic: input, partitions: 4 },
      { topic: output, partitions: 4 },
    ]);
    const common = { brokers, applicationId: randomName('scale_app'), input, output, guarantee: 'at_least_once' as const, sessionTimeoutMs: 6000, commitIntervalMs: 200 };
    const a = new AppProcess(appEnv({ ...common, instance: 'a' }));
    apps.push(a);
    await a.waitForState('RUNNING');
    const b = new AppProcess(appEnv({ ...common, instance: 'b' }));
    apps.push(b);
    await waitFor(async () => (await a.dump()).tasks.length === 2 && (await b.dump()).tasks.length === 2, { timeoutMs: 90_000, description: 'two tasks on each instance' });
    const tasksOfB = (await b.dump()).tasks;
    const tasksOfA = (await a.dump()).tasks;
    expect([...(await a.dump()).tasks, ...tasksOfB].sort()).toEqual(['0_0', '0_1', '0_2', '0_3']);

    const truth = await produceWorkload(kafka, input, total, 200, random);
    const killAt = randomKillPoint(random, total / 2, 0.2, 0.8);
    await waitFor(() => b.processed >= killAt, { timeoutMs: 120_000, description: `instance b processed ${killAt} records (seed ${seed})` });
    const messagesBeforeKill = a.messages.length;
    await b.kill();

    await waitFor(async () => (await a.dump()).tasks.length === 4, { timeoutMs: 90_000, description: 'survivor owns all four tasks' });
    const restoredAfterKill = a.messages.slice(messagesBeforeKill).filter((m) => m.type === 'restored');
    for (const task of tasksOfB) {
      const restored = restoredAfterKill.filter((m) => m['task'] === task).map((m) => m['records'] as number);
      expect(Math.max(0, ...restored), `records restored for moved task ${task}`).toBeGreaterThan(0);
    }
    // The survivor's own tasks stay through the rebalance with their state: nothing of theirs is restored.
    expect(restoredAfterKill.filter((m) => tasksOfA.includes(m['task'] as string)).map((m) => m['task'])).toEqual([]);

    await waitFor(async () => sameCounts((await a.dump()).counts, truth), { timeoutMs: 120_000, intervalMs: 500, description: `survivor's store equals the true counts (seed ${seed})` });
    const reader = await readCounts(kafka, output, false);
    try {
      await waitFor(() => sameCounts(reader.lastByKey(), truth), { timeoutMs: 60_000, intervalMs: 500, description: `last output per key equals the true count (seed ${seed})` });
    } finally {
      await reader.close();
    }
  }, 300_000);
});
