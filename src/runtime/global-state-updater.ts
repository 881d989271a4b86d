import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { asStreamsError, ConfigError, defaultErrorPolicies, ProductionError, StreamsError, type ErrorPolicies, type OutgoingRecord } from '../errors.js';
import type { Topology } from '../graph/topology.js';
import { requireAllDelivered } from './production-errors.js';
import type { AdminPort, ConsumedBatch, ConsumerPort, KafkaPort, ProducerPort, ReadRequest } from '../kafka/port.js';
import { silentLogger } from '../logger.js';
import type { RestoreProgress } from '../state/restore.js';
import type { StateStore } from '../state/state-store.js';
import { Task, type InputRecord } from './task.js';
import { SerdePreparation } from './serde-preparation.js';

/** Name under which global-store restore progress is reported (in place of a task id). */
export const GLOBAL_TASK_NAME = 'global';

export interface GlobalStateUpdaterOptions {
  readonly topology: Topology;
  readonly applicationId: string;
  /** Part of the id of the consumer group that reads the global topics (see {@link GlobalStateUpdater}). */
  readonly instanceId: string;
  readonly kafka: KafkaPort;
  /** read_committed for bootstrap and updates (exactly-once applications). */
  readonly readCommitted: boolean;
  readonly errorPolicies?: Partial<ErrorPolicies>;
  readonly logger?: Logger;
  readonly scheduler?: SchedulerLike;
  /** Called after every bootstrap batch applied to a global store. */
  readonly onProgress?: (progress: RestoreProgress) => void;
  /** Called when applying updates fails after bootstrap (the application must stop). */
  readonly onError?: (error: StreamsError) => void;
}

export interface BootstrapResult {
  /** Records read from the global topics up to their end offsets. */
  readonly records: number;
  readonly durationMs: number;
}

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * Keeps the global stores of an instance (every `globalTable()`) complete and up to date, as Kafka Streams'
 * global thread does. The global sub-topologies run in one Task of their own (the same source, table-source
 * processors and stores as everywhere else), so deserialization errors follow the error policies and dead
 * letters are produced.
 *
 * - `start()` bootstraps: reads every partition of the global topics from the beginning to the end offsets
 *   found at start, then starts a consumer for the updates. The topic is the store's changelog: nothing else
 *   is written, and a restart loads the topic again.
 * - kafkajs cannot assign partitions without a group, so the update consumer joins a group of its own
 *   (`<applicationId>-global-<instanceId>-<random>`), whose only member gets every partition; it never
 *   commits offsets, seeks past what the bootstrap applied and skips anything below it that still arrives.
 *
 * @example
 * const updater = new GlobalStateUpdater({ topology, applicationId: 'app', instanceId: 'a', kafka, readCommitted: true });
 * await updater.start(admin);
 * new Task({ id, topology, applicationId: 'app', globalStores: updater.stores });
 * // ...
 * await updater.close();
 */
export class GlobalStateUpdater {
  readonly #options: GlobalStateUpdaterOptions;
  readonly #logger: Logger;
  readonly #task: Task;
  readonly #storeByTopic = new Map<string, string>();
  /** Next offset to apply per global partition: records below were applied by the bootstrap. */
  readonly #position = new Map<string, number>();
  readonly #serdes: SerdePreparation;
  #consumer: ConsumerPort | undefined;
  #producer: Promise<ProducerPort> | undefined;
  #closed = false;
  #applied = 0;

