// Real Kafka, exactly_once: the application's producer is fenced mid-stream by another producer with the same
// transactional id (as a transaction time-out or a restarted zombie would). The failed transaction is aborted,
// the producer re-created, input rewound to the committed offsets and the stores rebuilt from their changelogs;
// a read_committed reader sees every count 1..n of every key exactly once, in order, and the app keeps RUNNING.
import { describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, StreamsBuilder, type RecoveryInfo, type StreamsState } from '../../src/index.js';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { createTopics, kafkaSuite, produceWorkload, readCounts, sameCounts, seededRandom } from './streams-harness.js';

const running: KafkaStreams[] = [];
const { brokers, kafka, admin } = kafkaSuite(() => Promise.all(running.map((app) => app.close())));

function groupedCount(input: string, output: string) {
  const builder = new StreamsBuilder();
  builder
    .stream(input, { key: Serdes.string(), value: Serdes.string() })
    .groupBy((_, v) => v, { key: Serdes.string(), value: Serdes.string(), name: 'by-value' })
    .count({ storeName: 'counts' })
    .toStream()
    .to(output, { key: Serdes.string(), value: Serdes.long() });
  return builder.build();
}

describe('KafkaStreams exactly_once recovery on real Kafka', () => {
  it('recovers from a fenced producer mid-stream and still emits every count exactly once', async () => {
    const seed = Date.now() % 1_000_000;
    const random = seededRandom(seed);
    const input = randomTopic('eosr_in');
    const output = randomTopic('eosr_out');
    await createTopics(admin, [
      { topic: input, partitions: 2 },
      { topic: output, partitions: 2 },
    ]);
    const truth = await produceWorkload(kafka, input, 20_000, 200, random);

    const app = new KafkaStreams(groupedCount(input, output), { applicationId: randomName('eosr_app'), brokers, guarantee: 'exactly_once', instanceId: 'eosr-1' });
    running.push(app);
    const states: StreamsState[] = [];
    const recoveries: RecoveryInfo[] = [];
    app.on('state', (s) => states.push(s));
    app.on('recovered', (info) => recoveries.push(info));
    await app.start();
    await waitFor(() => app.processedRecords >= 10_000 || app.state === 'ERROR', { timeoutMs: 120_000, description: `10000 records processed (seed ${seed})` });
    expect(app.state).not.toBe('ERROR');

    // Another producer with the application's transactional id: its InitProducerId bumps the epoch, aborts the
    // application's open transaction and makes every later call of the application's producer fail as fenced.
    const fencer = kafka.producer({ transactionalId: `${app.applicationId}-${app.instanceId}`, idempotent: true, maxInFlightRequests: 1 });
    await fencer.connect();
    // kafkajs sends the transactional InitProducerId with the first transaction.
    await (await fencer.transaction()).abort();
    await fencer.disconnect();

    // More input after the fence, so the application must commit again with its fenced producer.
    const more = await produceWorkload(kafka, input, 20_000, 200, random);
    for (const [key, n] of more) truth.set(key, (truth.get(key) ?? 0) + n);

    await waitFor(() => app.state === 'ERROR' || sameCounts(new Map(app.store<string, number>('counts').all()), truth), {
      timeoutMs: 180_000,
      intervalMs: 500,
      description: `store counts equal the true counts (seed ${seed})`,
    });
    expect(app.error).toBeUndefined();
    expect(recoveries.length).toBeGreaterThan(0);
    expect(recoveries[0]!.kind).toBe('fenced');

    const reader = await readCounts(kafka, output, true);
    try {
      await waitFor(() => sameCounts(reader.lastByKey(), truth), { timeoutMs: 60_000, intervalMs: 500, description: `last committed output per key equals the true count (seed ${seed})` });
    } finally {
      await reader.close();
    }
    for (const [key, n] of truth) {
      expect(reader.valuesByKey.get(key), `counts of ${key} (seed ${seed})`).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    }
    expect(states).not.toContain('ERROR');
    expect(app.state).toBe('RUNNING');
    console.log(`exactly-once recovery: ${recoveries.length} recoveries (${recoveries.map((r) => r.kind).join(', ')}), seed ${seed}`);
    await app.close();
  }, 400_000);
});
