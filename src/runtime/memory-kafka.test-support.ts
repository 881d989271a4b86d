import { StreamsBuilder } from '../dsl/streams-builder.js';
import type { OutgoingRecord, StreamsError } from '../errors.js';
import { InMemoryKafka } from '../kafka/in-memory-kafka.js';
import type { ConsumedBatch, KafkaPort } from '../kafka/port.js';
import { Serdes } from '../serde/serdes.js';

// Shared by the runtime's unit tests (KafkaStreams, the stream loop): the in-memory Kafka and a word count.

/** The shared in-memory Kafka as the runtime's tests use it: the port, what the runtime did (`ops`) and the test's controls. */
export function memoryKafka(topics: Record<string, number>) {
  const kafka = new InMemoryKafka(topics);
  return {
    port: kafka as KafkaPort,
    ops: kafka.ops,
    created: kafka.created,
    /** Errors the next transaction commits throw, first to last. */
    commitFailures: kafka.commitFailures,
    committed: kafka.committed,
    /** The group metadata of every transactional sendOffsets, in order. */
    sentGroupMetadata: kafka.sentGroupMetadata,
    producers: () => kafka.producers.length,
    refuseRecords: (decide: (record: OutgoingRecord) => StreamsError | undefined) => kafka.refuseRecords(decide),
    log: (topic: string, partition: number) => kafka.log(topic, partition),
    append: (topic: string, partition: number, record: Parameters<InMemoryKafka['append']>[2]) => kafka.append(topic, partition, record),
    /** A new assignment in a new group generation (the first one is 3). */
    assign: (tps: { topic: string; partition: number }[]) => kafka.assign(tps),
    /** The member misses a generation (it was expelled and joins again later). */
    skipGeneration: () => kafka.skipGeneration(),
    batch: (batch: ConsumedBatch) => kafka.batch(batch),
  };
}

export function countTopology() {
  const b = new StreamsBuilder();
  b.stream('words', { key: Serdes.string(), value: Serdes.string() })
    .groupByKey()
    .count({ storeName: 'counts' })
    .toStream()
    .to('counts-out', { key: Serdes.string(), value: Serdes.long() });
  return b.build();
}

export const words = (topic: string, partition: number, first: number, keys: string[]): ConsumedBatch => ({
  topic,
  partition,
  highWatermark: first + keys.length,
  records: keys.map((k, i) => ({ offset: first + i, key: Buffer.from(k), value: Buffer.from(k), timestamp: 1000 + first + i, headers: {} })),
});
