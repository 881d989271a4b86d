// Kafka helpers of the benchmark driver: topics, bulk production, and a collector of a topic's output.
import { Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';

export function kafkaClient(brokers: readonly string[], clientId = 'bench'): Kafka {
  return new Kafka({ clientId, brokers: [...brokers], logLevel: logLevel.NOTHING });
}

export async function createTopic(admin: Admin, topic: string, partitions: number, configs: Record<string, string> = {}): Promise<void> {
  await admin.createTopics({
    topics: [{ topic, numPartitions: partitions, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
    waitForLeaders: false,
  });
  // Polled here rather than with waitForLeaders, whose metadata check fails outright on a topic that is not
  // yet known to the broker answering it.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitionsReady = metadata.topics[0]?.partitions ?? [];
      if (partitionsReady.length === partitions && partitionsReady.every((p) => p.leader >= 0)) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topic ${topic} has no leaders after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Produces records as fast as one kafkajs producer goes (several batches in flight). */
export async function produceAll(kafka: Kafka, topic: string, records: readonly { key: Buffer; value: Buffer }[], batch = 5000, inFlight = 4): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const pending = new Set<Promise<unknown>>();
    for (let start = 0; start < records.length; start += batch) {
      const p = producer.send({ topic, acks: 1, messages: records.slice(start, start + batch) as { key: Buffer; value: Buffer }[] });
      pending.add(p);
      void p.finally(() => pending.delete(p)).catch(() => undefined);
      if (pending.size >= inFlight) await Promise.race(pending);
    }
    await Promise.all(pending);
  } finally {
    await producer.disconnect();
  }
}

export interface Collected {
  key: string;
  value: string;
  /** The broker's append time (the output topic uses LogAppendTime). */
  appendTime: number;
  /** When this consumer received it (committed, visible). */
  receivedAt: number;
}

/** Reads a topic from the beginning (read_committed) and hands every record to `onRecord`. */
export async function collect(kafka: Kafka, topic: string, onRecord: (r: Collected) => void): Promise<Consumer> {
  // A short broker wait: disconnecting waits for the fetch in flight.
  const consumer = kafka.consumer({ groupId: `${topic}-collector`, maxBytes: 32 << 20, maxBytesPerPartition: 8 << 20, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let joined!: () => void;
  const ready = new Promise<void>((resolve) => (joined = resolve));
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.run({
    partitionsConsumedConcurrently: 8,
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const m of batch.messages) onRecord({ key: m.key?.toString() ?? '', value: m.value?.toString() ?? '', appendTime: Number(m.timestamp), receivedAt: now });
    },
  });
  await ready;
  return consumer;
}
