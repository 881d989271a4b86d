import type { OutgoingRecord, StreamsError } from '../errors.js';
import {
  ALL_DELIVERED,
  type AdminPort,
  type ConsumedBatch,
  type ConsumedRecord,
  type ConsumerHandlers,
  type ConsumerOptions,
  type ConsumerPort,
  type GroupMetadata,
  type KafkaPort,
  type NewTopic,
  type ProducerOptions,
  type ProducerPort,
  type ReadRequest,
  type RejectedRecord,
  type SeekPosition,
  type SendReport,
  type Subscription,
  type TopicPartition,
  type TopicPartitionOffset,
  type TransactionPort,
} from './port.js';

/**
 * The Kafka port over in-memory partition logs, for unit tests of everything that talks to Kafka (the runtime,
 * the CDC source, the sink). Nothing runs by itself: a test creates topics, writes records, assigns partitions
 * and delivers batches when it wants to, so every step is deterministic. What the clients did is kept in order
 * in {@link InMemoryKafka.ops}.
 *
 * - Producers append to the logs (a record without a partition goes where Kafka's default partitioner puts
 *   it); a transaction's records and offsets land at its commit.
 * - Consumers read from the committed offsets (or the log start or end, per
 *   `fromBeginning`) when the test calls {@link InMemoryKafka.deliver}; {@link InMemoryKafka.batch} hands
 *   them a batch made by the test instead.
 * - `readToEnd` reads the logs in batches of at most `maxBatchRecords`.
 *
 * @example
 * const kafka = new InMemoryKafka({ words: 2 });
 * const producer = await kafka.producer();
 * await producer.send([{ topic: 'words', partition: 1, key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 0, headers: {} }]);
 * kafka.log('words', 1).length; // 1
 */
export class InMemoryKafka implements KafkaPort {
  /** What the clients did, in order: `send t1,t2`, `commit [...]`, `pause t-0`, `txn commit`, ... */
  readonly ops: string[] = [];
  /** Every topic created through an admin client, in order. */
  readonly created: NewTopic[] = [];
  /** Errors the next transaction commits throw, first to last. */
  readonly commitFailures: unknown[] = [];
  /**
   * The committed offset of each `topic/partition`, in or out of a transaction. There is one set of committed
   * offsets, whatever the group (a test runs one group per topic); a test may set one, as another member would.
   */
  readonly committed = new Map<string, TopicPartitionOffset>();
  /** The group metadata of every transactional sendOffsets, in order. */
  readonly sentGroupMetadata: (GroupMetadata | undefined)[] = [];
  /** Every readToEnd call: its isolation and its partitions as `topic-partition@end`. */
  readonly reads: { readCommitted: boolean | undefined; partitions: string[] }[] = [];
  /** Every record a producer delivered outside a transaction, in order. */
  readonly produced: OutgoingRecord[] = [];
  readonly consumers: InMemoryConsumer[] = [];
  readonly producers: { readonly options: ProducerOptions; closed: boolean }[] = [];

  readonly #topics = new Map<string, { logs: ConsumedRecord[][]; low: number[]; configs: Readonly<Record<string, string>> }>();
  readonly #maxBatchRecords: number;
  #refuse: (record: OutgoingRecord) => StreamsError | undefined = () => undefined;
  #failSend: (records: readonly OutgoingRecord[]) => unknown = () => undefined;
  readonly #running: InMemoryConsumer[] = [];
  #generationId = 2;
  #roundRobin = 0;

  constructor(topics: Readonly<Record<string, number>> = {}, options: { readonly maxBatchRecords?: number } = {}) {
    for (const [topic, partitions] of Object.entries(topics)) this.createTopic(topic, partitions);
    this.#maxBatchRecords = options.maxBatchRecords ?? 500;
  }

  // ---- the test's controls ----

