// Real Kafka: a stream-stream left join over a backlog in which one input topic was produced in full before
// the other. A task must not run its clicks far ahead of its purchases (Kafka Streams' max.task.idle.ms
// readiness): with the default it waits for the purchases partition it knows has data on the broker, so no
// click that has a purchase comes out as a non-joined (click, null) result.
import { describe, expect, it } from 'vitest';
import { JoinWindows, KafkaStreams, Serdes, StreamsBuilder } from '../../src/index.js';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { createTopics, kafkaSuite, seededRandom } from './streams-harness.js';

const running: KafkaStreams[] = [];
const { brokers, kafka, admin } = kafkaSuite(() => Promise.all(running.map((app) => app.close())));

const PARTITIONS = 2;
/** Several fetches per partition (256 KiB each), so the clicks backlog cannot arrive in one go. */
const CLICKS = 24_000;
const CLICK_SPACING_MS = 10;
const PURCHASE_DELAY_MS = 5;
const JOIN_DIFFERENCE_MS = 100;

async function produce(topic: string, messages: { key: string; value: string; partition: number; timestamp: string }[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let start = 0; start < messages.length; start += 5_000) await producer.send({ topic, messages: messages.slice(start, start + 5_000) });
  } finally {
    await producer.disconnect();
  }
}

async function processedEverything(groupId: string, topics: string[]): Promise<boolean> {
  for (const topic of topics) {
    const [ends, [committed]] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    if (!ends.every((end) => committed!.partitions.find((c) => c.partition === end.partition)?.offset === end.high)) return false;
  }
  return true;
}

describe('a left join over a backlog produced one topic after the other (real Kafka)', () => {
  it('waits for the lagging input: no click that has a purchase is emitted without it', async () => {
    const seed = Date.now() % 1_000_000;
    const random = seededRandom(seed);
    const clicksTopic = randomTopic('idle_clicks');
    const purchasesTopic = randomTopic('idle_purchases');
    const out = randomTopic('idle_out');
    await createTopics(admin, [
      { topic: clicksTopic, partitions: PARTITIONS },
      { topic: purchasesTopic, partitions: PARTITIONS },
      { topic: out, partitions: PARTITIONS },
    ]);
    // Event time in the recent past: brokers reject timestamps far in the future and delete old ones.
    const base = Date.now() - 10 * 60_000;
    const clicks: { key: string; value: string; partition: number; timestamp: string }[] = [];
    const purchases: typeof clicks = [];
    const purchased = new Set<number>();
    for (let i = 0; i < CLICKS; i++) {
      const partition = i % PARTITIONS;
      clicks.push({ key: `u${i}`, value: `c${i}`, partition, timestamp: String(base + i * CLICK_SPACING_MS) });
      if (random() < 0.6) {
        purchased.add(i);
        purchases.push({ key: `u${i}`, value: `p${i}`, partition, timestamp: String(base + i * CLICK_SPACING_MS + PURCHASE_DELAY_MS) });
      }
    }
    // The whole clicks backlog first, then the purchases: a fetch of clicks never waits for purchases to exist.
    await produce(clicksTopic, clicks);
    await produce(purchasesTopic, purchases);

    const s = { key: Serdes.string(), value: Serdes.string() };
    const builder = new StreamsBuilder();
    builder
      .stream(clicksTopic, s)
      .leftJoin(builder.stream(purchasesTopic, s), (c, p) => `${c}+${p ?? 'null'}`, JoinWindows.ofTimeDifferenceAndGrace(JOIN_DIFFERENCE_MS, 0))
      .to(out, s);
    const app = new KafkaStreams(builder.build(), { applicationId: randomName('idle_app'), brokers });
    running.push(app);
    await app.start();
    await waitFor(() => processedEverything(app.applicationId, [clicksTopic, purchasesTopic]), {
      timeoutMs: 240_000,
      intervalMs: 500,
      description: `all clicks and purchases processed and committed (seed ${seed})`,
    });
    await app.close();

    const results: string[] = [];
    const consumer = kafka.consumer({ groupId: randomName('idle_reader') });
    await consumer.connect();
    await consumer.subscribe({ topics: [out], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void results.push(message.value!.toString()) });
    try {
      await waitFor(async () => results.length >= purchased.size, { timeoutMs: 60_000, intervalMs: 200, description: `at least ${purchased.size} join results read` });
      // Results still arriving are read too: a spurious one may come after the matches.
      const high = (await admin.fetchTopicOffsets(out)).reduce((n, p) => n + Number(p.high), 0);
      await waitFor(async () => results.length >= high, { timeoutMs: 60_000, intervalMs: 200, description: `all ${high} join results read` });
    } finally {
      await consumer.disconnect();
    }
    const spurious = results.filter((r) => r.endsWith('+null') && purchased.has(Number(r.slice(1, r.indexOf('+')))));
    const matched = new Set(results.filter((r) => !r.endsWith('+null')));
    const nonJoined = results.filter((r) => r.endsWith('+null'));
    expect(spurious, `clicks emitted without their purchase (seed ${seed})`).toEqual([]);
    expect(matched.size, `matched clicks (seed ${seed})`).toBe(purchased.size);
    expect([...purchased].filter((i) => !matched.has(`c${i}+p${i}`)), `purchased clicks without their match (seed ${seed})`).toEqual([]);
    // Clicks without a purchase come out non-joined once stream time passes their window.
    expect(nonJoined.length).toBeGreaterThan((CLICKS - purchased.size) / 2);
  }, 420_000);
});
