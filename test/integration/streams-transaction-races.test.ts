// Real Kafka, exactly_once with commits back to back: kafkajs meets CONCURRENT_TRANSACTIONS when a
// transaction starts while the markers of the previous one are still being written (and does not retry it
// for sendOffsets); the adapter's retry absorbs it and the application keeps running.
import { describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, StreamsBuilder, isConcurrentTransactions, kafkajsAdapter } from '../../src/index.js';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { createTopics, kafkaSuite } from './streams-harness.js';

const running: KafkaStreams[] = [];
const { brokers, kafka, admin } = kafkaSuite(() => Promise.all(running.map((app) => app.close())));

describe('KafkaStreams exactly_once with back-to-back transactions', () => {
  it('commits small transactions back to back, most holding only offsets, without failing', async () => {
    const input = randomTopic('race_in');
    const output = randomTopic('race_out');
    await createTopics(admin, [
      { topic: input, partitions: 2 },
      { topic: output, partitions: 1 },
    ]);
    let concurrentTransactionRetries = 0;
    const port = kafkajsAdapter({
      brokers,
      retry: { onRetry: (error) => void (isConcurrentTransactions(error) && concurrentTransactionRetries++) },
    });
    const builder = new StreamsBuilder();
    // Nine records in ten are filtered out: their transactions carry consumer offsets and nothing else.
    builder
      .stream(input, { key: Serdes.string(), value: Serdes.string() })
      .filter((_, v) => Number(v) % 10 === 0)
      .to(output, { key: Serdes.string(), value: Serdes.string() });
    const app = new KafkaStreams(builder.build(), { applicationId: randomName('race_app'), kafka: port, guarantee: 'exactly_once', commitIntervalMs: 1, instanceId: 'race-1' });
    running.push(app);
    const states: string[] = [];
    app.on('state', (s) => states.push(s));
    let commits = 0;
    app.on('commit', () => commits++);
    await app.start();
    await waitFor(() => app.state === 'RUNNING', { timeoutMs: 60_000, description: 'RUNNING' });

    const producer = kafka.producer();
    await producer.connect();
    // One record per request, so the application sees many small batches and commits after each; go on
    // until the race showed up a few times and a few dozen transactions committed (how many records a
    // transaction holds depends on how long the previous commit took, so a record count alone does not
    // guarantee that; bounded: both show up within a few hundred records).
    let total = 0;
    try {
      while ((concurrentTransactionRetries < 3 || commits < 30 || total < 300) && total < 3000) {
        await producer.send({ topic: input, messages: [{ key: `k${total % 7}`, value: String(total), partition: total % 2 }] });
        total++;
      }
      while (total % 10 !== 0) {
        await producer.send({ topic: input, messages: [{ key: `k${total % 7}`, value: String(total), partition: total % 2 }] });
        total++;
      }
    } finally {
      await producer.disconnect();
    }

    const reader = kafka.consumer({ groupId: randomName('race_reader'), readUncommitted: false });
    const values: string[] = [];
    await reader.connect();
    await reader.subscribe({ topic: output, fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
    try {
      await waitFor(() => values.length >= total / 10, { timeoutMs: 120_000, description: `${total / 10} committed outputs` });
      await waitFor(
        async () => {
          const [offsets] = await admin.fetchOffsets({ groupId: app.applicationId, topics: [input] });
          return offsets!.partitions.reduce((n, p) => n + Number(p.offset), 0) === total;
        },
        { timeoutMs: 60_000, description: 'all input offsets committed' },
      );
    } finally {
      await reader.disconnect();
    }
    expect([...values].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: total / 10 }, (_, i) => String(i * 10)));
    expect(states).not.toContain('ERROR');
    expect(app.state).toBe('RUNNING');
    expect(commits).toBeGreaterThan(10);
    console.log(`back-to-back transactions: ${commits} commits, ${concurrentTransactionRetries} CONCURRENT_TRANSACTIONS retries`);
    expect(concurrentTransactionRetries).toBeGreaterThan(0);
    await app.close();
  });
});
