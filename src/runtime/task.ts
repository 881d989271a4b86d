import type { Logger } from 'pino';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import {
  asStreamsError,
  atRecord,
  defaultErrorPolicies,
  DeserializationError,
  ProcessingError,
  StateStoreError,
  StreamsError,
  type ErrorPhase,
  type ErrorPolicies,
  type FailedRecord,
  type OutgoingRecord,
} from '../errors.js';
import { internalTopicName } from '../graph/naming.js';
import type { GraphNode, NodeOf } from '../graph/nodes.js';
import type { Topology } from '../graph/topology.js';
import { silentLogger } from '../logger.js';
import type { CachingKeyValueStore } from '../state/caching-key-value-store.js';
import type { RecordCache } from '../state/record-cache.js';
import type { LoggedStore, StateStore, StoreContext } from '../state/state-store.js';
import { buildStore } from '../state/store-builder.js';
import type { InternalProcessorContext } from './internal-context.js';
import type { AnyProcessor, Cancellable, PunctuationType, RecordMetadata, TaskId } from '../processor/processor.js';
import { taskIdToString } from '../processor/processor.js';
import { PunctuationQueue, PunctuationSchedule } from './punctuation.js';
import { Record, type Headers } from '../processor/record.js';

const NO_HEADERS: Headers = Object.freeze({});
import { RecordCollector } from './record-collector.js';

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

interface PendingRecord {
  readonly record: Record<unknown, unknown>;
  readonly raw: InputRecord;
  readonly source: ProcessorNode;
}

interface PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  readonly records: PendingRecord[];
  head: number;
  /** Max timestamp extracted from this partition so far (-1 before the first). */
  partitionTime: number;
  /** Offset to commit (last consumed + 1), or -1 when nothing was consumed since the last commit. */
  commitOffset: number;
  /** High watermark minus the fetch position, as last reported; undefined while unknown. */
  fetchedLag: number | undefined;
  /** Wall-clock time after which an empty queue stops holding processing back; set when the wait starts. */
  idleDeadline: number | undefined;
}

/** A processor plus the context it forwards through. */
class ProcessorNode implements InternalProcessorContext<unknown, unknown> {
  children: ProcessorNode[] = [];
  childByName = new Map<string, ProcessorNode>();
  // Plain fields read and reset at commit: counting costs an increment per record, no lookup.
  recordsIn = 0;
  recordsOut = 0;
  dropped = 0;

  constructor(
    readonly task: Task,
    readonly node: GraphNode,
    readonly processor: AnyProcessor,
  ) {}

  get nodeName(): string {
    return this.node.name;
  }
  get applicationId(): string {
    return this.task.applicationId;
  }
  get taskId(): TaskId {
    return this.task.id;
  }

  process(record: Record<unknown, unknown>): void {
    const task = this.task;
    const previous = task.currentNode;
    task.currentNode = this;
    const previousHeaders = task.currentHeaders;
    task.currentHeaders = record.headers;
    this.recordsIn++;
    this.processor.process(record);
    task.currentNode = previous;
    task.currentHeaders = previousHeaders;
  }

  forward(record: Record<unknown, unknown>, childName?: string): void {
    this.recordsOut++;
    if (childName !== undefined) {
      const child = this.childByName.get(childName);
      if (child === undefined) throw new ProcessingError(`${this.node.name} has no child named ${childName}`, { nodeName: this.node.name, ...atRecord(this.task.recordMetadata()) });
      child.process(record);
      return;
    }
    const children = this.children;
    for (let i = 0; i < children.length; i++) children[i]!.process(record);
  }

  getStateStore<S extends StateStore>(name: string): S {
    return this.task.getStateStore<S>(name, this.node.name);
  }

  schedule(intervalMs: number, type: PunctuationType, callback: (timestamp: number) => void): Cancellable {
    return this.task.schedule(this, intervalMs, type, callback);
  }

