// Real Kafka, exactly_once, 4 partitions: a tumbling-window count and a left interval join over 50k records with
// out-of-order and late events give the same final results as the TopologyTestDriver fed with each partition's
// records in partition order. Stream time is per partition (per task), so one driver per partition is the exact
// comparison. Both join sides are branches of the one input topic, so the order in which a task sees left and
// right records is the partition order, in the driver as on the broker.
import { describe, expect, it } from 'vitest';
import { JoinWindows, KafkaStreams, Serdes, StreamsBuilder, TimeWindows, type Topology } from '../../src/index.js';
import { TopologyTestDriver } from '../../src/testing/index.js';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { createTopics, kafkaSuite, seededRandom } from './streams-harness.js';

const running: KafkaStreams[] = [];
const { brokers, kafka, admin } = kafkaSuite(() => Promise.all(running.map((app) => app.close())));

const PARTITIONS = 4;
const KEYS = 40;
const TOTAL = 50_000;
const WINDOW_MS = 1_000;
const WINDOW_GRACE_MS = 200;
const JOIN_DIFFERENCE_MS = 100;
const JOIN_GRACE_MS = 50;

interface InputRecord {
  readonly partition: number;
  readonly key: string;
  readonly value: string;
  readonly timestamp: number;
}

/**
 * Per-key windowed counts (output key `key@windowStart`) and the left join of `L…` records with `R…` records
 * of the same key (output value `left+right`, or `left+null` for a left record that found no right one).
 */
function windowsAndJoins(input: string, countsOut: string, joinsOut: string): Topology {
  const s = { key: Serdes.string(), value: Serdes.string() };
  const builder = new StreamsBuilder();
  const events = builder.stream(input, s);
  events
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, WINDOW_GRACE_MS))
    .count({ storeName: 'counts' })
    .toStream()
    .map((w, n): [string, number | null] => [`${w.key}@${w.window.start}`, n])
    .to(countsOut, { key: Serdes.string(), value: Serdes.long() });
  const lefts = events.filter((_k, v) => v.startsWith('L'));
  const rights = events.filter((_k, v) => v.startsWith('R'));
  lefts.leftJoin(rights, (l, r) => `${l}+${r ?? 'null'}`, JoinWindows.ofTimeDifferenceAndGrace(JOIN_DIFFERENCE_MS, JOIN_GRACE_MS)).to(joinsOut, s);
  return builder.build();
}

/**
 * `TOTAL` records over `KEYS` keys (key i on partition i mod 4), event time advancing 4 ms per record with up to
 * 300 ms of disorder, and 3% late records 1.5 to 5 s behind (past the window grace and the join window).
 */
function workload(seed: number, base: number): InputRecord[] {
  const random = seededRandom(seed);
  const records: InputRecord[] = [];
  for (let i = 0; i < TOTAL; i++) {
    const k = Math.floor(random() * KEYS);
    const late = random() < 0.03;
    const delay = late ? 1_500 + Math.floor(random() * 3_500) : Math.floor(random() * 300);
    const side = random() < 0.5 ? 'L' : 'R';
    records.push({ partition: k % PARTITIONS, key: `k${k}`, value: `${side}${i}`, timestamp: Math.max(base, base + i * 4 - delay) });
  }
  return records;
}

interface Results {
  /** Last count per `key@windowStart`. */
  readonly counts: Map<string, number>;
  /** Every join result as `key|value|timestamp`, sorted. */
  readonly joins: string[];
}

function expectedFromDrivers(topology: () => Topology, input: string, countsOut: string, joinsOut: string, records: readonly InputRecord[]): Results {
  const counts = new Map<string, number>();
  const joins: string[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const driver = new TopologyTestDriver(topology());
    try {
      const events = driver.createInputTopic(input, Serdes.string(), Serdes.string());
      const countsTopic = driver.createOutputTopic(countsOut, Serdes.string(), Serdes.long());
      const joinsTopic = driver.createOutputTopic(joinsOut, Serdes.string(), Serdes.string());
      for (const r of records) if (r.partition === p) events.pipeInput(r.key, r.value, r.timestamp);
      for (const r of countsTopic.readRecordsToList()) counts.set(r.key!, r.value!);
      for (const r of joinsTopic.readRecordsToList()) joins.push(`${r.key}|${r.value}|${r.timestamp}`);
    } finally {
      driver.close();
    }
  }
  return { counts, joins: joins.sort() };
}

