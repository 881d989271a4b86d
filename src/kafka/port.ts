import type { OutgoingRecord, StreamsError } from '../errors.js';
import type { Headers } from '../processor/record.js';

/**
 * The Kafka port: everything the runtime and the connectors need from a Kafka client, and nothing more. They
 * talk only to these interfaces; `kafkajs-adapter.ts` implements them (and hides every kafkajs quirk), and
 * `in-memory-kafka.ts` implements them over in-memory logs for unit tests.
 */

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** Next offset to read (as Kafka commits it). */
  readonly offset: number;
}

/** A topic to create. `configs` are topic-level configs such as `cleanup.policy`. */
export interface NewTopic {
  readonly topic: string;
  readonly partitions: number;
  readonly configs?: Readonly<{ [name: string]: string }>;
}

export interface PartitionOffsets {
  readonly partition: number;
  /** Log start offset. */
  readonly low: number;
  /** High watermark (next offset to be written). */
  readonly high: number;
}

export interface AdminPort {
  /** Creates the topics that do not exist yet; existing topics are left as they are. */
  createTopics(topics: readonly NewTopic[]): Promise<void>;
  /** Partition count of each topic that exists (missing topics are absent from the map). */
  partitionCounts(topics: readonly string[]): Promise<Map<string, number>>;
  /** Log start and end offsets of every partition of a topic. */
  offsets(topic: string): Promise<PartitionOffsets[]>;
  /** Offsets committed by a consumer group (partitions without a commit are absent). */
  committedOffsets(groupId: string, topics: readonly string[]): Promise<TopicPartitionOffset[]>;
  /** Deletes records below the given offsets (Kafka DeleteRecords). */
  deleteRecords(topic: string, partitions: readonly { partition: number; offset: number }[]): Promise<void>;
  close(): Promise<void>;
}

/** A record as consumed. */
export interface ConsumedRecord {
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

export interface ConsumedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly ConsumedRecord[];
  /** High watermark of the partition when the batch was fetched. */
  readonly highWatermark: number;
  /**
   * Fetch position after this batch (its last offset + 1, transaction markers and aborted records
   * included, which `records` leaves out); when absent, the last record's offset + 1.
   */
  readonly nextOffset?: number;
  /** True once the partition was sought after this batch was fetched: its records must not be processed. */
  readonly isStale?: () => boolean;
  /**
   * Tells the group this member is alive while a long batch is processed (a consumer heartbeats on its own
   * only between batches). Absent where a batch is not fetched by a group member (restore reads).
   */
  readonly heartbeat?: () => Promise<void>;
}

/** Subscription metadata of one group member, as the group leader's assignor sees it. */
export interface GroupMember {
  readonly memberId: string;
  /** What the member put in its subscription (the runtime puts its instance id there). */
  readonly userData: Buffer;
}

/**
 * A partition assignor run by the group leader. It receives every member, the subscribed topics and their
 * partition counts and returns the partitions of each member.
 */
export interface PartitionAssignor {
  readonly name: string;
  /** This member's subscription user data. */
  userData(): Buffer;
  assign(members: readonly GroupMember[], partitionCounts: ReadonlyMap<string, number>): Map<string, TopicPartition[]>;
}

export interface ConsumerHandlers {
  /** The group gave this member a new assignment (after every rebalance). */
  onAssigned(partitions: readonly TopicPartition[]): void;
  /** A rebalance started: the current assignment is about to be revoked. */
  onRebalancing?(): void;
  /**
   * A batch of one partition; the next batch is fetched after the promise settles. A batch without records
   * (only transaction markers or aborted records) reports where the fetch position moved.
   */
  onBatch(batch: ConsumedBatch): Promise<void>;
  /** The consumer stopped for good on an error it could not recover from. */
  onCrash(error: Error): void;
}

export interface ConsumerOptions {
  readonly groupId: string;
  /** read_committed (default true). */
  readonly readCommitted?: boolean;
  readonly assignor?: PartitionAssignor;
  readonly sessionTimeoutMs?: number;
  /**
   * Where a partition without a committed offset starts: its log start (`true`, the default) or its end, so
   * that only records written from now on are read (`false`).
   */
  readonly fromBeginning?: boolean;
  /**
   * Upper bound of one fetch per partition, in bytes (default 256 KiB: a batch's processing and its commit
   * stay short). A consumer that writes each batch elsewhere in large transactions asks for more.
   */
  readonly maxBytesPerPartition?: number;
  /** Upper bound of one fetch over all partitions, in bytes (default: the client's). */
  readonly maxBytes?: number;
}

/** Topics to subscribe to: names, or patterns matched against the topics that exist. */
export type Subscription = readonly (string | RegExp)[];

/** Where {@link ConsumerPort.seek} moves a partition. */
export interface SeekPosition extends TopicPartition {
  readonly offset: number | 'earliest';
}

/**
 * The consumer group generation a member is in (KIP-447). Sent with the offsets of a transaction, it lets the
 * group coordinator refuse them (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID) once the group has
 * moved on without this member: an instance that stalled past its session timeout cannot commit for
 * partitions another instance now owns.
 */
