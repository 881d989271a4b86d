import type { Logger } from 'pino';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import {
  asStreamsError,
  atRecord,
  defaultErrorPolicies,
  ProcessingError,
  StateStoreError,
  StreamsError,
  type ErrorPhase,
  type ErrorPolicies,
  type FailedRecord,
  type OutgoingRecord,
} from '../errors.js';
import type { NodeOf } from '../graph/nodes.js';
import type { Topology } from '../graph/topology.js';
import { silentLogger } from '../logger.js';
import type { StateStore, StoreContext } from '../state/state-store.js';
import type { Cancellable, PunctuationType, RecordMetadata, TaskId } from '../processor/processor.js';
import { taskIdToString } from '../processor/processor.js';
import { Record, type Headers } from '../processor/record.js';
import { deserializeInput } from './input-deserializer.js';
import { PartitionQueues, type PendingRecord } from './partition-queues.js';
import { wireProcessorNodes, type ProcessorNode } from './processor-node.js';
import { PunctuationQueue, PunctuationSchedule } from './punctuation.js';
import { RecordCollector } from './record-collector.js';
import { TaskStores, taskStoreOptions } from './task-stores.js';
import { DEFAULT_MAX_LAG_WAIT_MS, type ChangelogPartition, type CommitResult, type InputRecord, type NodeMetrics, type TaskMetrics, type TaskOptions } from './task-types.js';

// The task's data types live in task-types.ts; they are exported from here too, where callers look for them.
export { DEFAULT_MAX_LAG_WAIT_MS } from './task-types.js';
export type { ChangelogPartition, CommitOffset, CommitResult, InputRecord, NodeMetrics, TaskMetrics, TaskOptions } from './task-types.js';

const NO_HEADERS: Headers = Object.freeze({});

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
  readonly #nodes: ReadonlyMap<string, ProcessorNode>;
  readonly #sourcesByTopic: ReadonlyMap<string, ProcessorNode>;
  readonly #stores: TaskStores;
  readonly #globalStores: ReadonlyMap<string, StateStore>;
  readonly #queues: PartitionQueues;
  readonly #streamTimePunctuations = new PunctuationQueue();
  readonly #wallClockPunctuations = new PunctuationQueue();
  #streamTime = -1;
  #currentTimestamp = -1;
  #dropped = 0;
  #droppedReported = 0;
  #processed = 0;
  #initialized = false;
  #closed = false;

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
    const maxTaskIdleMs = options.maxTaskIdleMs ?? -1;
    this.#partitionCount = options.partitionCount;
    const maxLagWaitMs = options.maxLagWaitMs ?? DEFAULT_MAX_LAG_WAIT_MS;
    if (!Number.isInteger(maxTaskIdleMs) || maxTaskIdleMs < -1) throw new RangeError(`maxTaskIdleMs must be an integer of at least -1, got ${maxTaskIdleMs}`);
    if (!(maxLagWaitMs >= 0)) throw new RangeError(`maxLagWaitMs must be at least 0, got ${maxLagWaitMs}`);
    this.#queues = new PartitionQueues(this.scheduler, maxTaskIdleMs, maxLagWaitMs);

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
    this.#stores = new TaskStores(options.topology, subtopologies.flatMap((s) => s.stores), this.applicationId, this.id.partition, options.cache, storeContext, taskStoreOptions(options.storage, this.id));
    const graph = wireProcessorNodes(this, options.topology, subtopologies);
    this.#nodes = graph.nodes;
    this.#sourcesByTopic = graph.sourcesByTopic;
    this.inputTopics = graph.inputTopics;
    // Waiting needs every input partition known up front: one never fetched yet is the first to wait for.
    if (maxTaskIdleMs >= 0) for (const topic of this.inputTopics) this.#queues.queueFor(topic, this.id.partition);
  }

  /** Changelog partitions backing this task's stores; restore them before `initialize()`. */
  changelogPartitions(): readonly ChangelogPartition[] {
    return this.#stores.changelogPartitions;
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
    return this.#queues.buffered;
  }

  /** Records buffered and not yet processed for one input partition. */
  bufferedRecordsOf(topic: string, partition: number): number {
    return this.#queues.bufferedOf(topic, partition);
  }

  /** How often processing went ahead although a partition's wait was not satisfied (time-out of the wait). */
  get enforcedProcessing(): number {
    return this.#queues.enforcedProcessing;
  }

  /**
   * What the consumer knows of an input partition: its fetch position (next offset to fetch) and its high
   * watermark. Their difference is the fetched lag that decides whether an empty queue must be waited for.
   */
  updateFetchPosition(topic: string, partition: number, position: number, highWatermark: number): void {
    if (!this.#sourcesByTopic.has(topic)) return;
    this.#queues.updateFetchPosition(topic, partition, position, highWatermark);
  }

  getStateStore<S extends StateStore>(name: string, forNode?: string): S {
    const store = this.#stores.all.get(name) ?? this.#globalStores.get(name);
    if (store === undefined) {
      throw new StateStoreError(`store ${name} is not available in task ${taskIdToString(this.id)}${forNode ? ` (asked by ${forNode})` : ''}`, { store: name, partition: this.id.partition });
    }
    return store as S;
  }

  /** Stores owned by this task, by name. */
  get stores(): ReadonlyMap<string, StateStore> {
    return this.#stores.all;
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
      const queue = this.#queues.queueFor(raw.topic, raw.partition);
      const record = this.#deserialize(raw, source.node as NodeOf<'Source'>, queue.partitionTime);
      if (record === undefined) {
        queue.commitOffset = raw.offset + 1;
        continue;
      }
      this.#queues.push(queue, { record, raw, source });
    }
  }

  /** Deserializes at the task's boundary; a failure goes through the deserialization policy and is dropped. */
  #deserialize(raw: InputRecord, source: NodeOf<'Source'>, partitionTime: number): Record<unknown, unknown> | undefined {
    const result = deserializeInput(raw, source, partitionTime);
    if (result instanceof Record) return result;
    if ('error' in result) this.handleError('deserialization', result.error, raw);
    else this.logger.warn({ topic: raw.topic, partition: raw.partition, offset: raw.offset, timestamp: result.invalidTimestamp }, 'record dropped: invalid (negative) timestamp');
    this.#dropped++;
    return undefined;
  }

  /**
   * Processes the buffered record with the smallest timestamp across this task's partitions, then fires
   * due stream-time punctuations. Returns false when nothing is buffered, or when the task must wait for
   * an input partition (see {@link TaskOptions.maxTaskIdleMs}).
   */
  process(): boolean {
    const next = this.#queues.take();
    if (next === undefined) return false;
    const { queue, pending } = next;
    this.#processOne(pending);
    queue.commitOffset = pending.raw.offset + 1;
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
    const changelog: OutgoingRecord[] = [];
    this.#stores.commit(changelog);
    const offsets = this.#queues.drainCommitOffsets();
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
    const stores = sampleStores ? this.#stores.sizes() : [];
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
    this.#stores.close();
  }
}