  currentStreamTime(): number {
    return this.task.streamTime;
  }

  currentSystemTime(): number {
    return this.task.scheduler.now();
  }

  recordMetadata(): RecordMetadata | null {
    return this.task.recordMetadata();
  }

  recordDropped(reason: string): void {
    this.dropped++;
    this.task.recordDropped(this.node.name, reason);
  }

  send(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers, partition?: number): void {
    // The input it came from names the record should the producer refuse it (production policy, dead letters).
    const origin = this.task.currentInput;
    this.task.collector.send(partition === undefined ? { topic, key, value, timestamp, headers, origin } : { topic, key, value, timestamp, headers, partition, origin });
  }

  resolveTopic(topic: string, internal: boolean): string {
    return internal ? internalTopicName(this.task.applicationId, topic) : topic;
  }

  partitionCount(topic: string): number {
    return this.task.partitionCount(topic);
  }

  reportProductionError(error: StreamsError): void {
    this.task.handleError('production', error);
  }

  sourceTopic(): string | undefined {
    return this.task.currentInput?.topic;
  }
}

/**
 * The I/O-free unit of work: one or more sub-topologies on one partition. It owns its processors, stores,
 * stream time and punctuation, deserializes input at its boundary (applying the error policies) and
 * buffers everything it produces until `commit()`. The Kafka runtime and the TopologyTestDriver both drive
 * it through the same calls:
 *
 * 1. `new Task(options)` builds stores and processors (nothing runs yet);
 * 2. restore each of `changelogPartitions()` (`store.restore(records)`), then `initialize()`;
 * 3. `addRecords(batch)` and `process()` until it returns false (smallest head timestamp first);
 *    `punctuateStreamTime()` runs after each processed record, `punctuateWallClock()` when the loop likes;
 * 4. `commit()` returns the records, changelog records and offsets to produce/commit, in that order;
 * 5. `close()`.
 */
export class Task {
  readonly id: TaskId;
  readonly applicationId: string;
  readonly scheduler: SchedulerLike;
  readonly collector = new RecordCollector();
  readonly logger: Logger;
  /** Full names of the topics this task reads (internal topics with the application-id prefix). */
  readonly inputTopics: readonly string[];

  currentNode: ProcessorNode | undefined;
  currentInput: InputRecord | undefined;
  /** Headers of the record the current node processes; caching stores keep them with an update. */
  currentHeaders: Headers = NO_HEADERS;

  readonly #topology: Topology;
  readonly #policies: ErrorPolicies;
  readonly #nodes = new Map<string, ProcessorNode>();
  readonly #sourcesByTopic = new Map<string, ProcessorNode>();
  readonly #stores = new Map<string, StateStore>();
  readonly #logged: ChangelogPartition[] = [];
  /** Caching layers of this task's stores, flushed at every commit. */
  readonly #cached: CachingKeyValueStore<unknown, unknown>[] = [];
  readonly #globalStores: ReadonlyMap<string, StateStore>;
  /** Input queues by topic, then partition: no per-record string keys on the hot path. */
  readonly #queuesByTopic = new Map<string, Map<number, PartitionQueue>>();
  readonly #queues: PartitionQueue[] = [];
  readonly #streamTimePunctuations = new PunctuationQueue();
  readonly #wallClockPunctuations = new PunctuationQueue();
  #streamTime = -1;
  #currentTimestamp = -1;
  #dropped = 0;
  #droppedReported = 0;
  #processed = 0;
  #initialized = false;
  #closed = false;
  readonly #maxTaskIdleMs: number;
  readonly #maxLagWaitMs: number;
  #enforcedProcessing = 0;

  readonly #partitionCount: ((topic: string) => number | undefined) | undefined;

  /** Partition count of an output topic (full name); -1 when unknown. */
  partitionCount(topic: string): number {
    return this.#partitionCount?.(topic) ?? -1;
  }

