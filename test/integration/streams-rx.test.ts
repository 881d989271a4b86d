// Real Kafka, exactly_once: RxJS operators inside KStream.pipe(...). A bufferTime on stream time gives the same
// output as in the TopologyTestDriver for the same input; across a SIGKILL and restart, scanWithStore's per-key
// counts continue exactly (every count 1..n once, read_committed) while a plain RxJS scan starts over, and a
// plain bufferTime commits no record twice (but loses what its open buffer held).
import { fileURLToPath } from 'node:url';
import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/index.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { rxTopology } from './apps/rx-topology.js';
import { AppProcess, appEnv, createTopics, kafkaSuite, randomKillPoint, readCounts, seededRandom } from './streams-harness.js';

const RX_APP = fileURLToPath(new URL('./apps/rx-app.ts', import.meta.url));
const apps: AppProcess[] = [];
const { brokers, kafka, admin } = kafkaSuite(() => Promise.all(apps.map((a) => a.kill())));

interface Input {
  readonly key: string;
  readonly value: string;
  readonly timestamp: number;
}

/**
 * `count` records on 40 keys, 7 ms apart with some arriving up to 50 ms late (out of order), from now: the broker
 * deletes records whose timestamps are older than the topic's retention, however recently they were written.
 */
function workload(count: number, random: () => number): Input[] {
  const start = Date.now();
  const records: Input[] = [];
  for (let i = 0; i < count; i++) {
    const key = `key-${Math.floor(40 * random() * random())}`;
    const late = random() < 0.1 ? Math.floor(random() * 50) : 0;
    records.push({ key, value: key, timestamp: start + i * 7 - late });
  }
  return records;
}

