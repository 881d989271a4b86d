// Compatibility contract, kafkajs 2.2.4 on Kafka 4.x: admin operations the runtime uses (internal topics are
// compacted changelogs with chosen partition counts; repartition topics are purged with delete-records).
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopics, deleteRecords } from '../../src/kafka/kafkajs-compat.js';
import { randomTopic, testServices } from '../env/services.js';

const { brokers } = testServices();
const kafka = new Kafka({ clientId: 'compat-admin', brokers, logLevel: logLevel.WARN });
const admin = kafka.admin();

beforeAll(async () => {
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
});

describe('kafkajs on Kafka 4.x: admin', () => {
  it('creates a compacted topic with a partition count and describes its configuration', async () => {
    const topic = randomTopic('changelog');
    const created = await createTopics(admin, {
      topics: [
        {
          topic,
          numPartitions: 3,
          replicationFactor: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'min.compaction.lag.ms', value: '100' },
          ],
        },
      ],
    });
    expect(created).toBe(true);

    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0]?.partitions).toHaveLength(3);

    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy', 'min.compaction.lag.ms'] }],
    });
    const entries = Object.fromEntries(
      (described.resources[0]?.configEntries ?? []).map((entry) => [entry.configName, entry.configValue]),
    );
    expect(entries).toEqual({ 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '100' });
    expect(await admin.listTopics()).toContain(topic);
  });

  it('creating an existing topic reports it instead of failing', async () => {
    const topic = randomTopic('existing');
    expect(await createTopics(admin, { topics: [{ topic, numPartitions: 2 }] })).toBe(true);
    expect(await createTopics(admin, { topics: [{ topic, numPartitions: 2 }] })).toBe(false);
  });

  async function topicWithTenRecords(prefix: string): Promise<string> {
    const topic = randomTopic(prefix);
    await createTopics(admin, { topics: [{ topic, numPartitions: 2 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, value: `v${i}` })),
    });
    await producer.disconnect();
    return topic;
  }

  it('deletes records below an offset, moving the low watermark (through deleteRecords)', async () => {
    const topic = await topicWithTenRecords('repartition');

    await deleteRecords(admin, topic, [{ partition: 0, offset: '6' }]);

    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.find((o) => o.partition === 0)).toMatchObject({ low: '6', high: '10' });
    expect(offsets.find((o) => o.partition === 1)).toMatchObject({ low: '0', high: '0' });
  });

  it('kafkajs deleteTopicRecords alone cannot find the leader of a topic the admin has not looked at (why deleteRecords exists)', async () => {
    const topic = await topicWithTenRecords('unseen');
    const freshAdmin = kafka.admin();
    await freshAdmin.connect();
    try {
      // Depending on what the admin's metadata cache holds: KafkaJSTopicMetadataNotLoaded, or a
      // KafkaJSDeleteTopicRecordsError whose partitions carry KafkaJSBrokerNotFound.
      await expect(freshAdmin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '6' }] })).rejects.toMatchObject({
        name: expect.stringMatching(/^KafkaJS(TopicMetadataNotLoaded|DeleteTopicRecordsError)$/),
      });
    } finally {
      await freshAdmin.disconnect();
    }
    expect((await admin.fetchTopicOffsets(topic)).find((o) => o.partition === 0)).toMatchObject({ low: '0', high: '10' });
  });

  it('deletes a topic', async () => {
    const topic = randomTopic('deleted');
    await createTopics(admin, { topics: [{ topic }] });
    await admin.deleteTopics({ topics: [topic] });
    expect(await admin.listTopics()).not.toContain(topic);
  });
});