  constructor(options: GlobalStateUpdaterOptions) {
    this.#options = options;
    this.#logger = (options.logger ?? silentLogger()).child({ globalStores: true });
    const globals = options.topology.globalSubtopologies;
    if (globals.length === 0) throw new ConfigError('the topology has no global table: no global state to update');
    this.#task = new Task({
      id: { subtopology: globals[0]!.id, partition: 0 },
      subtopologies: globals.map((s) => s.id),
      topology: options.topology,
      applicationId: options.applicationId,
      scheduler: options.scheduler ?? asyncScheduler,
      errorPolicies: { ...defaultErrorPolicies, ...options.errorPolicies },
      logger: this.#logger,
    });
    for (const s of globals) for (const source of s.sourceTopics) this.#storeByTopic.set(source.topic, s.stores[0] ?? source.topic);
    this.#task.initialize();
    this.#serdes = new SerdePreparation(options.topology, options.applicationId);
  }

  /** The global stores by name, for stream tasks (`globalStores`) and interactive queries. */
  get stores(): ReadonlyMap<string, StateStore> {
    return this.#task.stores;
  }

  /** The global topics read. */
  get topics(): readonly string[] {
    return this.#task.inputTopics;
  }

  /** Global records applied so far (bootstrap and updates). */
  get appliedRecords(): number {
    return this.#applied;
  }

  /**
   * Loads every global topic to its end offsets, then starts consuming updates. Resolves once the stores
   * hold everything written before the call.
   *
   * @throws ConfigError when a global topic does not exist; the policy's error when a record fails under
   *   log-and-fail.
   */
  async start(admin: AdminPort): Promise<BootstrapResult> {
    const result = await this.#bootstrap(admin);
    if (this.#closed) return result;
    const consumer = (this.#consumer = this.#options.kafka.consumer({
      groupId: `${this.#options.applicationId}-global-${this.#options.instanceId}-${randomUUID()}`,
      readCommitted: this.#options.readCommitted,
    }));
    await consumer.run(this.topics, {
      onAssigned: (partitions) => {
        this.#logger.debug({ partitions: partitions.length }, 'global consumer assigned');
        // Start where the bootstrap ended instead of re-reading the topic; #apply still skips anything below.
        const positions = partitions.flatMap((p) => {
          const offset = this.#position.get(tpKey(p.topic, p.partition));
          return offset === undefined ? [] : [{ topic: p.topic, partition: p.partition, offset }];
        });
        if (positions.length > 0) consumer.seek(positions);
      },
      onBatch: async (batch) => {
        if (this.#closed) return;
        try {
          const prefetched = this.#serdes.prefetch(batch.topic, batch.records);
          if (prefetched !== undefined) await prefetched;
          this.#apply(batch);
          await this.#flushDeadLetters();
        } catch (error) {
          this.#failed(error);
        }
      },
      onCrash: (error) => this.#failed(error),
    });
    return result;
  }

  async #bootstrap(admin: AdminPort): Promise<BootstrapResult> {
    const started = Date.now();
    const topics = this.topics;
    const counts = await admin.partitionCounts(topics);
    const missing = topics.filter((t) => !counts.has(t));
    if (missing.length > 0) {
      throw new ConfigError(`global table topic ${missing.join(', ')} does not exist; create it before starting the application ${this.#options.applicationId}`);
    }
    const requests: ReadRequest[] = [];
    for (const topic of topics) {
      for (const o of await admin.offsets(topic)) {
        if (o.high > o.low) requests.push({ topic, partition: o.partition, endOffset: o.high });
      }
    }
    this.#logger.info({ partitions: requests.map((r) => `${r.topic}-${r.partition}@${r.endOffset}`) }, `loading ${requests.length} global partitions`);
    const ends = new Map(requests.map((r) => [tpKey(r.topic, r.partition), r.endOffset]));
    const restored = new Map<string, number>();
    let failure: unknown;
    let records = 0;
    const apply = (batch: ConsumedBatch): void => {
      // Throwing here would reach the reading client; the first failure is rethrown once the read ends.
      if (failure !== undefined || this.#closed) return;
      try {
        const key = tpKey(batch.topic, batch.partition);
        const applied = this.#apply(batch, ends.get(key));
        if (applied === 0) return;
        records += applied;
        const count = (restored.get(key) ?? 0) + applied;
        restored.set(key, count);
        this.#options.onProgress?.({
          storeName: this.#storeByTopic.get(batch.topic) ?? batch.topic,
          topic: batch.topic,
          partition: batch.partition,
          restored: count,
          endOffset: ends.get(key),
          lastOffset: batch.records[batch.records.length - 1]!.offset,
        });
      } catch (error) {
        failure = error;
      }
    };
    await this.#options.kafka.readToEnd(
      requests,
      (batch) => {
        // Serdes fetch what they need (e.g. writer schemas by id) so that deserializing never waits.
        const prefetched = failure === undefined ? this.#serdes.prefetch(batch.topic, batch.records) : undefined;
        if (prefetched === undefined) return apply(batch);
        return prefetched.then(() => apply(batch), (error: unknown) => void (failure ??= error));
      },
      { readCommitted: this.#options.readCommitted },
    );
    if (failure !== undefined) throw asStreamsError(failure, (message, cause) => new StreamsError(`global table bootstrap failed: ${message}`, { cause }));
    // The read reached every end offset (transaction markers included): updates start there.
    for (const [key, endOffset] of ends) if ((this.#position.get(key) ?? 0) < endOffset) this.#position.set(key, endOffset);
    await this.#flushDeadLetters();
    const durationMs = Date.now() - started;
    this.#logger.info({ records, durationMs, stores: [...this.stores.keys()] }, `global stores loaded: ${records} records`);
    return { records, durationMs };
  }

  /** Applies the records of a batch not applied yet and below `end`; returns how many. */
  #apply(batch: ConsumedBatch, end = Infinity): number {
    const key = tpKey(batch.topic, batch.partition);
    const from = this.#position.get(key) ?? 0;
    const inputs: InputRecord[] = [];
    for (const r of batch.records) {
      if (r.offset < from || r.offset >= end) continue;
      inputs.push({ topic: batch.topic, partition: batch.partition, offset: r.offset, key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers });
    }
    if (inputs.length === 0) return 0;
    this.#position.set(key, inputs[inputs.length - 1]!.offset + 1);
    this.#task.addRecords(inputs);
    this.#task.processAll();
    this.#applied += inputs.length;
    return inputs.length;
  }

  /** Produces the dead letters of failed global records (outside any transaction: they belong to none). */
  async #flushDeadLetters(): Promise<void> {
    const deadLetters: readonly OutgoingRecord[] = this.#task.commit().records;
    if (deadLetters.length === 0) return;
    this.#producer ??= this.#options.kafka.producer({});
    try {
      requireAllDelivered(await (await this.#producer).send(deadLetters), 'dead-letter');
    } catch (error) {
      throw new ProductionError(`cannot produce ${deadLetters.length} dead letters of global records: ${error instanceof Error ? error.message : String(error)}`, { topic: deadLetters[0]!.topic, cause: error });
    }
  }

  #failed(error: unknown): void {
    if (this.#closed) return;
    const failure = asStreamsError(error, (message, cause) => new StreamsError(`global table update failed: ${message}`, { cause }));
    this.#logger.error({ err: failure }, failure.message);
    this.#options.onError?.(failure);
  }

  /** Stops the update consumer and the dead-letter producer, then closes the global stores. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#consumer?.close().catch((e) => this.#logger.warn({ err: e }, 'global consumer close failed'));
    if (this.#producer !== undefined) await (await this.#producer.catch(() => undefined))?.close().catch(() => undefined);
    this.#task.close();
  }
}