  /** Creates a topic (no-op if it exists), as a broker would without an admin's record of it. */
  createTopic(topic: string, partitions: number, configs: Readonly<Record<string, string>> = {}): void {
    if (this.#topics.has(topic)) return;
    this.#topics.set(topic, { logs: Array.from({ length: partitions }, () => []), low: Array.from({ length: partitions }, () => 0), configs: { ...configs } });
  }

  hasTopic(topic: string): boolean {
    return this.#topics.has(topic);
  }

  /** The configs a topic was created with. */
  topicConfigs(topic: string): Readonly<Record<string, string>> | undefined {
    return this.#topics.get(topic)?.configs;
  }

  /** A partition's log, from offset 0 (records below the log start included). Created empty if unknown. */
  log(topic: string, partition: number): ConsumedRecord[] {
    if (!this.#topics.has(topic)) this.createTopic(topic, partition + 1);
    const t = this.#topics.get(topic)!;
    while (t.logs.length <= partition) {
      t.logs.push([]);
      t.low.push(0);
    }
    return t.logs[partition]!;
  }

  /** Every record of a topic, partition by partition. */
  records(topic: string): (ConsumedRecord & { partition: number })[] {
    return (this.#topics.get(topic)?.logs ?? []).flatMap((log, partition) => log.map((r) => ({ ...r, partition })));
  }

  /** Appends a record as a producer outside the test would; returns its offset. */
  append(topic: string, partition: number, record: { key: Buffer | null; value: Buffer | null; timestamp?: number; headers?: ConsumedRecord['headers'] }): number {
    const log = this.log(topic, partition);
    const offset = log.length;
    log.push({ offset, key: record.key, value: record.value, timestamp: record.timestamp ?? 1000 + offset, headers: record.headers ?? {} });
    return offset;
  }

  /** Decides which records a send refuses one by one (as a producer refuses a record over its size limit). */
  refuseRecords(decide: (record: OutgoingRecord) => StreamsError | undefined): void {
    this.#refuse = decide;
  }

  /** Decides whether a send fails as a whole (the broker is unreachable): return the error to throw, or undefined. */
  failSends(decide: (records: readonly OutgoingRecord[]) => unknown): void {
    this.#failSend = decide;
  }

  /** Gives the consumer that started running last (or `consumer`) a new assignment, in a new group generation. */
  assign(partitions: readonly TopicPartition[], consumer: InMemoryConsumer | undefined = this.#latestRunning()): void {
    if (consumer?.handlers === undefined) throw new Error('no running consumer to assign partitions to');
    this.#generationId += 1;
    consumer.assignment = [...partitions];
    // As a fetch after a rebalance: each partition from the committed offset, else from the log start or end.
    consumer.positions.clear();
    for (const tp of partitions) consumer.positions.set(key(tp), this.#startOf(consumer, tp));
    consumer.generation = { generationId: this.#generationId, memberId: `member-${this.consumers.indexOf(consumer) + 1}` };
    consumer.handlers.onAssigned(partitions);
  }

  /** Gives every running consumer of `groupId` all partitions of its subscribed topics (one member each). */
  rebalance(groupId?: string): void {
    for (const consumer of this.consumers) {
      if (consumer.closed || consumer.handlers === undefined || (groupId !== undefined && consumer.options.groupId !== groupId)) continue;
      const partitions: TopicPartition[] = [];
      for (const [topic, t] of this.#topics) {
        if (!consumer.topics.some((s) => (typeof s === 'string' ? s === topic : s.test(topic)))) continue;
        for (let partition = 0; partition < t.logs.length; partition++) partitions.push({ topic, partition });
      }
      this.assign(partitions, consumer);
    }
  }

  /** The member misses a generation (it was expelled and joins again later). */
  skipGeneration(): void {
    this.#generationId += 1;
  }

  /** Hands a batch made by the test to the consumer that started running last (or `consumer`). */
  batch(batch: ConsumedBatch, consumer: InMemoryConsumer | undefined = this.#latestRunning()): Promise<void> {
    if (consumer?.handlers === undefined) throw new Error('no running consumer to hand the batch to');
    return consumer.handlers.onBatch(batch);
  }

  /**
   * Lets every running consumer read its assigned, unpaused partitions up to their ends, in batches of at most
   * `maxBatchRecords`, each awaited. Returns the number of records delivered.
   */
  async deliver(): Promise<number> {
    let delivered = 0;
    for (const consumer of this.consumers) {
      for (const tp of consumer.assignment) {
        while (!consumer.closed && consumer.handlers !== undefined && !consumer.isPaused(tp)) {
          const log = this.log(tp.topic, tp.partition);
          const from = consumer.position(tp) ?? this.#startOf(consumer, tp);
          if (from >= log.length) break;
          const records = log.slice(from, from + this.#maxBatchRecords);
          const nextOffset = from + records.length;
          const seeks = consumer.seekCount;
          consumer.positions.set(key(tp), nextOffset);
          await consumer.handlers.onBatch({
            topic: tp.topic, partition: tp.partition, records, highWatermark: log.length, nextOffset,
            isStale: () => consumer.seekCount !== seeks || consumer.closed,
            heartbeat: async () => void this.ops.push(`heartbeat ${tp.topic}-${tp.partition}`),
          });
          delivered += records.length;
        }
      }
    }
    return delivered;
  }

  // ---- the port (own properties, so that a test can spread the port and replace one method) ----

  readonly admin = async (): Promise<AdminPort> => {
    return {
      createTopics: async (topics) => {
        for (const t of topics) {
          if (this.#topics.has(t.topic)) continue;
          this.created.push(t);
          this.createTopic(t.topic, t.partitions, t.configs);
        }
      },
      partitionCounts: async (names) => new Map(names.filter((n) => this.#topics.has(n)).map((n) => [n, this.#topics.get(n)!.logs.length])),
      offsets: async (topic) => (this.#topics.get(topic)?.logs ?? []).map((log, partition) => ({ partition, low: this.#topics.get(topic)!.low[partition]!, high: log.length })),
      committedOffsets: async (_groupId, names) => [...this.committed.values()].filter((o) => names.includes(o.topic)),
      deleteRecords: async (topic, partitions) => {
        this.ops.push(`deleteRecords ${topic} ${JSON.stringify(partitions)}`);
        const t = this.#topics.get(topic);
        for (const p of partitions) if (t !== undefined && p.partition < t.low.length) t.low[p.partition] = Math.max(t.low[p.partition]!, Math.min(p.offset, t.logs[p.partition]!.length));
      },
      close: async () => undefined,
    };
  };

  readonly consumer = (options: ConsumerOptions): ConsumerPort => {
    const consumer = new InMemoryConsumer(options, this);
    this.consumers.push(consumer);
    return consumer;
  };

  readonly producer = async (options: ProducerOptions = {}): Promise<ProducerPort> => {
    const entry = { options, closed: false };
    this.producers.push(entry);
    const send = async (records: readonly OutgoingRecord[], into: (accepted: OutgoingRecord[]) => void): Promise<SendReport> => {
      if (entry.closed) throw new Error('the producer is closed');
      const failure = this.#failSend(records);
      if (failure !== undefined) throw failure;
      if (options.autoCreateTopics === false) {
        const missing = records.find((r) => !this.#topics.has(r.topic));
        if (missing !== undefined) throw Object.assign(new Error(`This server does not host this topic-partition (${missing.topic})`), { type: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true });
      }
      const accepted: OutgoingRecord[] = [];
      const rejected: RejectedRecord[] = [];
      for (const record of records) {
        const error = this.#refuse(record);
        if (error === undefined) accepted.push(record);
        else rejected.push({ record, error });
      }
      into(accepted);
      return rejected.length === 0 ? ALL_DELIVERED : { rejected };
    };
    return {
      send: (records) => {
        this.ops.push(`send ${[...new Set(records.map((r) => r.topic))].join(',')}`);
        return send(records, (accepted) => {
          this.#write(accepted);
          this.produced.push(...accepted);
        });
      },
      beginTransaction: async () => {
        this.ops.push(`begin ${options.transactionalId}`);
        return this.#transaction(send);
      },
      close: async () => {
        entry.closed = true;
      },
    };
  };

  readonly readToEnd = async (requests: readonly ReadRequest[], onBatch: (batch: ConsumedBatch) => void | Promise<void>, options?: { readCommitted?: boolean }): Promise<void> => {
    this.reads.push({ readCommitted: options?.readCommitted, partitions: requests.map((r) => `${r.topic}-${r.partition}@${r.endOffset}`) });
    for (const r of requests) {
      const low = this.#topics.get(r.topic)?.low[r.partition] ?? 0;
      const records = this.log(r.topic, r.partition).slice(low, r.endOffset);
      for (let i = 0; i < records.length; i += this.#maxBatchRecords) {
        await onBatch({ topic: r.topic, partition: r.partition, records: records.slice(i, i + this.#maxBatchRecords), highWatermark: r.endOffset });
      }
    }
  };

  // ---- internals shared with the consumers ----

  /** @internal */
  commitFor(offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets) this.committed.set(`${o.topic}/${o.partition}`, o);
  }

  #latestRunning(): InMemoryConsumer | undefined {
    return this.#running.at(-1);
  }

  /** @internal The consumer started running. */
  running(consumer: InMemoryConsumer): void {
    this.#running.push(consumer);
  }

  #startOf(consumer: InMemoryConsumer, tp: TopicPartition): number {
    const committed = this.committed.get(`${tp.topic}/${tp.partition}`);
    if (committed !== undefined) return committed.offset;
    const t = this.#topics.get(tp.topic);
    return consumer.options.fromBeginning === false ? this.log(tp.topic, tp.partition).length : (t?.low[tp.partition] ?? 0);
  }

  #write(records: readonly OutgoingRecord[]): void {
    for (const r of records) {
      if (!this.#topics.has(r.topic)) this.createTopic(r.topic, 1);
      const partition = r.partition ?? this.#partitionFor(r);
      this.append(r.topic, partition, { key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers });
    }
  }

  /** Kafka's default partitioner: murmur2 of the key, or round robin for records without a key. */
  #partitionFor(record: OutgoingRecord): number {
    const count = this.#topics.get(record.topic)!.logs.length;
    if (record.key === null) return this.#roundRobin++ % count;
    return (murmur2(record.key) & 0x7fffffff) % count;
  }

  #transaction(send: (records: readonly OutgoingRecord[], into: (accepted: OutgoingRecord[]) => void) => Promise<SendReport>): TransactionPort {
    const pending: OutgoingRecord[] = [];
    const pendingOffsets: { groupId: string; offsets: readonly TopicPartitionOffset[] }[] = [];
    return {
      send: (records) => {
        if (records.length > 0) this.ops.push(`txn send ${[...new Set(records.map((r) => r.topic))].join(',')}`);
        return send(records, (accepted) => void pending.push(...accepted));
      },
      sendOffsets: async (groupId, offsets, groupMetadata) => {
        this.ops.push(`txn offsets ${groupId} ${JSON.stringify(offsets)}`);
        this.sentGroupMetadata.push(groupMetadata);
        pendingOffsets.push({ groupId, offsets });
      },
      commit: async () => {
        if (this.commitFailures.length > 0) {
          this.ops.push('txn commit failed');
          throw this.commitFailures.shift();
        }
        this.ops.push('txn commit');
        this.#write(pending);
        for (const { offsets } of pendingOffsets) this.commitFor(offsets);
      },
      abort: async () => void this.ops.push('txn abort'),
    };
  }
}

/** A consumer of {@link InMemoryKafka}: what it subscribed to, its assignment, positions and pauses. */
export class InMemoryConsumer implements ConsumerPort {
  topics: Subscription = [];
  handlers: ConsumerHandlers | undefined;
  closed = false;
  assignment: TopicPartition[] = [];
  generation: GroupMetadata | undefined;
  /** Every seek as `topic-partition@offset`. */
  readonly seeks: string[] = [];
  /** Fetch positions moved by deliveries and seeks (`topic\0partition` -> next offset). */
  readonly positions = new Map<string, number>();
  seekCount = 0;
  readonly #paused = new Set<string>();

  constructor(
    readonly options: ConsumerOptions,
    private readonly kafka: InMemoryKafka,
  ) {}

  readonly run = async (topics: Subscription, handlers: ConsumerHandlers): Promise<void> => {
    this.topics = topics;
    this.handlers = handlers;
    this.kafka.running(this);
  };

  readonly commit = async (offsets: readonly TopicPartitionOffset[]): Promise<void> => {
    this.kafka.ops.push(`commit ${JSON.stringify(offsets)}`);
    this.kafka.commitFor(offsets);
  };

  readonly seek = (positions: readonly SeekPosition[]): void => {
    this.kafka.ops.push(`seek ${JSON.stringify(positions)}`);
    this.seekCount++;
    for (const p of positions) {
      this.seeks.push(`${p.topic}-${p.partition}@${String(p.offset)}`);
      if (p.offset === 'earliest') this.positions.delete(key(p));
      else this.positions.set(key(p), p.offset);
    }
  };

  readonly pause = (partitions: readonly TopicPartition[]): void => {
    this.kafka.ops.push(`pause ${partitions.map((tp) => `${tp.topic}-${tp.partition}`).join(',')}`);
    for (const tp of partitions) this.#paused.add(key(tp));
  };

  readonly resume = (partitions: readonly TopicPartition[]): void => {
    this.kafka.ops.push(`resume ${partitions.map((tp) => `${tp.topic}-${tp.partition}`).join(',')}`);
    for (const tp of partitions) this.#paused.delete(key(tp));
  };

  isPaused(tp: TopicPartition): boolean {
    return this.#paused.has(key(tp));
  }

  /** The fetch position of a partition, if a delivery or a seek set one. */
  position(tp: TopicPartition): number | undefined {
    return this.positions.get(key(tp));
  }

  readonly groupMetadata = (): GroupMetadata | undefined => {
    return this.generation;
  };

  readonly close = async (): Promise<void> => {
    this.kafka.ops.push('consumer close');
    this.closed = true;
  };
}

const key = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

/** Kafka's murmur2 (the Java client's `Utils.murmur2`), which its default partitioner hashes keys with. */
function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2]! << 16;
  if (rest >= 2) h ^= data[whole + 1]! << 8;
  if (rest >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h;
}
