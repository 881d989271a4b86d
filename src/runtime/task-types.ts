import type { KeyValueStoreType } from '../state/store-spec.js';
import type { Logger } from 'pino';
import type { SchedulerLike } from 'rxjs';
import type { ErrorPolicies, OutgoingRecord } from '../errors.js';
import type { Topology } from '../graph/topology.js';
import type { TaskId } from '../processor/processor.js';
import type { Headers } from '../processor/record.js';
import type { RecordCache } from '../state/record-cache.js';
import type { LoggedStore, StateStore } from '../state/state-store.js';

// The data a Task takes and gives (its options, input, commit result and metrics), apart from the class so
// that the modules a task is built from can name them without importing the task itself.

/** A record as consumed from Kafka (bytes), the task's input. */
export interface InputRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Kafka record timestamp (ms). */
  readonly timestamp: number;
  readonly headers: Headers;
}

/** The next offset to commit for one input partition. */
export interface CommitOffset {
  readonly topic: string;
  readonly partition: number;
  /** Offset of the next record to consume (last processed + 1), as Kafka commits it. */
  readonly offset: number;
}

/** What one commit must produce, in this order: records, changelog records, then offsets. */
export interface CommitResult {
  /** Outputs, repartition records and dead letters, in the order they were produced. */
  readonly records: readonly OutgoingRecord[];
  /** Latest value or tombstone of every store key changed since the last commit. */
  readonly changelog: readonly OutgoingRecord[];
  readonly offsets: readonly CommitOffset[];
}

export interface TaskOptions {
  readonly id: TaskId;
  readonly topology: Topology;
  readonly applicationId: string;
  /** Sub-topologies run by this task; default `[id.subtopology]`. The test driver passes all of them. */
  readonly subtopologies?: readonly number[];
  /** Wall-clock source for `currentSystemTime()` and wall-clock punctuation; default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  readonly errorPolicies?: Partial<ErrorPolicies>;
  readonly logger?: Logger;
  /** Stores of global tables, shared by all tasks of an instance (read-only for them). */
  readonly globalStores?: ReadonlyMap<string, StateStore>;
  /**
   * Kafka Streams' `max.task.idle.ms`, read against `scheduler.now()`. With 0 or more the task does not
   * process while one of its input partitions has nothing buffered but has data on the broker (fetched
   * lag > 0, see {@link Task.updateFetchPosition}) or an unknown lag; a caught-up partition (lag 0) holds
   * processing back for this long. Default -1: whatever is buffered is processed at once (the test driver
   * and the global-table task, which know of no lag).
   */
  readonly maxTaskIdleMs?: number;
  /**
   * Longest wait on a partition whose lag is unknown or positive before processing is enforced anyway
   * (default 2000 ms). Kafka Streams waits for the fetch without a bound; here a fetch that returns
   * nothing (an empty partition, or only transaction markers) may never be reported, so the wait is bounded.
   */
  readonly maxLagWaitMs?: number;
  /**
   * Record cache (Kafka Streams' `statestore.cache.max.bytes`), shared by the tasks of one instance. When
   * it is enabled, the stores behind KTables hold updates back and forward the latest per key when the
   * task commits or when the cache is over its budget. Default: none (every update is forwarded at once).
   */
  readonly cache?: RecordCache;
  /** Where the task's persistent stores live and which key-value store type is the default (see {@link TaskStorage}). */
  readonly storage?: TaskStorage;
  /**
   * Partition count of a topic this task writes to (full name), for the `partitionCount` a StreamPartitioner
   * gets; undefined (or no lookup) = unknown, passed as -1.
   */
  readonly partitionCount?: (topic: string) => number | undefined;
}

/** Default of {@link TaskOptions.maxLagWaitMs}. */
export const DEFAULT_MAX_LAG_WAIT_MS = 2000;

/** A changelog partition the runtime must restore before the task processes. */
export interface ChangelogPartition {
  readonly storeName: string;
  readonly topic: string;
  readonly partition: number;
  readonly store: LoggedStore;
}

/** Counts of one processor node since the last {@link Task.drainMetrics}. */
export interface NodeMetrics {
  readonly node: string;
  /** Records the node received (`process` calls). */
  readonly recordsIn: number;
  /** Records the node forwarded (one per `forward` call, whatever the number of children). */
  readonly recordsOut: number;
  /** Records the node dropped through `recordDropped` (late records for closed windows, null keys, ...). */
  readonly dropped: number;
}

/** What a task reports to metrics at each commit: counts since the previous report, and store sizes now. */
export interface TaskMetrics {
  readonly nodes: readonly NodeMetrics[];
  /** All records dropped by the task since the previous report (bad input included). */
  readonly droppedRecords: number;
  /** Approximate entry count of every store of the task that can tell it. */
  readonly stores: readonly { readonly store: string; readonly entries: number }[];
}

/** The storage of a task's state stores. */
export interface TaskStorage {
  /** Store type of the key-value stores whose Materialized names none; default `'in-memory'`. */
  readonly defaultStoreType?: KeyValueStoreType;
  /** The application's state directory; the task's persistent stores live in `<stateDir>/<task id>/`. */
  readonly stateDir?: string;
  /** Who holds the lock of a task folder (the instance id), written into its `.lock` file. */
  readonly owner?: string;
}
