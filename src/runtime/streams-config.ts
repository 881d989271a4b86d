import type { KeyValueStoreType } from '../state/store-spec.js';
import type { Logger } from 'pino';
import type { SchedulerLike } from 'rxjs';
import type { ErrorPolicies, StreamsError } from '../errors.js';
import type { KafkaSecurityOptions } from '../kafka/client-security.js';
import type { KafkaPort, TopicPartition } from '../kafka/port.js';
import type { TransactionFailureKind } from '../kafka/transaction-errors.js';
import type { RestoreProgress } from '../state/restore.js';
import type { TaskMetrics } from './task.js';

// The configuration, events and lifecycle types of a KafkaStreams instance, and the defaults they name.

/** Lifecycle of a {@link KafkaStreams} instance (Kafka Streams' `KafkaStreams.State`). */
export type StreamsState = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'ERROR';

export type ProcessingGuarantee = 'at_least_once' | 'exactly_once';

/** Default commit interval under at-least-once (see {@link KafkaStreamsConfig.commitIntervalMs}). */
export const DEFAULT_ALOS_COMMIT_INTERVAL_MS = 1000;
/** Default commit interval under exactly-once, as in Kafka Streams. */
export const DEFAULT_EOS_COMMIT_INTERVAL_MS = 100;

/**
 * Header written on every changelog record: the input offsets the commit that wrote it covers. Restore
 * reads it so that, under at-least-once, records whose effect is already in the changelog (the changelog
 * was flushed but the crash came before the offset commit) are not applied twice.
 */
export const CHANGELOG_OFFSETS_HEADER = 'tributary.source.offsets';

/**
 * Hooks for metrics (e.g. prom-client counters and histograms); every hook is optional.
 * `prometheusMetrics()` (src/metrics) implements them on a prom-client registry.
 */
export interface StreamsMetricsHooks {
  /** Called once by the KafkaStreams constructor: which application the following calls are about. */
  init?(app: { readonly applicationId: string; readonly instanceId: string }): void;
  /** A fetched batch was processed by a task, in `durationMs` (wall clock). */
  recordsProcessed?(task: string, count: number, durationMs: number): void;
  commit?(info: CommitInfo): void;
  restore?(progress: RestoreProgress & { task: string }): void;
  /** Consumer lag seen on a fetched batch: high watermark minus the next offset. */
  lag?(topic: string, partition: number, lag: number): void;
  /** Tasks and input partitions owned by this instance after a rebalance (metrics of others are stale). */
  tasksAssigned?(tasks: readonly string[], partitions: readonly TopicPartition[]): void;
  /**
   * Per-task counts since the previous call (records in/out/dropped per node, dropped records), read at each
   * commit; `stores` holds store sizes when they were sampled (at most once per second), else is empty.
   */
  taskMetrics?(metrics: TaskMetrics & { readonly task: string }): void;
}

/**
 * A partition whose task holds this many of its records unprocessed (the task waits for another input) is
 * paused until the task works them off, as Kafka Streams' `buffered.records.per.partition`. Only a partition
 * with buffered records is paused, and a task only ever waits for a partition with none: a paused
 * partition is never the one its task waits for.
 */
export const MAX_BUFFERED_RECORDS_PER_PARTITION = 10_000;

export interface CommitInfo {
  readonly records: number;
  readonly changelogRecords: number;
  readonly offsets: number;
  readonly durationMs: number;
  readonly transactional: boolean;
}