async function produce(client: Kafka, topic: string, records: readonly Input[]): Promise<void> {
  const producer = client.producer();
  await producer.connect();
  try {
    for (let start = 0; start < records.length; start += 2000) {
      const messages = records.slice(start, start + 2000).map((r) => ({ key: r.key, value: r.value, timestamp: String(r.timestamp) }));
      await producer.send({ topic, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Reads a topic of string values read_committed, in order. */
async function readStrings(client: Kafka, topic: string): Promise<{ values: string[]; close: () => Promise<void> }> {
  const consumer = client.consumer({ groupId: randomName('reader'), readUncommitted: false });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
  return { values, close: () => consumer.disconnect() };
}

function driverTimedOutput(records: readonly Input[]): string[] {
  const driver = new TopologyTestDriver(rxTopology({ input: 'in', kept: 'kept', plain: 'plain', timed: 'timed' }), { initialWallClockTime: 0 });
  const input = driver.createInputTopic<string, string>('in', Serdes.string(), Serdes.string());
  for (const r of records) input.pipeInput(r.key, r.value, r.timestamp);
  const values = driver.createOutputTopic<string, string>('timed', Serdes.string(), Serdes.string()).readValuesToList() as string[];
  driver.close();
  return values;
}

describe('RxJS operators on real Kafka (exactly_once)', () => {
  it('bufferTime on stream time produces what the TopologyTestDriver produces for the same input', async () => {
    const seed = Date.now() % 1_000_000;
    const records = workload(3000, seededRandom(seed));
    const input = randomTopic('rx_in');
    const output = randomTopic('rx_out');
    await createTopics(admin, [input, `${output}-kept`, `${output}-plain`, `${output}-timed`].map((topic) => ({ topic, partitions: 1 })));
    await produce(kafka, input, records);
    const expected = driverTimedOutput(records);
    expect(expected.length).toBeGreaterThan(15);

    const app = new AppProcess(appEnv({ brokers, applicationId: randomName('rx_app'), input, output, guarantee: 'exactly_once', instance: 'rx-1', commitIntervalMs: 200 }), RX_APP);
    apps.push(app);
    const reader = await readStrings(kafka, `${output}-timed`);
    try {
      await waitFor(() => reader.values.length >= expected.length || app.exitCode !== undefined, { timeoutMs: 120_000, intervalMs: 250, description: `${expected.length} batches (seed ${seed})` });
      expect(reader.values).toEqual(expected);
    } finally {
      await reader.close();
    }
    await app.kill();
  }, 300_000);

  it('scanWithStore resumes exactly after a SIGKILL; a plain scan starts over', async () => {
    const seed = Date.now() % 1_000_000;
    const random = seededRandom(seed);
    const total = 30_000;
    const records = workload(total - 1, random);
    // A last record 10 s of stream time later closes every bufferTime period that holds a regular record.
    const lastRegular = records[records.length - 1]!;
    records.push({ key: lastRegular.key, value: lastRegular.value, timestamp: lastRegular.timestamp + 10_000 });
    const truth = new Map<string, number>();
    for (const r of records) truth.set(r.key, (truth.get(r.key) ?? 0) + 1);
    const input = randomTopic('rx_in');
    const output = randomTopic('rx_out');
    await createTopics(admin, [input, `${output}-kept`, `${output}-plain`, `${output}-timed`].map((topic) => ({ topic, partitions: 1 })));
    // The first 60% before the kill, the rest after: the app may be fast enough to finish what it was given before
    // it is killed, and the restart must still meet keys it had counted.
    const split = Math.floor(total * 0.6);
    await produce(kafka, input, records.slice(0, split));
    const env = appEnv({ brokers, applicationId: randomName('rx_app'), input, output, guarantee: 'exactly_once', instance: 'rx-1', commitIntervalMs: 200 });

    const first = new AppProcess(env, RX_APP);
    apps.push(first);
    const killAt = randomKillPoint(random, split, 0.1, 0.9);
    await waitFor(() => first.processed >= killAt || first.exitCode !== undefined, { timeoutMs: 120_000, description: `${killAt} records processed (seed ${seed})` });
    expect(first.exitCode).toBeUndefined();
    await first.kill();
    await produce(kafka, input, records.slice(split));

    const second = new AppProcess(env, RX_APP);
    apps.push(second);
    const kept = await readCounts(kafka, `${output}-kept`, true);
    const plain = await readCounts(kafka, `${output}-plain`, true);
    const timed = await readStrings(kafka, `${output}-timed`);
    try {
      const plainTotal = (): number => [...plain.valuesByKey.values()].reduce((n, vs) => n + vs.length, 0);
      const keptTotal = (): number => [...kept.valuesByKey.values()].reduce((n, vs) => n + vs.length, 0);
      await waitFor(
        () => {
          if (keptTotal() >= total || second.exitCode !== undefined) return true;
          throw new Error(`${keptTotal()} so far, plain ${plainTotal()}, app ${second.state ?? 'no state'}: ${second.stderr.slice(-500)}`);
        },
        { timeoutMs: 120_000, intervalMs: 500, description: `${total} store-backed counts (seed ${seed})` },
      );
      expect(second.exitCode, second.stderr.slice(-2000)).toBeUndefined();
      // Every count of every key exactly once, in order: nothing lost, nothing duplicated, nothing restarted.
      for (const [key, n] of truth) expect(kept.valuesByKey.get(key), `key ${key} (seed ${seed})`).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      expect(keptTotal()).toBe(total);

      await waitFor(() => plainTotal() >= total, { timeoutMs: 60_000, intervalMs: 500, description: `${total} plain counts (seed ${seed})` });
      // The plain scan emitted one count per record too, but started over at 1 after the restart.
      const plainLast = [...plain.lastByKey().values()].reduce((a, b) => a + b, 0);
      expect(plainLast).toBeLessThan(total);
      const restarted = [...plain.valuesByKey.values()].filter((vs) => vs.some((v, i) => i > 0 && v <= vs[i - 1]!));
      expect(restarted.length).toBeGreaterThan(0);

      // bufferTime across the SIGKILL: no record is in two committed batches (a batch commits with the offsets of
      // what it holds), but records held in the open buffer when the process died are lost (documented).
      await waitFor(() => timed.values.some((v) => v.endsWith(`-${lastRegular.timestamp}`)), { timeoutMs: 60_000, intervalMs: 500, description: `the batch closing at the last regular record (seed ${seed})` });
      const batched = timed.values.reduce((n, v) => n + Number(v.split(':')[0]), 0);
      expect(batched).toBeLessThanOrEqual(total - 1);
    } finally {
      await kept.close();
      await plain.close();
      await timed.close();
    }
    await second.kill();
  }, 300_000);
});
