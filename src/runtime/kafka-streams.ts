import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { asyncScheduler, interval, type SchedulerLike, type Subscription } from 'rxjs';
import { ConfigError, StreamsError, asStreamsError, defaultErrorPolicies, type ErrorPolicies } from '../errors.js';
import type { Topology } from '../graph/topology.js';
import { kafkajsAdapter } from '../kafka/kafkajs-adapter.js';
import type { AdminPort, ConsumerPort, KafkaPort, ProducerOptions, ProducerPort, TopicPartitionOffset } from '../kafka/port.js';
import { silentLogger } from '../logger.js';
import type { ReadOnlyKeyValueStore } from '../state/key-value-store.js';
import { RecordCache } from '../state/record-cache.js';
import { copartitionAssignor } from './copartition-assignor.js';
import { GLOBAL_TASK_NAME, GlobalStateUpdater } from './global-state-updater.js';
import type { TopicPlan } from './internal-topics.js';
import { setUpTopics } from './topic-setup.js';
import { settlesWithin } from './settles-within.js';
import { Assignments } from './assignments.js';
import { AtLeastOnceSender } from './at-least-once-sender.js';
import { restoreTasks } from './changelog-reader.js';
import { AtLeastOnceCommitter, ExactlyOnceCommitter, type Committer } from './committer.js';
import { PartitionPauser } from './partition-pauser.js';
import { RepartitionPurger } from './repartition-purger.js';
import { keyValueStoreView } from './store-queries.js';
import { SerdePreparation } from './serde-preparation.js';
import { StreamLoop } from './stream-loop.js';
import { resolveStreamsConfig } from './resolved-config.js';
import { TaskManager, type RunningTask } from './task-manager.js';
import { TransactionRecovery } from './transaction-recovery.js';
import { taskStorageOf } from './state-directory.js';
import {
  type CommitInfo,
  type KafkaStreamsConfig,
  type KafkaStreamsEvents,
  type ProcessingGuarantee,
  type StreamsState,
} from './streams-config.js';

export * from './streams-config.js';

/**
 * Runs a topology on Kafka: one consumer in group `applicationId` over every source and repartition topic,
 * one task per (sub-topology, partition), changelog-backed stores restored before a task processes, global
 * tables loaded in full before any task processes and kept up to date by their own consumer, and a
 * commit loop (at-least-once: produce, flush, commit offsets; exactly-once: one Kafka transaction per
 * commit holding outputs, changelog records and consumer offsets).
 *
 * @example
 * const builder = new StreamsBuilder();
 * builder.stream('words', { key: Serdes.string(), value: Serdes.string() })
 *   .groupByKey().count({ storeName: 'counts' }).toStream().to('counts', { value: Serdes.long() });
 * const app = new KafkaStreams(builder.build(), { applicationId: 'word-count', brokers: ['localhost:9092'], guarantee: 'exactly_once' });
 * app.on('state', (state) => console.log(state));
 * await app.start();
 * // ... later
 * console.log(app.store<string, number>('counts').get('hello'));
 * await app.close();
 */
export class KafkaStreams extends EventEmitter<KafkaStreamsEvents> {
  readonly applicationId: string;
  readonly instanceId: string;
  readonly guarantee: ProcessingGuarantee;
  readonly commitIntervalMs: number;