  constructor(options: TaskOptions) {
    this.id = options.id;
    this.applicationId = options.applicationId;
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.logger = (options.logger ?? silentLogger()).child({ task: taskIdToString(options.id) });
    this.#topology = options.topology;
    this.#policies = { ...defaultErrorPolicies, ...options.errorPolicies };
    this.#globalStores = options.globalStores ?? new Map();
    this.#maxTaskIdleMs = options.maxTaskIdleMs ?? -1;
    this.#partitionCount = options.partitionCount;
    this.#maxLagWaitMs = options.maxLagWaitMs ?? DEFAULT_MAX_LAG_WAIT_MS;
    if (!Number.isInteger(this.#maxTaskIdleMs) || this.#maxTaskIdleMs < -1) throw new RangeError(`maxTaskIdleMs must be an integer of at least -1, got ${this.#maxTaskIdleMs}`);
    if (!(this.#maxLagWaitMs >= 0)) throw new RangeError(`maxLagWaitMs must be at least 0, got ${this.#maxLagWaitMs}`);

    const ids = options.subtopologies ?? [options.id.subtopology];
    const subtopologies = ids.map((id) => {
      const s = options.topology.subtopologies[id];
      if (s === undefined) throw new StreamsError(`task ${taskIdToString(options.id)}: the topology has no sub-topology ${id}`);
      return s;
    });

    const storeContext: StoreContext = {
      applicationId: this.applicationId,
      partition: this.id.partition,
      currentTimestamp: () => this.#currentTimestamp,
      currentHeaders: () => this.currentHeaders,
      currentOrigin: () => this.currentInput,
      forwardInRecordContext: (store, timestamp, headers, origin, forward) => this.#forwardInRecordContext(store, timestamp, headers, origin as InputRecord | undefined, forward),
    };
    for (const name of subtopologies.flatMap((s) => s.stores)) {
      const spec = options.topology.stores.get(name)!;
      const built = buildStore(spec, { applicationId: this.applicationId, partition: this.id.partition, ...(options.cache === undefined ? {} : { cache: options.cache }) });
      built.store.init?.(storeContext);
      this.#stores.set(name, built.store);
      if (built.cached) this.#cached.push(built.cached);
      if (built.logged) this.#logged.push({ storeName: name, topic: built.logged.changelogTopic, partition: built.logged.changelogPartition, store: built.logged });
    }

    const inputTopics: string[] = [];
    for (const s of subtopologies) {
      for (const name of s.nodeNames) {
        const node = options.topology.node(name);
        const processor = options.topology.createProcessor(name);
        this.#nodes.set(name, new ProcessorNode(this, node, processor));
      }
      for (const source of s.sourceTopics) {
        const topic = source.internal ? internalTopicName(this.applicationId, source.topic) : source.topic;
        inputTopics.push(topic);
        this.#sourcesByTopic.set(topic, this.#nodes.get(source.sourceNode)!);
      }
    }
    for (const processorNode of this.#nodes.values()) {
      for (const parent of processorNode.node.parents) {
        const parentNode = this.#nodes.get(parent)!;
        parentNode.children.push(processorNode);
        parentNode.childByName.set(processorNode.node.name, processorNode);
      }
    }
    this.inputTopics = Object.freeze(inputTopics);
    // Waiting needs every input partition known up front: one never fetched yet is the first to wait for.
    if (this.#maxTaskIdleMs >= 0) for (const topic of inputTopics) this.#queueFor(topic, this.id.partition);
  }

  /** Changelog partitions backing this task's stores; restore them before `initialize()`. */
  changelogPartitions(): readonly ChangelogPartition[] {
    return this.#logged;
  }

  /** Runs every processor's init(); call once, after restore. */
  initialize(): void {
    if (this.#initialized) return;
    this.#initialized = true;
    for (const node of this.#nodes.values()) {
      this.currentNode = node;
      node.processor.init?.(node);
    }
    this.currentNode = undefined;
  }

  get streamTime(): number {
    return this.#streamTime;
  }

  /** Records dropped so far (task metric `dropped-records-total`). */
  get droppedRecords(): number {
    return this.#dropped;
  }

  get processedRecords(): number {
    return this.#processed;
  }

  /** Records buffered and not yet processed. */
  get bufferedRecords(): number {
    let n = 0;
    for (const q of this.#queues) n += q.records.length - q.head;
    return n;
  }

  /** Records buffered and not yet processed for one input partition. */
  bufferedRecordsOf(topic: string, partition: number): number {
    const queue = this.#queuesByTopic.get(topic)?.get(partition);
    return queue === undefined ? 0 : queue.records.length - queue.head;
  }

  /** How often processing went ahead although a partition's wait was not satisfied (time-out of the wait). */
  get enforcedProcessing(): number {
    return this.#enforcedProcessing;
  }

  /**
   * What the consumer knows of an input partition: its fetch position (next offset to fetch) and its high
   * watermark. Their difference is the fetched lag that decides whether an empty queue must be waited for.
   */
  updateFetchPosition(topic: string, partition: number, position: number, highWatermark: number): void {
    if (!this.#sourcesByTopic.has(topic)) return;
    const queue = this.#queueFor(topic, partition);
    const lag = Math.max(0, highWatermark - position);
    // The kind of wait changes (data on the broker vs. caught up): its deadline starts again, as in Kafka Streams.
    if (queue.fetchedLag === undefined || (queue.fetchedLag > 0) !== (lag > 0)) queue.idleDeadline = undefined;
    queue.fetchedLag = lag;
  }

  /**
   * Kafka Streams' PartitionGroup.readyToProcess: false while an input partition has nothing buffered and
   * either has data on the broker (or an unknown lag, bounded by `maxLagWaitMs`) or is caught up and its
   * `maxTaskIdleMs` has not passed yet.
   */
  #readyToProcess(): boolean {
    if (this.#maxTaskIdleMs < 0) return true;
    let now: number | undefined;
    let enforced = false;
    const queues = this.#queues;
    for (let i = 0; i < queues.length; i++) {
      const queue = queues[i]!;
      if (queue.head < queue.records.length) continue;
      const lagging = queue.fetchedLag === undefined || queue.fetchedLag > 0;
      now ??= this.scheduler.now();
      queue.idleDeadline ??= now + (lagging ? Math.max(this.#maxLagWaitMs, this.#maxTaskIdleMs) : this.#maxTaskIdleMs);
      if (now < queue.idleDeadline) return false;
      if (lagging || this.#maxTaskIdleMs > 0) enforced = true;
    }
    if (enforced) this.#enforcedProcessing++;
    return true;
  }

  getStateStore<S extends StateStore>(name: string, forNode?: string): S {
    const store = this.#stores.get(name) ?? this.#globalStores.get(name);
    if (store === undefined) {
      throw new StateStoreError(`store ${name} is not available in task ${taskIdToString(this.id)}${forNode ? ` (asked by ${forNode})` : ''}`, { store: name, partition: this.id.partition });
    }
    return store as S;
  }

  /** Stores owned by this task, by name. */
  get stores(): ReadonlyMap<string, StateStore> {
    return this.#stores;
  }

  recordMetadata(): RecordMetadata | null {
    const input = this.currentInput;
    return input === undefined ? null : { topic: input.topic, partition: input.partition, offset: input.offset };
  }

  recordDropped(nodeName: string, reason: string): void {
    this.#dropped++;
    this.logger.warn({ node: nodeName, ...this.recordMetadata() }, `record dropped: ${reason}`);
  }

  schedule(node: ProcessorNode, intervalMs: number, type: PunctuationType, callback: (timestamp: number) => void): Cancellable {
    if (!(intervalMs >= 1)) throw new RangeError(`punctuation interval must be at least 1 ms, got ${intervalMs}`);
    if (type === 'stream-time') {
      const schedule = new PunctuationSchedule(node.node.name, type, intervalMs, 0, callback);
      this.#streamTimePunctuations.add(schedule);
      return schedule;
    }
    const schedule = new PunctuationSchedule(node.node.name, type, intervalMs, this.scheduler.now() + intervalMs, callback);
    this.#wallClockPunctuations.add(schedule);
    return schedule;
  }

  /**
   * Deserializes and queues consumed records. Deserialization failures and negative timestamps are
   * handled here (policy / dropped-records), so a bad record never reaches a processor.
   */
  addRecords(records: Iterable<InputRecord>): void {
    for (const raw of records) {
      const source = this.#sourcesByTopic.get(raw.topic);
      if (source === undefined) throw new StreamsError(`task ${taskIdToString(this.id)} does not read topic ${raw.topic}; it reads ${this.inputTopics.join(', ')}`);
      const queue = this.#queueFor(raw.topic, raw.partition);
      const record = this.#deserialize(raw, source.node as NodeOf<'Source'>, queue.partitionTime);
      if (record === undefined) {
        queue.commitOffset = raw.offset + 1;
        continue;
      }
      if (record.timestamp > queue.partitionTime) queue.partitionTime = record.timestamp;
      queue.records.push({ record, raw, source });
      queue.idleDeadline = undefined;
    }
  }

  #queueFor(topic: string, partition: number): PartitionQueue {
    let byPartition = this.#queuesByTopic.get(topic);
    if (byPartition === undefined) this.#queuesByTopic.set(topic, (byPartition = new Map()));
    let queue = byPartition.get(partition);
    if (queue === undefined) {
      queue = { topic, partition, records: [], head: 0, partitionTime: -1, commitOffset: -1, fetchedLag: undefined, idleDeadline: undefined };
      byPartition.set(partition, queue);
      this.#queues.push(queue);
    }
    return queue;
  }

  #deserialize(raw: InputRecord, source: NodeOf<'Source'>, partitionTime: number): Record<unknown, unknown> | undefined {
    let key: unknown;
    let value: unknown;
    try {
      key = raw.key === null ? null : source.keySerde!.deserialize(raw.key, raw.topic);
      value = raw.value === null ? null : source.valueSerde!.deserialize(raw.value, raw.topic);
    } catch (cause) {
      const message = `cannot deserialize record: ${cause instanceof Error ? cause.message : String(cause)}`;
      this.handleError('deserialization', new DeserializationError(message, { ...atRecord(raw), cause }), raw);
      this.#dropped++;
      return undefined;
    }
    let timestamp = raw.timestamp;
    if (source.timestampExtractor !== undefined) {
      try {
        timestamp = source.timestampExtractor({ topic: raw.topic, partition: raw.partition, offset: raw.offset, key, value, timestamp: raw.timestamp, headers: raw.headers }, partitionTime);
      } catch (cause) {
        const message = `timestamp extractor failed: ${cause instanceof Error ? cause.message : String(cause)}`;
        this.handleError('deserialization', new DeserializationError(message, { ...atRecord(raw), cause }), raw);
        this.#dropped++;
        return undefined;
      }
    }
    if (!(timestamp >= 0)) {
      this.#dropped++;
      this.logger.warn({ topic: raw.topic, partition: raw.partition, offset: raw.offset, timestamp }, 'record dropped: invalid (negative) timestamp');
      return undefined;
    }
    return new Record(key, value, timestamp, raw.headers);
  }

  /**
   * Processes the buffered record with the smallest timestamp across this task's partitions, then fires
   * due stream-time punctuations. Returns false when nothing is buffered, or when the task must wait for
   * an input partition (see {@link TaskOptions.maxTaskIdleMs}).
   */
  process(): boolean {
    let chosen: PartitionQueue | undefined;
    let chosenTs = Infinity;
    const queues = this.#queues;
    for (let i = 0; i < queues.length; i++) {
      const queue = queues[i]!;
      if (queue.head < queue.records.length) {
        const ts = queue.records[queue.head]!.record.timestamp;
        if (chosen === undefined || ts < chosenTs) {
          chosen = queue;
          chosenTs = ts;
        }
      }
    }
    // Only a task with something buffered starts waiting (as Kafka Streams' StreamTask.isProcessable).
    if (chosen === undefined || (this.#maxTaskIdleMs >= 0 && !this.#readyToProcess())) return false;
    const pending = chosen.records[chosen.head]!;
    chosen.records[chosen.head++] = undefined as never;
    if (chosen.head === chosen.records.length) {
      chosen.records.length = 0;
      chosen.head = 0;
    }
    this.#processOne(pending);
    chosen.commitOffset = pending.raw.offset + 1;
    this.punctuateStreamTime();
    return true;
  }

  /** Processes everything buffered; returns how many records were processed. */
  processAll(): number {
    let n = 0;
    while (this.process()) n++;
    return n;
  }

  #processOne(pending: PendingRecord): void {
    if (!this.#initialized) this.initialize();
    const { record, raw, source } = pending;
    if (record.timestamp > this.#streamTime) this.#streamTime = record.timestamp;
    this.currentInput = raw;
    this.#currentTimestamp = record.timestamp;
    try {
      source.process(record);
      this.#processed++;
    } catch (thrown) {
      const nodeName = this.currentNode?.node.name ?? source.node.name;
      const error = asStreamsError(thrown, (message, cause) => new ProcessingError(message, { nodeName, ...atRecord(raw), cause }));
      this.currentNode = undefined;
      this.handleError('processing', error, raw);
      this.#dropped++;
    } finally {
      this.currentNode = undefined;
      this.currentInput = undefined;
      this.currentHeaders = NO_HEADERS;
    }
  }

  /**
   * Forwards a flushed cache entry as if its latest update were being processed again (Kafka Streams sets
   * the entry's record context). A failure downstream goes through the processing error policy with the
   * entry's input record, and counts that update as dropped.
   */
  #forwardInRecordContext(store: string, timestamp: number, headers: Headers, origin: InputRecord | undefined, forward: () => void): void {
    if (!this.#initialized) this.initialize();
    const previousNode = this.currentNode;
    const previousInput = this.currentInput;
    const previousTimestamp = this.#currentTimestamp;
    const previousHeaders = this.currentHeaders;
    this.currentInput = origin;
    this.#currentTimestamp = timestamp;
    this.currentHeaders = headers;
    try {
      forward();
    } catch (thrown) {
      const nodeName = this.currentNode?.node.name ?? store;
      const error = asStreamsError(thrown, (message, cause) => new ProcessingError(`forwarding a cached update of store ${store} failed: ${message}`, { nodeName, ...atRecord(origin), cause }));
      this.#dropped++;
      this.handleError('processing', error, origin);
    } finally {
      this.currentNode = previousNode;
      this.currentInput = previousInput;
      this.#currentTimestamp = previousTimestamp;
      this.currentHeaders = previousHeaders;
    }
  }

  /**
   * Flushes every caching store. A flush forwards downstream, which may fill the cache of a store further
   * down in this task, so flushing repeats until no cache holds anything (stores form a DAG: at most one
   * pass per store).
   */
  #flushCaches(): void {
    const cached = this.#cached;
    for (let pass = 0; pass <= cached.length; pass++) {
      let flushed = false;
      for (const store of cached) {
        if (store.dirtyEntries === 0) continue;
        store.flushCache();
        flushed = true;
      }
      if (!flushed) return;
    }
  }

  /**
   * Applies the phase's error policy: rethrows (policy fail), or logs, optionally queues a dead letter,
   * and returns so processing goes on.
   */
  handleError(phase: ErrorPhase, error: StreamsError, raw: InputRecord | undefined = this.currentInput): void {
    const failed: FailedRecord | null = raw === undefined ? null : raw;
    const decision = this.#policies[phase](error, failed, phase, this.logger);
    if (decision.action === 'fail') throw error;
    if (decision.deadLetter !== undefined) this.collector.send(decision.deadLetter);
  }

  /** Fires stream-time punctuations due at the current stream time. */
  punctuateStreamTime(): boolean {
    if (this.#streamTime < 0 || this.#streamTimePunctuations.isEmpty) return false;
    return this.#streamTimePunctuations.mayPunctuate(this.#streamTime, (schedule, ts) => this.#punctuate(schedule, ts));
  }

  /** Fires wall-clock punctuations due at `scheduler.now()`. */
  punctuateWallClock(): boolean {
    if (this.#wallClockPunctuations.isEmpty) return false;
    return this.#wallClockPunctuations.mayPunctuate(this.scheduler.now(), (schedule, ts) => this.#punctuate(schedule, ts));
  }

  #punctuate(schedule: PunctuationSchedule, timestamp: number): void {
    if (!this.#initialized) this.initialize();
    const node = this.#nodes.get(schedule.nodeName)!;
    const previousTs = this.#currentTimestamp;
    this.#currentTimestamp = timestamp;
    this.currentNode = node;
    try {
      schedule.callback(timestamp);
    } catch (thrown) {
      const error = asStreamsError(thrown, (message, cause) => new ProcessingError(`punctuation failed: ${message}`, { nodeName: node.node.name, cause }));
      this.handleError('processing', error, undefined);
    } finally {
      this.currentNode = undefined;
      this.#currentTimestamp = previousTs;
    }
  }

  /**
   * Flushes the record cache (forwarding the updates it held back, so their outputs are part of this
   * commit), flushes stores and returns everything to produce since the last commit: output records, the
   * changelog records of the stores, and the input offsets to commit.
   */
  commit(): CommitResult {
    this.#flushCaches();
    for (const store of this.#stores.values()) store.flush();
    const changelog: OutgoingRecord[] = [];
    for (const logged of this.#logged) logged.store.drainChangelog(changelog);
    const offsets: CommitOffset[] = [];
    for (const queue of this.#queues) {
      if (queue.commitOffset < 0) continue;
      offsets.push({ topic: queue.topic, partition: queue.partition, offset: queue.commitOffset });
      queue.commitOffset = -1;
    }
    return { records: this.collector.drain(), changelog, offsets };
  }

  /**
   * Per-node counts since the previous call (then reset) and the current store sizes; the runtime reads
   * them at commit for metrics, so the hot path only increments fields. Sizing a window or session store
   * walks its keys, so callers sample stores less often than they commit.
   */
  drainMetrics(sampleStores = true): TaskMetrics {
    const nodes: NodeMetrics[] = [];
    for (const n of this.#nodes.values()) {
      nodes.push({ node: n.node.name, recordsIn: n.recordsIn, recordsOut: n.recordsOut, dropped: n.dropped });
      n.recordsIn = n.recordsOut = n.dropped = 0;
    }
    const droppedRecords = this.#dropped - this.#droppedReported;
    this.#droppedReported = this.#dropped;
    const stores: { store: string; entries: number }[] = [];
    if (sampleStores) for (const [name, store] of this.#stores) {
      const sized = store as StateStore & { approximateNumEntries?: () => number };
      if (typeof sized.approximateNumEntries === 'function') stores.push({ store: name, entries: sized.approximateNumEntries() });
    }
    return { nodes, droppedRecords, stores };
  }

  /**
   * Closes processors and stores. Uncommitted output is discarded, and so are updates the record cache
   * still holds: a clean close commits first (which flushes the cache), a close after a failure does not.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const node of this.#nodes.values()) node.processor.close?.();
    for (const store of this.#stores.values()) store.close();
  }
}
