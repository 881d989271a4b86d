// Compatibility contract, kafkajs 2.2.4 on Kafka 4.x: produce and consume.
import { Kafka, logLevel } from 'kafkajs';
import { createTopics } from '../../src/kafka/kafkajs-compat.js';
import { afterAll, describe, expect, it } from 'vitest';
import { randomName, randomTopic, testServices, waitFor } from '../env/services.js';

const { brokers } = testServices();
const kafka = new Kafka({ clientId: 'compat-produce-consume', brokers, logLevel: logLevel.WARN });
const admin = kafka.admin();

afterAll(async () => {
  await admin.disconnect();
});

describe('kafkajs on Kafka 4.x: produce and consume', () => {
  it('consumes from the beginning what was produced, with keys, headers and per-partition order', async () => {
    const topic = randomTopic('produce_consume');
    await admin.connect();
    await createTopics(admin, { topics: [{ topic, numPartitions: 3 }] });

    const producer = kafka.producer();
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => ({
      key: `key-${i % 5}`,
      value: `value-${i}`,
      headers: { seq: String(i) },
    }));
    await producer.send({ topic, messages: sent });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: randomName('group') });
    const received: { key: string; value: string; seq: string; partition: number }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        received.push({
          key: message.key?.toString() ?? '',
          value: message.value?.toString() ?? '',
          seq: message.headers?.['seq']?.toString() ?? '',
          partition,
        });
      },
    });
    try {
      await waitFor(() => received.length >= sent.length, { description: 'all 30 records' });
    } finally {
      await consumer.disconnect();
    }

    expect(received.map((r) => r.value).sort()).toEqual(sent.map((m) => m.value).sort());
    for (const record of received) expect(record.value).toBe(`value-${record.seq}`);
    // Same key, same partition, in the order produced.
    for (let k = 0; k < 5; k += 1) {
      const ofKey = received.filter((r) => r.key === `key-${k}`);
      expect(new Set(ofKey.map((r) => r.partition)).size).toBe(1);
      expect(ofKey.map((r) => Number(r.seq))).toEqual([...ofKey.map((r) => Number(r.seq))].sort((a, b) => a - b));
    }
  });
});
