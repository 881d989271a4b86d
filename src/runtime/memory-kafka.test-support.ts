import { StreamsBuilder } from '../dsl/streams-builder.js';
import type { OutgoingRecord, StreamsError } from '../errors.js';
import { ALL_DELIVERED, type ConsumedBatch, type ConsumerHandlers, type GroupMetadata, type KafkaPort, type NewTopic, type RejectedRecord, type SendReport, type TopicPartitionOffset } from '../kafka/port.js';
import { Serdes } from '../serde/serdes.js';

// Shared by the runtime's unit tests (KafkaStreams, the stream loop): an in-memory Kafka and a word count.

/** An in-memory Kafka port that records what the runtime does, in order. */
export function memoryKafka(topics: Record<string, number>) {
  const logs = new Map<string, OutgoingRecord[]>();
  const partitions = new Map(Object.entries(topics));
  const ops: string[] = [];
  const created: NewTopic[] = [];
  let handlers: ConsumerHandlers | undefined;
  /** Errors the next transaction commits throw, first to last. */
  const commitFailures: unknown[] = [];
  const committed = new Map<string, TopicPartitionOffset>();
  /** The group metadata of every transactional sendOffsets, in order. */
  const sentGroupMetadata: (GroupMetadata | undefined)[] = [];
  /** The group generation of the last assignment (the first one is 3). */
  let generationId = 2;
  let producers = 0;
  const log = (topic: string, partition: number): OutgoingRecord[] => {
    const key = `${topic}/${partition}`;
    let l = logs.get(key);
    if (l === undefined) logs.set(key, (l = []));
    return l;
  };
  const append = (records: readonly OutgoingRecord[]): void => {
    for (const r of records) log(r.topic, r.partition ?? 0).push(r);
  };
  /** Decides which records a send refuses one by one (as a producer refuses a record over its size limit). */
  let refuse: (record: OutgoingRecord) => StreamsError | undefined = () => undefined;
  const screen = (records: readonly OutgoingRecord[]): { accepted: OutgoingRecord[]; report: SendReport } => {
    const accepted: OutgoingRecord[] = [];
    const rejected: RejectedRecord[] = [];
    for (const record of records) {
      const error = refuse(record);
      if (error === undefined) accepted.push(record);
      else rejected.push({ record, error });
    }
    return { accepted, report: rejected.length === 0 ? ALL_DELIVERED : { rejected } };
  };
  const port: KafkaPort = {
    admin: async () => ({
      createTopics: async (ts) => {
        for (const t of ts) {
          created.push(t);
          partitions.set(t.topic, t.partitions);
        }
      },
      partitionCounts: async (names) => new Map(names.filter((n) => partitions.has(n)).map((n) => [n, partitions.get(n)!])),
      offsets: async (topic) => Array.from({ length: partitions.get(topic) ?? 0 }, (_, p) => ({ partition: p, low: 0, high: log(topic, p).length })),
      committedOffsets: async (_group, names) => [...committed.values()].filter((o) => names.includes(o.topic)),
      deleteRecords: async (topic, ps) => void ops.push(`deleteRecords ${topic} ${JSON.stringify(ps)}`),
      close: async () => undefined,
    }),
    consumer: () => ({
      run: async (_topics, h) => {
        handlers = h;
      },
      commit: async (offsets) => {
        ops.push(`commit ${JSON.stringify(offsets)}`);
        for (const o of offsets) committed.set(`${o.topic}/${o.partition}`, o);
      },
      seek: (positions) => void ops.push(`seek ${JSON.stringify(positions)}`),
      pause: (tps) => void ops.push(`pause ${tps.map((tp) => `${tp.topic}-${tp.partition}`).join(',')}`),
      resume: (tps) => void ops.push(`resume ${tps.map((tp) => `${tp.topic}-${tp.partition}`).join(',')}`),
      close: async () => void ops.push('consumer close'),
      groupMetadata: () => ({ generationId, memberId: 'member-1' }),
    }),
    producer: async (options) => (producers++, {
      send: async (records) => {
        ops.push(`send ${[...new Set(records.map((r) => r.topic))].join(',')}`);
        const { accepted, report } = screen(records);
        append(accepted);
        return report;
      },
      beginTransaction: async () => {
        ops.push(`begin ${options?.transactionalId}`);
        const pending: OutgoingRecord[] = [];
        const pendingOffsets: TopicPartitionOffset[] = [];
        return {
          send: async (records) => {
            if (records.length > 0) ops.push(`txn send ${[...new Set(records.map((r) => r.topic))].join(',')}`);
            const { accepted, report } = screen(records);
            pending.push(...accepted);
            return report;
          },
          sendOffsets: async (groupId, offsets: readonly TopicPartitionOffset[], groupMetadata) => {
            ops.push(`txn offsets ${groupId} ${JSON.stringify(offsets)}`);
            sentGroupMetadata.push(groupMetadata);
            pendingOffsets.push(...offsets);
          },
          commit: async () => {
            if (commitFailures.length > 0) {
              ops.push('txn commit failed');
              throw commitFailures.shift();
            }
            ops.push('txn commit');
            append(pending);
            for (const o of pendingOffsets) committed.set(`${o.topic}/${o.partition}`, o);
          },
          abort: async () => void ops.push('txn abort'),
        };
      },
      close: async () => undefined,
    }),
    readToEnd: async (requests, onBatch) => {
      for (const r of requests) {
        const records = log(r.topic, r.partition)
          .slice(0, r.endOffset)
          .map((rec, offset) => ({ offset, key: rec.key, value: rec.value, timestamp: rec.timestamp, headers: rec.headers }));
        onBatch({ topic: r.topic, partition: r.partition, records, highWatermark: r.endOffset });
      }
    },
  };
  return {
    port,
    ops,
    created,
    commitFailures,
    committed,
    sentGroupMetadata,
    producers: () => producers,
    refuseRecords: (decide: (record: OutgoingRecord) => StreamsError | undefined) => void (refuse = decide),
    log,
    assign: (tps: { topic: string; partition: number }[]) => {
      generationId += 1;
      handlers!.onAssigned(tps);
    },
    /** The member misses a generation (it was expelled and joins again later). */
    skipGeneration: () => void (generationId += 1),
    batch: (batch: ConsumedBatch) => handlers!.onBatch(batch),
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