  readonly #topology: Topology;
  readonly #kafka: KafkaPort;
  readonly #logger: Logger;
  readonly #scheduler: SchedulerLike;
  readonly #policies: ErrorPolicies;
  readonly #config: KafkaStreamsConfig;
  readonly #tasks: TaskManager;
  /** Partitions paused because their task buffers too many of their records. */
  readonly #pauser: PartitionPauser;
  #global: GlobalStateUpdater | undefined;
  #state: StreamsState = 'CREATED';
  #plan: TopicPlan | undefined;
  /** Partition counts of the topics the tasks write to with a fixed name (full names), read at start. */
  #partitionCounts = new Map<string, number>();
  #serdes: SerdePreparation | undefined;
  #admin: AdminPort | undefined;
  #producer: ProducerPort | undefined;
  #consumer: ConsumerPort | undefined;
  #timers: Subscription[] = [];
  #queue: Promise<void> = Promise.resolve();
  /** The group's assignments: generations, kept and new tasks (see Assignments). */
  readonly #assignments: Assignments;
  #purger: RepartitionPurger | undefined;
  /** At-least-once: sends outputs as they are produced (see AtLeastOnceSender). */
  #sender: AtLeastOnceSender | undefined;
  /** Delivers each commit under the guarantee; set at start. */
  #committer: Committer | undefined;
  /** Poll → process → punctuate → commit-if-due, step by step (see StreamLoop). */
  readonly #loop: StreamLoop;
  #error: StreamsError | undefined;
  /** The shutdown close() started; a second close() waits for the same one. */
  #closing: Promise<void> | undefined;
  /** Recovers from failed transactions; holds the budget of recoveries allowed before the instance gives up. */
  #transactionRecovery: TransactionRecovery | undefined;

