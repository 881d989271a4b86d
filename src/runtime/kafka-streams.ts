import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { asyncScheduler, interval, type SchedulerLike, type Subscription } from 'rxjs';
import { ConfigError, StreamsError, asStreamsError, defaultErrorPolicies, type ErrorPolicies } from '../errors.js';
import type { Topology } from '../graph/topology.js';
import { kafkajsAdapter } from '../kafka/kafkajs-adapter.js';
import type { AdminPort, ConsumerPort, KafkaPort, ProducerOptions, ProducerPort, TopicPartitionOffset } from '../kafka/port.js';
import { TransactionFailedError } from '../kafka/transaction-errors.js';
import { silentLogger } from '../logger.js';
import type { ReadOnlyKeyValueStore } from '../state/key-value-store.js';
import { RecordCache } from '../state/record-cache.js';
import { copartitionAssignor } from './copartition-assignor.js';
import { GLOBAL_TASK_NAME, GlobalStateUpdater } from './global-state-updater.js';
import { planTopics, type TopicPlan } from './internal-topics.js';
import { Assignments } from './assignments.js';
import { AtLeastOnceSender } from './at-least-once-sender.js';
import { restoreTasks } from './changelog-reader.js';
import { AtLeastOnceCommitter, ExactlyOnceCommitter, type Committer } from './committer.js';
import { PartitionPauser } from './partition-pauser.js';
import { RecoveryBudget } from './recovery-budget.js';
import { RepartitionPurger } from './repartition-purger.js';
import { keyValueStoreView } from './store-queries.js';
import { SerdePreparation } from './serde-preparation.js';
import { StreamLoop } from './stream-loop.js';
import { TaskManager, tpKey, type RunningTask } from './task-manager.js';
import { taskStorageOf } from './state-directory.js';
import {
  DEFAULT_ALOS_COMMIT_INTERVAL_MS,
  DEFAULT_EOS_COMMIT_INTERVAL_MS,
  type CommitInfo,
  type KafkaStreamsConfig,
  type KafkaStreamsEvents,
  type ProcessingGuarantee,
  type RecoveryInfo,
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
  readonly #maxTaskIdleMs: number;
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
  /** Recoveries from failed transactions allowed before the instance gives up. */
  #recoveryBudget: RecoveryBudget | undefined;

  constructor(topology: Topology, config: KafkaStreamsConfig) {
    super();
    if (!config.applicationId) throw new ConfigError('applicationId is required: it names the consumer group and the internal topics');
    if (config.kafka === undefined && (config.brokers === undefined || config.brokers.length === 0)) {
      throw new ConfigError('brokers are required (e.g. ["localhost:9092"]) unless a kafka port is given');
    }
    this.#topology = topology;
    this.#config = config;
    this.applicationId = config.applicationId;
    this.instanceId = config.instanceId ?? randomUUID();
    this.guarantee = config.guarantee ?? 'at_least_once';
    if (this.guarantee !== 'at_least_once' && this.guarantee !== 'exactly_once') {
      throw new ConfigError(`guarantee must be 'at_least_once' or 'exactly_once', got ${String(this.guarantee)}`);
    }
    this.commitIntervalMs = config.commitIntervalMs ?? (this.guarantee === 'exactly_once' ? DEFAULT_EOS_COMMIT_INTERVAL_MS : DEFAULT_ALOS_COMMIT_INTERVAL_MS);
    this.#logger = (config.logger ?? silentLogger()).child({ applicationId: this.applicationId, instanceId: this.instanceId });
    this.#scheduler = config.scheduler ?? asyncScheduler;
    this.#pauser = new PartitionPauser(() => this.#consumer, this.#logger);
    this.#policies = { ...defaultErrorPolicies, ...config.errorPolicies };
    this.#maxTaskIdleMs = config.maxTaskIdleMs ?? 0;
    if (!Number.isInteger(this.#maxTaskIdleMs) || this.#maxTaskIdleMs < -1) {
      throw new ConfigError(`maxTaskIdleMs must be an integer of at least -1, got ${String(config.maxTaskIdleMs)}`);
    }
    const cacheMaxBytes = config.cacheMaxBytes ?? 0;
    if (!Number.isSafeInteger(cacheMaxBytes) || cacheMaxBytes < 0) throw new ConfigError(`cacheMaxBytes must be an integer of at least 0, got ${String(config.cacheMaxBytes)}`);
    this.#tasks = new TaskManager({
      topology,
      applicationId: this.applicationId,
      scheduler: this.#scheduler,
      policies: this.#policies,
      logger: this.#logger,
      cache: new RecordCache(cacheMaxBytes),
      maxTaskIdleMs: this.#maxTaskIdleMs,
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
    this.#kafka = config.kafka ?? kafkajsAdapter({ brokers: config.brokers!, clientId: `${this.applicationId}-${this.instanceId}`, logger: this.#logger });
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
      const userTopics = [...new Set(this.#topology.taskSubtopologies.flatMap((s) => s.sourceTopics.filter((t) => !t.internal).map((t) => t.topic)))];
      if (this.#topology.globalSubtopologies.length > 0) {
        // Like Kafka Streams' global thread: stream tasks start once every global store holds its whole topic.
        const loaded = await (this.#global = this.#globalStateUpdater()).start(admin);
        this.emit('restored', { task: GLOBAL_TASK_NAME, ...loaded });
      }
      const plan = (this.#plan = planTopics(this.#topology, this.applicationId, await admin.partitionCounts(userTopics)));
      await admin.createTopics(plan.internalTopics);
      // A StreamPartitioner is told the partition count of the topic it partitions for, as in Kafka Streams:
      // internal topics as planned, output topics as the broker reports them (a topic chosen per record by a
      // TopicNameExtractor, or not created yet, stays unknown: -1).
      const outputTopics = [...new Set([...this.#topology.nodes.values()].flatMap((n) => (n.kind === 'Sink' && !n.internal && typeof n.topic === 'string' ? [n.topic] : [])))];
      this.#partitionCounts = new Map([...(await admin.partitionCounts(outputTopics)), ...plan.internalTopics.map((t) => [t.topic, t.partitions] as const)]);
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
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), options.timeoutMs);
    });
    const done = await Promise.race([this.#closing.then(() => true as const), timedOut]);
    clearTimeout(timer);
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
      recover: (failure) => this.#recover(failure),
      pendingShutdown: () => this.#state === 'PENDING_SHUTDOWN',
    });
  }

  #committed(info: CommitInfo, offsets: readonly TopicPartitionOffset[]): void {
    this.#logger.debug(info, 'committed');
    this.emit('commit', info);
    this.#config.metrics?.commit?.(info);
    this.#purger?.purge(offsets);
  }

  /**
   * Recovers from an aborted transaction as Kafka Streams does from a corrupted or migrated task: closes
   * every task dirty (its uncommitted state is dropped), re-creates the producer (its InitProducerId also
   * fences a zombie transaction of ours), rewinds the input to the committed offsets and rebuilds the tasks
   * from their changelogs (read_committed). Gives up (ERROR) when the recovery budget is spent, e.g. when
   * another live instance keeps fencing this one with the same transactional id.
   */
  async #recover(failure: TransactionFailedError): Promise<void> {
    const budget = (this.#recoveryBudget ??= new RecoveryBudget(this.#config.transactionRecovery?.maxAttempts ?? 3, this.#config.transactionRecovery?.windowMs ?? 60_000, this.#transactionalId));
    const attempt = budget.admit(failure);
    const generation = this.#assignments.generation;
    const tasks = this.taskIds;
    this.#logger.warn({ err: failure, kind: failure.kind, attempt, tasks }, `transaction failed; recovering (attempt ${attempt} of ${budget.maxAttempts})`);
    this.#setState('REBALANCING');
    this.#tasks.closeAll();
    this.#pauser.resumeAll();
    this.#loop.uncommitted = false;
    await this.#producer?.close().catch((e) => this.#logger.debug({ err: e }, 'close of the failed producer failed'));
    this.#producer = await this.#kafka.producer(this.#producerOptions());
    const assigned = this.#assignments.assigned;
    const committed = await this.#admin!.committedOffsets(this.applicationId, [...new Set(assigned.map((tp) => tp.topic))]);
    // A rebalance while the producer was re-created: the new assignment rebuilds the tasks itself.
    if (generation !== this.#assignments.generation || this.#state !== 'REBALANCING') return;
    const next = new Map(committed.map((o) => [tpKey(o.topic, o.partition), o.offset]));
    this.#consumer!.seek(assigned.map((tp) => ({ topic: tp.topic, partition: tp.partition, offset: next.get(tpKey(tp.topic, tp.partition)) ?? 'earliest' })));
    await this.#assignments.createTasks(assigned, generation, next);
    const info: RecoveryInfo = { kind: failure.kind, reason: failure.message, tasks, attempt };
    this.#logger.warn(info, `recovered from a failed transaction: ${tasks.length} tasks rebuilt, input rewound to the committed offsets`);
    this.emit('recovered', info);
  }
}