async function produce(topic: string, records: readonly InputRecord[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let start = 0; start < records.length; start += 5_000) {
      const messages = records.slice(start, start + 5_000).map((r) => ({ key: r.key, value: r.value, partition: r.partition, timestamp: String(r.timestamp) }));
      await producer.send({ topic, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Reads both output topics (read_committed) from the beginning for as long as it runs. */
async function readResults(countsTopic: string, joinsTopic: string) {
  const consumer = kafka.consumer({ groupId: randomName('reader'), readUncommitted: false });
  const counts = new Map<string, number>();
  const joins: string[] = [];
  const long = Serdes.long();
  await consumer.connect();
  await consumer.subscribe({ topics: [countsTopic, joinsTopic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const key = message.key!.toString();
      if (topic === countsTopic) counts.set(key, long.deserialize(message.value!, topic));
      else joins.push(`${key}|${message.value!.toString()}|${message.timestamp}`);
    },
  });
  return { counts, joins, close: () => consumer.disconnect() };
}

function sameResults(actual: Results, expected: Results): boolean {
  if (actual.counts.size !== expected.counts.size || actual.joins.length !== expected.joins.length) return false;
  for (const [k, v] of expected.counts) if (actual.counts.get(k) !== v) return false;
  return actual.joins.every((j, i) => j === expected.joins[i]);
}

async function processedEverything(groupId: string, topic: string): Promise<boolean> {
  const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  return ends.every((end) => committed!.partitions.find((c) => c.partition === end.partition)?.offset === end.high);
}

describe('windows and joins on real Kafka (KafkaStreams, exactly_once, 4 partitions)', () => {
  it('give the final results of one TopologyTestDriver per partition fed in partition order', async () => {
    const seed = Date.now() % 1_000_000;
    const input = randomTopic('wj_in');
    const countsOut = randomTopic('wj_counts');
    const joinsOut = randomTopic('wj_joins');
    await createTopics(admin, [
      { topic: input, partitions: PARTITIONS },
      { topic: countsOut, partitions: PARTITIONS },
      { topic: joinsOut, partitions: PARTITIONS },
    ]);
    // Event time lies in the recent past: brokers reject timestamps far in the future and delete old ones.
    const records = workload(seed, Date.now() - 10 * 60_000);
    expect(records.filter((r, i) => i > 0 && r.timestamp < records[i - 1]!.timestamp).length).toBeGreaterThan(TOTAL / 3);
    const topology = () => windowsAndJoins(input, countsOut, joinsOut);
    const expected = expectedFromDrivers(topology, input, countsOut, joinsOut, records);
    // The workload exercises what it should: matches, non-joined left records, windows updated by late records.
    expect(expected.joins.filter((j) => j.includes('+null|')).length).toBeGreaterThan(100);
    expect(expected.joins.filter((j) => !j.includes('+null|')).length).toBeGreaterThan(1_000);
    expect(expected.counts.size).toBeGreaterThan(1_000);

    await produce(input, records);
    const app = new KafkaStreams(topology(), { applicationId: randomName('wj_app'), brokers, guarantee: 'exactly_once' });
    running.push(app);
    await app.start();
    await waitFor(() => processedEverything(app.applicationId, input), { timeoutMs: 240_000, intervalMs: 500, description: `all ${TOTAL} input records processed and committed (seed ${seed})` });

    const reader = await readResults(countsOut, joinsOut);
    try {
      const actual = (): Results => ({ counts: reader.counts, joins: [...reader.joins].sort() });
      await waitFor(() => sameResults(actual(), expected), { timeoutMs: 60_000, intervalMs: 500, description: `committed outputs equal the drivers' (seed ${seed})` }).catch(() => undefined);
      const got = actual();
      expect(got.counts.size, `windows (seed ${seed})`).toBe(expected.counts.size);
      expect(new Map([...got.counts].sort()), `final count per window (seed ${seed})`).toEqual(new Map([...expected.counts].sort()));
      expect(got.joins, `join results (seed ${seed})`).toEqual(expected.joins);
    } finally {
      await reader.close();
    }
    await app.close();
  }, 420_000);
});