export interface KafkaStreamsConfig {
  /** Consumer group id, transactional id prefix and prefix of internal topics. */
  readonly applicationId: string;
  /** Bootstrap brokers (`host:port`); ignored when `kafka` is given. */
  readonly brokers?: readonly string[];
  /** A Kafka port to use instead of the kafkajs adapter built from `brokers`. */
  readonly kafka?: KafkaPort;
  /**
   * TLS and SASL of the connections to `brokers` (ignored when `kafka` is given). `tls: true` trusts the system's
   * CAs; `tls.ca` a CA of your own; `tls.cert` + `tls.key` a client certificate; `sasl` PLAIN or SCRAM-SHA-256/512.
   * In a config file: `security.protocol`, `sasl.*`, `ssl.*` keys (see `parseKafkaSecurityConfig`).
   *
   * @example
   * new KafkaStreams(topology, {
   *   applicationId: 'orders', brokers: ['kafka-1:9093'],
   *   security: { tls: { ca: { file: '/etc/kafka/ca.pem' } }, sasl: { mechanism: 'SCRAM-SHA-512', username: 'orders', password: process.env['KAFKA_PASSWORD'] ?? '' } },
   * });
   */
  readonly security?: KafkaSecurityOptions;
  /**
   * How long `start()` waits for the first connection to `brokers` before it fails with a `KafkaConnectError`
   * that names them and what to check (refused, unknown host, no answer, certificate, authentication). Default 30 s.
   */
  readonly connectTimeoutMs?: number;
  /** Default `at_least_once`. */
  readonly guarantee?: ProcessingGuarantee;
  /**
   * How often tasks commit. Default 100 ms under exactly-once (as Kafka Streams): outputs are part of the
   * transaction, so the interval is also the output latency. Default 1000 ms under at-least-once, where
   * outputs are sent as they are produced and the interval bounds how much input a crash makes the next
   * owner process again (Kafka Streams' default is 30 s).
   */
  readonly commitIntervalMs?: number;
  /** Stable id of this instance: the transactional id is `<applicationId>-<instanceId>`, so a restarted
   *  instance fences its predecessor and aborts its open transaction at once. Default: a random id. */
  readonly instanceId?: string;
  readonly errorPolicies?: Partial<ErrorPolicies>;
  readonly logger?: Logger;
  /** Wall clock for commit timing and wall-clock punctuation; tests pass a virtual-time scheduler. */
  readonly scheduler?: SchedulerLike;
  /** How often wall-clock punctuations are checked; default 100 ms. */
  readonly punctuationTickMs?: number;
  /** Delete consumed repartition records after each commit (default true). */
  readonly purgeRepartitionTopics?: boolean;
  /** Transaction timeout under exactly-once; default 10 s. */
  readonly transactionTimeoutMs?: number;
  readonly metrics?: StreamsMetricsHooks;
  /** Consumer session timeout: how long a dead instance keeps its tasks; default 30 s (min. 6 s by broker default). */
  readonly sessionTimeoutMs?: number;
  /**
   * Under exactly-once, a transaction that fails on a recoverable error (fenced producer, time-out,
   * transient broker trouble) is aborted and its work redone: tasks are rebuilt from their changelogs and
   * input is re-read from the committed offsets. More than `maxAttempts` recoveries within `windowMs`
   * move the instance to ERROR. Default: 3 within 60 s. Recoveries from migrated tasks (offsets refused
   * because the group moved on to a new generation while this instance stalled) are not counted.
   */
  readonly transactionRecovery?: { readonly maxAttempts?: number; readonly windowMs?: number };
  /**
   * Kafka Streams' `max.task.idle.ms`: how a task with several input partitions (a join, a merge) waits
   * for data so it processes records in timestamp order across them. Default 0: a task does not process
   * while one of its partitions has nothing buffered but is known to have data on the broker (or its lag
   * is not known yet); a caught-up partition does not hold it back. A value above 0 also waits that long
   * (wall clock) for new data on a caught-up partition; -1 never waits and processes whatever is buffered.
   * Unlike Kafka Streams, waiting on a partition with data on the broker or an unknown lag ends after
   * at most max(2 s, maxTaskIdleMs): the Kafka client reports no empty fetch, so the lag may never be
   * refreshed. Lags are first taken at assignment (high watermark minus committed offset).
   *
   * @example
   * // Wait up to 1 s for the other side of a join when one input topic is caught up.
   * new KafkaStreams(topology, { applicationId: 'clicks-purchases', brokers, maxTaskIdleMs: 1000 });
   */
  readonly maxTaskIdleMs?: number;
  /**
   * Kafka Streams' `statestore.cache.max.bytes`: bytes of record cache shared by this instance's tasks.
   * With a cache, the stores behind KTables (aggregations, materialized tables) merge the updates of a key
   * between two commits and forward only the latest (with the value before the first of them as old
   * value) when the task commits, or earlier when the cache is over its budget; flushed outputs go out in
   * that commit (the same transaction under exactly-once). Reads and interactive queries see the latest
   * value. Entries are sized by an estimate of their heap bytes (see `estimateBytes`).
   *
   * Default 0: no cache, every update is forwarded as it happens (Kafka Streams' default is 10 MB).
   * Tributary's at-least-once runtime sends outputs as soon as they are produced; a cache would hold
   * them until the commit. Opt a store out with `caching: false` in its Materialized options.
   *
   * @example
   * // Emit at most one count per key per commit (every 5 s) instead of one per input record.
   * new KafkaStreams(topology, { applicationId: 'counts', brokers, commitIntervalMs: 5000, cacheMaxBytes: 10 * 1024 * 1024 });
   */
  readonly cacheMaxBytes?: number;
  /**
   * Kafka Streams' `state.dir`: persistent stores live in `<stateDir>/<applicationId>/<task id>/<store>`, each
   * task folder locked (`.lock`) while an instance uses it. Default: `<OS temp folder>/tributary`. Two
   * instances of one application on one machine that could be given the same task need different values.
   *
   * @example
   * new KafkaStreams(topology, { applicationId: 'counts', brokers, stateDir: '/var/lib/tributary', defaultStoreType: 'persistent' });
   */
  readonly stateDir?: string;
  /**
   * Where the key-value stores whose Materialized names no `storeType` keep their entries: `'in-memory'`
   * (default for now) or `'persistent'` (LMDB in the task's folder of `stateDir`). Window and session stores
   * are in memory either way. Persistent stores are still rebuilt from their changelog at every start
   * (no local checkpoint yet); they move the state out of the heap.
   */
  readonly defaultStoreType?: KeyValueStoreType;
}

/** What a recovery from a failed exactly-once transaction did (event `recovered`). */
export interface RecoveryInfo {
  readonly kind: TransactionFailureKind;
  readonly reason: string;
  /** Tasks rebuilt from their changelogs. */
  readonly tasks: readonly string[];
  /** Recoveries within the current window, this one included. */
  readonly attempt: number;
}

export interface KafkaStreamsEvents {
  state: [state: StreamsState, previous: StreamsState];
  restore: [progress: RestoreProgress & { task: string }];
  restored: [info: { task: string; records: number; durationMs: number }];
  commit: [info: CommitInfo];
  recovered: [info: RecoveryInfo];
  error: [error: StreamsError];
}