  constructor(topology: Topology, config: KafkaStreamsConfig) {
    super();
    const resolved = resolveStreamsConfig(config);
    this.#topology = topology;
    this.#config = config;
    this.applicationId = resolved.applicationId;
    this.instanceId = resolved.instanceId;
    this.guarantee = resolved.guarantee;
    this.commitIntervalMs = resolved.commitIntervalMs;
    this.#logger = (config.logger ?? silentLogger()).child({ applicationId: this.applicationId, instanceId: this.instanceId });
    this.#scheduler = config.scheduler ?? asyncScheduler;
    this.#pauser = new PartitionPauser(() => this.#consumer, this.#logger);
    this.#policies = { ...defaultErrorPolicies, ...config.errorPolicies };
    this.#tasks = new TaskManager({
      topology,
      applicationId: this.applicationId,
      scheduler: this.#scheduler,
      policies: this.#policies,
      logger: this.#logger,
      cache: new RecordCache(resolved.cacheMaxBytes),
      maxTaskIdleMs: resolved.maxTaskIdleMs,
      storage: taskStorageOf(config, this.instanceId),
      subtopologies: () => this.#plan?.subtopologies ?? [],
      globalStores: () => this.#global?.stores,
      partitionCount: (topic) => this.#partitionCounts.get(topic),
    });
    this.#loop = new StreamLoop({
      tasks: this.#tasks,
      pauser: this.#pauser,
      logger: this.#logger,
      scheduler: this.#scheduler,
      commitIntervalMs: this.commitIntervalMs,
      metrics: config.metrics,
      state: () => this.#state,
      serdes: () => this.#serdes,
      sender: () => this.#sender,
      committer: () => this.#committer!,
    });
    this.#assignments = new Assignments({
      applicationId: this.applicationId,
      tasks: this.#tasks,
      pauser: this.#pauser,
      loop: this.#loop,
      logger: this.#logger,
      metrics: config.metrics,
      state: () => this.#state,
      setState: (next) => this.#setState(next),
      admin: () => this.#admin!,
      committer: () => this.#committer,
      restore: (tasks) => this.#restore(tasks),
    });
    this.#kafka = config.kafka ?? kafkajsAdapter({
      brokers: config.brokers!, clientId: `${this.applicationId}-${this.instanceId}`, logger: this.#logger,
      ...(config.security === undefined ? {} : { security: config.security }),
      ...(config.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: config.connectTimeoutMs }),
    });
    config.metrics?.init?.({ applicationId: this.applicationId, instanceId: this.instanceId });
  }

  get state(): StreamsState {
    return this.#state;
  }

  /** The error that moved the instance to ERROR, if any. */
  get error(): StreamsError | undefined {
    return this.#error;
  }

  /** Records processed by this instance since start. */
  get processedRecords(): number {
    return this.#loop.processedRecords;
  }

  /** Tasks running on this instance, e.g. `0_1`. */
  get taskIds(): string[] {
    return this.#tasks.ids;
  }

  /**
   * Creates internal topics, connects, joins the group and starts processing. Resolves once the consumer is
   * subscribed; the state turns RUNNING when the first assignment is restored.
   */
  async start(): Promise<void> {
    if (this.#state !== 'CREATED') throw new ConfigError(`start() can be called once, on a CREATED instance (state is ${this.#state})`);
    this.#setState('REBALANCING');
    try {
      const admin = (this.#admin = await this.#kafka.admin());
      if (this.#topology.globalSubtopologies.length > 0) {
        // Like Kafka Streams' global thread: stream tasks start once every global store holds its whole topic.
        const loaded = await (this.#global = this.#globalStateUpdater()).start(admin);
        this.emit('restored', { task: GLOBAL_TASK_NAME, ...loaded });
      }
      const { plan, partitionCounts } = await setUpTopics(this.#topology, this.applicationId, admin);
      this.#plan = plan;
      this.#partitionCounts = partitionCounts;
      if (this.#config.purgeRepartitionTopics !== false) this.#purger = new RepartitionPurger(admin, plan.repartitionTopics, this.#logger);
      await (this.#serdes = new SerdePreparation(this.#topology, this.applicationId)).prepare();
      this.#logger.info({ internalTopics: plan.internalTopics.map((t) => `${t.topic}(${t.partitions})`) }, 'internal topics ready');
      this.#producer = await this.#kafka.producer(this.#producerOptions());
      this.#committer = this.#createCommitter();
      const consumer = (this.#consumer = this.#kafka.consumer({
        groupId: this.applicationId,
        readCommitted: this.guarantee === 'exactly_once',
        assignor: copartitionAssignor(this.instanceId, plan.subtopologies),
        ...(this.#config.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: this.#config.sessionTimeoutMs }),
      }));
      this.#loop.resetCommitClock();
      this.#timers.push(interval(this.commitIntervalMs, this.#scheduler).subscribe(() => this.#enqueue(() => this.#loop.commitIfDue())));
      this.#timers.push(interval(this.#config.punctuationTickMs ?? 100, this.#scheduler).subscribe(() => this.#enqueue(async () => this.#loop.punctuateWallClock())));
      await consumer.run(plan.sourceTopics, {
        onAssigned: (partitions) => {
          const generation = this.#assignments.next();
          // Taken at the join: a commit queued before this assignment's tasks exist keeps the old generation.
          const groupMetadata = consumer.groupMetadata();
          this.#enqueue(() => this.#assignments.onAssigned(partitions, generation, groupMetadata));
        },
        onRebalancing: () => {
          if (this.#state === 'RUNNING') this.#setState('REBALANCING');
        },
        onBatch: (batch) => this.#enqueue(() => this.#loop.onBatch(batch)),
        onCrash: (error) => this.#fail(asStreamsError(error, (message, cause) => new StreamsError(`consumer stopped: ${message}`, { cause }))),
      });
    } catch (error) {
      const failure = asStreamsError(error, (message, cause) => new StreamsError(`start failed: ${message}`, { cause }));
      await (this.#closing ??= this.#shutdown(failure));
      throw failure;
    }
  }

  /**
   * Commits what was processed, leaves the group and closes the clients. Without `timeoutMs` it waits as long
   * as that takes (while Kafka is unreachable, the client's retries can take minutes); with it, it resolves
   * false once `timeoutMs` passed without the shutdown finishing (Kafka Streams' `close(Duration)`): the state
   * stays PENDING_SHUTDOWN and the shutdown goes on, and a process may exit then, since what was not committed
   * is processed again by the next owner.
   *
   * @example
   * process.once('SIGTERM', async () => process.exit((await app.close({ timeoutMs: 8000 })) ? 0 : 1));
   */
  async close(options: { readonly timeoutMs?: number } = {}): Promise<boolean> {
    if (this.#state === 'NOT_RUNNING') return true;
    if (this.#state === 'CREATED') {
      this.#setState('NOT_RUNNING');
      return true;
    }
    this.#closing ??= this.#shutdown(undefined);
    if (options.timeoutMs === undefined) {
      await this.#closing;
      return true;
    }
    const done = await settlesWithin(this.#closing, options.timeoutMs);
    if (!done) this.#logger.warn({ timeoutMs: options.timeoutMs }, 'close did not finish in time (is Kafka reachable?); the shutdown goes on in the background and work not committed will be redone by the next owner');
    return done;
  }

  /**
   * Read-only view of a key-value store across the tasks of this instance (interactive query). Only the
   * partitions this instance owns are visible, except for a global table's store, which holds every key.
   */
  store<K, V>(name: string): ReadOnlyKeyValueStore<K, V> {
    if (!this.#topology.stores.has(name)) throw new ConfigError(`no store named ${name} in this topology`);
    return keyValueStoreView<K, V>(() => {
      // A global store exists from start() on, so the lookup happens per call.
      const global = this.#global?.stores.get(name);
      if (global !== undefined) return [global];
      return [...this.#tasks.all()].map((t) => t.task.stores.get(name));
    });
  }

  get #transactionalId(): string {
    return `${this.applicationId}-${this.instanceId}`;
  }

  #producerOptions(): ProducerOptions {
    return this.guarantee === 'exactly_once' ? { transactionalId: this.#transactionalId, transactionTimeoutMs: this.#config.transactionTimeoutMs ?? 10_000 } : {};
  }

  #setState(next: StreamsState): void {
    const previous = this.#state;
    if (previous === next) return;
    this.#state = next;
    this.#logger.info({ state: next, previous }, `state ${previous} -> ${next}`);
    this.emit('state', next, previous);
  }

  /** Runs task work one piece at a time: batches, commits, punctuation and rebalances never interleave. */
  #enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(async () => {
      if (this.#state === 'ERROR' || this.#state === 'NOT_RUNNING') return;
      try {
        await work();
      } catch (error) {
        this.#fail(asStreamsError(error, (message, cause) => new StreamsError(message, { cause })));
      }
    });
    this.#queue = run;
    return run;
  }

  #fail(error: StreamsError): void {
    if (this.#state === 'ERROR' || this.#state === 'NOT_RUNNING') return;
    this.#error = error;
    this.#logger.error({ err: error }, `stopping on error: ${error.message}`);
    this.#closing ??= this.#shutdown(error);
  }

  async #shutdown(failure: StreamsError | undefined): Promise<void> {
    this.#setState('PENDING_SHUTDOWN');
    for (const t of this.#timers) t.unsubscribe();
    this.#timers = [];
    if (failure === undefined) {
      // The final commit runs after queued work; nothing new is enqueued once PENDING_SHUTDOWN.
      await this.#queue;
      try {
        await this.#loop.commit();
        await this.#committer?.inFlight;
      } catch (error) {
        this.#logger.warn({ err: error }, 'final commit failed; uncommitted work will be redone by the next owner');
      }
    }
    const closing: Promise<unknown>[] = [];
    // Leaving the group hands the partitions over at once instead of after the session timeout.
    if (this.#consumer) closing.push(this.#consumer.close().catch((e) => this.#logger.warn({ err: e }, 'consumer close failed')));
    if (this.#global) closing.push(this.#global.close().catch((e) => this.#logger.warn({ err: e }, 'global consumer close failed')));
    await Promise.all(closing);
    this.#tasks.closeAll();
    await this.#producer?.close().catch((e) => this.#logger.warn({ err: e }, 'producer close failed'));
    await this.#admin?.close().catch(() => undefined);
    if (failure !== undefined) {
      this.#setState('ERROR');
      // An 'error' event without listener would throw from this background path: the state and
      // `error` getter already tell what happened.
      if (this.listenerCount('error') > 0) this.emit('error', failure);
    } else this.#setState('NOT_RUNNING');
  }

  /** Loads the global tables before tasks start and applies their updates; failures stop the instance. */
  #globalStateUpdater(): GlobalStateUpdater {
    return new GlobalStateUpdater({
      topology: this.#topology,
      applicationId: this.applicationId,
      instanceId: this.instanceId,
      kafka: this.#kafka,
      readCommitted: this.guarantee === 'exactly_once',
      errorPolicies: this.#policies,
      logger: this.#logger,
      scheduler: this.#scheduler,
      onProgress: (progress) => {
        this.emit('restore', { ...progress, task: GLOBAL_TASK_NAME });
        this.#config.metrics?.restore?.({ ...progress, task: GLOBAL_TASK_NAME });
      },
      onError: (error) => this.#fail(error),
    });
  }

  /** Replays every changelog partition of the new tasks up to its end offset, in one read. */
  async #restore(tasks: readonly RunningTask[]): Promise<void> {
    await restoreTasks(tasks, {
      kafka: this.#kafka,
      admin: this.#admin!,
      readCommitted: this.guarantee === 'exactly_once',
      logger: this.#logger,
      onProgress: (progress) => {
        this.emit('restore', progress);
        this.#config.metrics?.restore?.(progress);
      },
      onRestored: (info) => this.emit('restored', info),
    });
  }

  /** The committer of the guarantee, over this instance's producer, consumer and tasks. */
  #createCommitter(): Committer {
    const host = {
      logger: this.#logger,
      tasks: this.#tasks,
      producer: () => this.#producer!,
      consumer: () => this.#consumer!,
      committed: (info: CommitInfo, offsets: readonly TopicPartitionOffset[]) => this.#committed(info, offsets),
      fail: (error: StreamsError) => this.#fail(error),
      stopping: () => this.#state === 'PENDING_SHUTDOWN' || this.#state === 'NOT_RUNNING' || this.#state === 'ERROR',
      sendAhead: () => this.#loop.sendAhead(),
    };
    if (this.guarantee === 'at_least_once') return new AtLeastOnceCommitter(host, (this.#sender = new AtLeastOnceSender(() => this.#producer, this.#policies.production, this.#logger)));
    return new ExactlyOnceCommitter({
      ...host,
      groupId: this.applicationId,
      transactionalId: this.#transactionalId,
      policy: this.#policies.production,
      groupMetadata: () => this.#assignments.groupMetadata,
      recover: (failure) => this.#recovery().recover(failure),
      pendingShutdown: () => this.#state === 'PENDING_SHUTDOWN',
    });
  }

  #committed(info: CommitInfo, offsets: readonly TopicPartitionOffset[]): void {
    this.#logger.debug(info, 'committed');
    this.emit('commit', info);
    this.#config.metrics?.commit?.(info);
    this.#purger?.purge(offsets);
  }

  /** The recovery from failed transactions (exactly-once), created on the first failure. */
  #recovery(): TransactionRecovery {
    return (this.#transactionRecovery ??= new TransactionRecovery({
      logger: this.#logger,
      transactionalId: this.#transactionalId,
      groupId: this.applicationId,
      maxAttempts: this.#config.transactionRecovery?.maxAttempts ?? 3,
      windowMs: this.#config.transactionRecovery?.windowMs ?? 60_000,
      tasks: this.#tasks,
      pauser: this.#pauser,
      loop: this.#loop,
      assignments: this.#assignments,
      admin: () => this.#admin!,
      consumer: () => this.#consumer!,
      state: () => this.#state,
      setState: (next) => this.#setState(next),
      replaceProducer: async () => {
        await this.#producer?.close().catch((e) => this.#logger.debug({ err: e }, 'close of the failed producer failed'));
        this.#producer = await this.#kafka.producer(this.#producerOptions());
      },
      taskIds: () => this.taskIds,
      recovered: (info) => this.emit('recovered', info),
    }));
  }
}