export interface GroupMetadata {
  readonly generationId: number;
  readonly memberId: string;
  /** Static membership id; absent for dynamic members. */
  readonly groupInstanceId?: string;
}

export interface ConsumerPort {
  /**
   * Subscribes to topics (where a partition without a committed offset starts: see
   * {@link ConsumerOptions.fromBeginning}) and starts consuming. Offsets are committed only by {@link commit}.
   */
  run(topics: Subscription, handlers: ConsumerHandlers): Promise<void>;
  /** Commits offsets for the group (at-least-once); `offset` is the next offset to read. */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /**
   * Moves the fetch position of assigned partitions (`'earliest'`: the log start). Batches fetched before
   * the seek report `isStale()`.
   */
  seek(positions: readonly SeekPosition[]): void;
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  /**
   * The generation and member id of the group's latest join (undefined before the first one). Kept after
   * the member is expelled: offsets sent with it are then refused, which is the point.
   *
   * @example
   * await transaction.sendOffsets(groupId, offsets, consumer.groupMetadata());
   */
  groupMetadata(): GroupMetadata | undefined;
  /** Stops consuming and leaves the group. */
  close(): Promise<void>;
}

/** An output record the producer did not send because of the record itself (see {@link SendReport}). */
export interface RejectedRecord {
  readonly record: OutgoingRecord;
  /** Why: a `RecordTooLargeError`, `InvalidTopicError` or `InvalidRecordError` (all `ProductionError`s). */
  readonly error: StreamsError;
}

/**
 * The outcome of a send that did not fail as a whole: every record was acknowledged except those in
 * `rejected`, each refused for a reason that concerns it alone (too large, illegal topic name, no key for a
 * compacted topic). A failure of the send as a whole (broker unreachable, fenced, unauthorized) rejects the
 * promise instead, and then no record of the send is known to be delivered.
 *
 * @example
 * const report = await producer.send(records);
 * for (const { record, error } of report.rejected) console.warn(`not sent to ${record.topic}: ${error.message}`);
 */
export interface SendReport {
  readonly rejected: readonly RejectedRecord[];
}

/** The report of a send in which every record was acknowledged. */
export const ALL_DELIVERED: SendReport = Object.freeze({ rejected: Object.freeze([]) });

export interface TransactionPort {
  /** Adds records to the transaction; see {@link SendReport} for records refused one by one. */
  send(records: readonly OutgoingRecord[]): Promise<SendReport>;
  /**
   * Adds consumer offsets to the transaction. With `groupMetadata` (the consuming member's, see
   * {@link ConsumerPort.groupMetadata}) the group coordinator refuses them if that generation is no longer
   * the group's; the transaction must then be aborted (`classifyTransactionFailure` says `migrated`).
   */
  sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[], groupMetadata?: GroupMetadata): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/**
 * Every producer is idempotent (one request in flight per broker, so retries neither duplicate nor reorder
 * records) and waits for all in-sync replicas (acks=all) before a send resolves.
 */
export interface ProducerOptions {
  /** Makes the producer transactional (and idempotent). */
  readonly transactionalId?: string;
  /** Transaction timeout; an open transaction of a crashed producer is aborted after this long at the latest. */
  readonly transactionTimeoutMs?: number;
  /**
   * The largest record batch the producer sends (the Java producer's `max.request.size`; default 1 MiB). A
   * record above it, or above its topic's `max.message.bytes`, is reported as rejected without being sent.
   */
  readonly maxRequestBytes?: number;
  /**
   * Whether a send may create a topic that does not exist (when the brokers allow automatic creation; default
   * true). A client that creates its topics itself, with their configs, says false: a record for a missing
   * topic then fails instead of creating the topic with the broker's defaults.
   */
  readonly autoCreateTopics?: boolean;
}

export interface ProducerPort {
  /**
   * Sends records and resolves once every one is acknowledged (the flush of at-least-once), except those the
   * report lists as rejected one by one.
   */
  send(records: readonly OutgoingRecord[]): Promise<SendReport>;
  /** Begins a transaction (transactional producers only). */
  beginTransaction(): Promise<TransactionPort>;
  close(): Promise<void>;
}

/** One partition to read up to `endOffset` (exclusive). */
export interface ReadRequest extends TopicPartition {
  readonly endOffset: number;
}

export interface KafkaPort {
  admin(): Promise<AdminPort>;
  consumer(options: ConsumerOptions): ConsumerPort;
  producer(options?: ProducerOptions): Promise<ProducerPort>;
  /**
   * Reads partitions from their beginning up to the requested end offsets, calling `onBatch` for every
   * batch (a partition's records in offset order; a returned promise is awaited before the next batch), and
   * resolves when every partition reached its end.
   */
  readToEnd(requests: readonly ReadRequest[], onBatch: (batch: ConsumedBatch) => void | Promise<void>, options?: { readCommitted?: boolean }): Promise<void>;
}
