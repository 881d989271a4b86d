// Compatibility contract, kafkajs 2.2.4 on Kafka 4.x: a consumer group of two members sharing partitions,
// rebalancing when one leaves (classic group protocol, which kafkajs speaks).
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { createTopics } from '../../src/kafka/kafkajs-compat.js';
import { afterAll, describe, expect, it } from 'vitest';
import { randomName, randomTopic, testServices, waitFor } from '../env/services.js';

const { brokers } = testServices();
const kafka = new Kafka({ clientId: 'compat-group', brokers, logLevel: logLevel.WARN });
const admin = kafka.admin();

afterAll(async () => {
  await admin.disconnect();
});

interface Member {
  consumer: Consumer;
  /** Partitions of the latest assignment. */
  assigned: number[];
  values: string[];
}

async function joinMember(groupId: string, topic: string): Promise<Member> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500, rebalanceTimeout: 10_000 });
  const member: Member = { consumer, assigned: [], values: [] };
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    member.assigned = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      member.values.push(message.value?.toString() ?? '');
    },
  });
  return member;
}

async function produceToEveryPartition(topic: string, partitions: number, prefix: string): Promise<string[]> {
  const producer = kafka.producer();
  await producer.connect();
  const values: string[] = [];
  const messages = [];
  for (let partition = 0; partition < partitions; partition += 1) {
    for (let i = 0; i < 3; i += 1) {
      const value = `${prefix}-p${partition}-${i}`;
      values.push(value);
      messages.push({ partition, value });
    }
  }
  await producer.send({ topic, messages });
  await producer.disconnect();
  return values;
}

describe('kafkajs on Kafka 4.x: consumer group', () => {
  it('splits the partitions between two members and gives all to the one left after the other leaves', async () => {
    const topic = randomTopic('group');
    const groupId = randomName('group');
    const partitions = 4;
    await admin.connect();
    await createTopics(admin, { topics: [{ topic, numPartitions: partitions }] });

    const a = await joinMember(groupId, topic);
    const b = await joinMember(groupId, topic);
    try {
      await waitFor(
        () => a.assigned.length > 0 && b.assigned.length > 0 && a.assigned.length + b.assigned.length === partitions,
        { description: 'both members to hold partitions' },
      );
      expect([...a.assigned, ...b.assigned].sort((x, y) => x - y)).toEqual([0, 1, 2, 3]);

      const first = await produceToEveryPartition(topic, partitions, 'first');
      await waitFor(() => a.values.length + b.values.length >= first.length, { description: 'first batch consumed' });
      expect([...a.values, ...b.values].sort()).toEqual([...first].sort());
      expect(a.values.length).toBeGreaterThan(0);
      expect(b.values.length).toBeGreaterThan(0);

      await b.consumer.disconnect();
      await waitFor(() => a.assigned.length === partitions, { description: 'the remaining member to hold all partitions' });

      const before = a.values.length;
      const second = await produceToEveryPartition(topic, partitions, 'second');
      await waitFor(() => a.values.length - before >= second.length, { description: 'second batch consumed by the remaining member' });
      expect(a.values.slice(before).sort()).toEqual([...second].sort());
    } finally {
      await Promise.allSettled([a.consumer.disconnect(), b.consumer.disconnect()]);
    }
  });
});
