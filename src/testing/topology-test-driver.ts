import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { tap, type Observable } from 'rxjs';
import type { ErrorPolicies, OutgoingRecord } from '../errors.js';
import { StreamsError } from '../errors.js';
import { internalTopicName } from '../graph/naming.js';
import type { Topology } from '../graph/topology.js';
import { silentLogger } from '../logger.js';
import type { Headers } from '../processor/record.js';
import { Task, type CommitResult, type InputRecord, type TaskMetrics } from '../runtime/task.js';
import type { Serde } from '../serde/serde.js';
import type { KeyValueStore } from '../state/key-value-store.js';
import { RecordCache } from '../state/record-cache.js';
import type { StateStore } from '../state/state-store.js';
import type { KeyValueStoreType } from '../state/store-spec.js';
import { ManualClockScheduler } from './manual-clock-scheduler.js';

export interface TopologyTestDriverOptions {
  /** Prefix of internal topics and changelogs; default `test-app`. */
  readonly applicationId?: string;
  /** Start of the wall clock (ms); default `Date.now()`. It moves only via advanceWallClockTime(). */
  readonly initialWallClockTime?: number;
  readonly errorPolicies?: Partial<ErrorPolicies>;
  readonly logger?: Logger;
  /**
   * Record cache size (Kafka Streams' `statestore.cache.max.bytes`); default 0, cache off. The driver
   * commits (and so flushes the cache) after every input record, so with a cache only the updates one
   * input record causes to the same key are merged, as in Kafka Streams' driver.
   *
   * @example
   * const driver = new TopologyTestDriver(topology, { cacheMaxBytes: 1024 * 1024 });
   */
  readonly cacheMaxBytes?: number;
  /**
   * Partition counts of output topics, as a StreamPartitioner sees them (`partitionCount`). Every other topic
   * counts as the partitions its Repartitioned declares, else 1. The driver itself runs one partition.
   *
   * @example
   * const driver = new TopologyTestDriver(topology, { partitionCounts: { orders: 6 } });
   */
  readonly partitionCounts?: Readonly<Record<string, number>>;
  /**
   * Store type of the key-value stores whose Materialized names none (default `'in-memory'`). With
   * `'persistent'`, the stores live in a fresh folder under the OS temp directory, removed by `close()`.
   *
   * @example
   * const driver = new TopologyTestDriver(topology, { defaultStoreType: 'persistent' });
   * driver.close();
   */
  readonly defaultStoreType?: KeyValueStoreType;
}

/** A record written to or read from a test topic. */
export interface TestRecord<K, V> {
  readonly key: K | null;
  readonly value: V | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** Input for pipeRecordList: timestamp and headers optional. */
export interface TestInputRecord<K, V> {
  readonly key: K | null;
  readonly value: V | null;
  readonly timestamp?: number;
  readonly headers?: Headers;
}

/** The partition count a StreamPartitioner sees on the driver: the declared one (option, then Repartitioned), else 1. */
function declaredPartitionCounts(topology: Topology, applicationId: string, declared: Readonly<Record<string, number>>): (topic: string) => number {
  const counts = new Map<string, number>();
  for (const spec of topology.repartitionTopics) if (spec.partitions !== undefined) counts.set(internalTopicName(applicationId, spec.topic), spec.partitions);
  for (const [topic, count] of Object.entries(declared)) counts.set(topic, count);
  return (topic) => counts.get(topic) ?? 1;
}

/**
 * Runs a topology in-process with no broker, exactly as Kafka Streams' TopologyTestDriver does: one task
 * holding every sub-topology, one partition per topic, records to repartition (or any input) topics fed
 * back immediately (depth first), and a commit after every input record (which flushes the record cache
 * when `cacheMaxBytes` turns it on; off by default). It uses the same
 * Task, processors and stores as the Kafka runtime.
 *
 * @example
 * const driver = new TopologyTestDriver(builder.build());
 * const input = driver.createInputTopic('words', Serdes.string(), Serdes.string());
 * const output = driver.createOutputTopic('counts', Serdes.string(), Serdes.long());
 * input.pipeInput('a', 'hello', 10);
 * expect(output.readKeyValuesToList()).toEqual([['hello', 1]]);
 */
export class TopologyTestDriver {
  readonly #task: Task;
  readonly #clock: ManualClockScheduler;
  readonly #outputs = new Map<string, OutgoingRecord[]>();
  readonly #offsets = new Map<string, number>();
  readonly #inputTopics: ReadonlySet<string>;
  readonly #applicationId: string;
  /** Temp folder of the persistent stores; created only when a store may be persistent. */
  readonly #stateDir: string | undefined;

  constructor(topology: Topology, options: TopologyTestDriverOptions = {}) {
    // A store can ask for 'persistent' itself, so the folder exists unless no key-value store could use it.
    const mayPersist = [...topology.stores.values()].some((s) => s.type === 'key-value' && (s.storeType ?? options.defaultStoreType) === 'persistent');
    this.#stateDir = mayPersist ? mkdtempSync(join(tmpdir(), 'tributary-test-driver-')) : undefined;
    this.#applicationId = options.applicationId ?? 'test-app';
    this.#clock = new ManualClockScheduler(options.initialWallClockTime ?? Date.now());
    this.#task = new Task({
      id: { subtopology: 0, partition: 0 },
      topology,
      applicationId: this.#applicationId,
      subtopologies: topology.subtopologies.map((s) => s.id),
      scheduler: this.#clock,
      logger: options.logger ?? silentLogger(),
      ...(options.errorPolicies === undefined ? {} : { errorPolicies: options.errorPolicies }),
      ...(options.cacheMaxBytes === undefined ? {} : { cache: new RecordCache(options.cacheMaxBytes) }),
      partitionCount: declaredPartitionCounts(topology, this.#applicationId, options.partitionCounts ?? {}),
      storage: {
        ...(options.defaultStoreType === undefined ? {} : { defaultStoreType: options.defaultStoreType }),
        ...(this.#stateDir === undefined ? {} : { stateDir: this.#stateDir }),
      },
    });
    this.#task.initialize();
    this.#inputTopics = new Set(this.#task.inputTopics);
  }

  /** A topic to pipe records into. */
  createInputTopic<K, V>(topic: string, keySerde: Serde<NonNullable<K>>, valueSerde: Serde<NonNullable<V>>, options: { startTimestamp?: number; autoAdvance?: number } = {}): TestInputTopic<K, V> {
    return new TestInputTopic<K, V>(this, topic, keySerde, valueSerde, options.startTimestamp ?? this.#clock.now(), options.autoAdvance ?? 0);
  }

  /** A topic to read what the topology produced. */
  createOutputTopic<K, V>(topic: string, keySerde: Serde<NonNullable<K>>, valueSerde: Serde<NonNullable<V>>): TestOutputTopic<K, V> {
    return new TestOutputTopic<K, V>(this.#queue(topic), topic, keySerde, valueSerde);
  }

  /** @internal Feeds one serialized record, then processes, commits and routes outputs. */
  pipeRaw(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void {
    if (!this.#inputTopics.has(topic)) {
      throw new StreamsError(`topic ${topic} is not read by this topology; input topics: ${[...this.#inputTopics].join(', ')}`);
    }
    this.#enqueue(topic, key, value, timestamp, headers);
    // Like Kafka Streams' driver: one record at a time, each followed by a commit that captures everything it
    // produced. Records written to an input (e.g. repartition) topic are queued only then, so every output of
    // the record that wrote them is captured before they are processed (a direct path's output comes before a
    // repartitioned path's, whatever the order of the source's children).
    for (;;) {
      const processed = this.#task.process();
      this.#capture(this.#task.commit());
      // Nothing processable (a record the task dropped on arrival) or nothing left: done.
      if (!processed || this.#task.bufferedRecords === 0) break;
    }
  }

  #enqueue(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void {
    const offset = this.#offsets.get(topic) ?? 0;
    this.#offsets.set(topic, offset + 1);
    const raw: InputRecord = { topic, partition: 0, offset, key, value, timestamp, headers };
    this.#task.addRecords([raw]);
  }

  #capture(result: CommitResult): void {
    const fedBack: OutgoingRecord[] = [];
    for (const record of result.records) {
      this.#queue(record.topic).push(record);
      if (this.#inputTopics.has(record.topic)) fedBack.push(record);
    }
    for (const record of result.changelog) this.#queue(record.topic).push(record);
    for (const record of fedBack) this.#enqueue(record.topic, record.key, record.value, record.timestamp, record.headers);
  }

  #queue(topic: string): OutgoingRecord[] {
    let queue = this.#outputs.get(topic);
    if (queue === undefined) this.#outputs.set(topic, (queue = []));
    return queue;
  }

  /** Moves the wall clock forward, firing wall-clock punctuations (and scheduler actions) that come due. */
  advanceWallClockTime(ms: number): void {
    this.#clock.advanceTo(this.#clock.now() + ms);
    this.#task.punctuateWallClock();
    this.#capture(this.#task.commit());
  }

  /**
   * Pipes every record `source` emits into `topic`, as it emits it; resolves when `source` completes
   * (at once for a synchronous source such as `from([...])`) and rejects with its error. A record without
   * a timestamp gets the topic's current time.
   *
   * @example
   * await driver.pipeObservable(input, range(1, 3).pipe(map((i) => ({ key: `k${i}`, value: `v${i}`, timestamp: i * 1000 }))));
   */
  pipeObservable<K, V>(topic: TestInputTopic<K, V>, source: Observable<TestInputRecord<K, V>>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // Piping inside the chain (tap), not in the subscriber: a processing failure then becomes the chain's
      // error, which stops the source at once and rejects, instead of RxJS reporting it as unhandled.
      source.pipe(tap((r) => topic.pipeInput(r.key, r.value, r.timestamp, r.headers))).subscribe({
        error: (error: unknown) => reject(error instanceof Error ? error : new StreamsError(String(error))),
        complete: () => resolve(),
      });
    });
  }

  /** The current wall-clock time of the driver. */
  get wallClockTime(): number {
    return this.#clock.now();
  }

  /** Records dropped so far (the task's dropped-records-total). */
  get droppedRecords(): number {
    return this.#task.droppedRecords;
  }

  /**
   * Per-node record counts since the previous call and the current store sizes, as KafkaStreams hands them
   * to `StreamsMetricsHooks.taskMetrics` at each commit.
   */
  drainMetrics(): TaskMetrics {
    return this.#task.drainMetrics();
  }

  /** Names of every topic written to (outputs, repartition and changelog topics). */
  producedTopicNames(): string[] {
    return [...this.#outputs.keys()];
  }

  getStateStore<S extends StateStore = StateStore>(name: string): S {
    return this.#task.getStateStore<S>(name);
  }

  /** A key-value store of the topology, typed by the caller. */
  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> {
    return this.#task.getStateStore<KeyValueStore<K, V>>(name);
  }

  getAllStateStores(): ReadonlyMap<string, StateStore> {
    return this.#task.stores;
  }

  close(): void {
    this.#task.close();
    if (this.#stateDir !== undefined) rmSync(this.#stateDir, { recursive: true, force: true });
  }
}

/** Serializes with the given serdes and pipes into the driver; timestamps auto-advance if configured. */
export class TestInputTopic<K, V> {
  #time: number;

  /** @internal */
  constructor(
    private readonly driver: TopologyTestDriver,
    readonly name: string,
    private readonly keySerde: Serde<NonNullable<K>>,
    private readonly valueSerde: Serde<NonNullable<V>>,
    start: number,
    private readonly autoAdvance: number,
  ) {
    this.#time = start;
  }

  #nextTimestamp(given: number | undefined): number {
    if (given !== undefined) return given;
    const ts = this.#time;
    this.#time += this.autoAdvance;
    return ts;
  }

  /** Pipes one record; timestamp defaults to the topic's current time. */
  pipeInput(key: K | null, value: V | null, timestamp?: number, headers: Headers = {}): void {
    const key_ = key === null || key === undefined ? null : this.keySerde.serialize(key as NonNullable<K>, this.name);
    const value_ = value === null || value === undefined ? null : this.valueSerde.serialize(value as NonNullable<V>, this.name);
    this.driver.pipeRaw(this.name, key_, value_, this.#nextTimestamp(timestamp), headers);
  }

  /** Pipes a record with a null key. */
  pipeValue(value: V | null, timestamp?: number): void {
    this.pipeInput(null, value, timestamp);
  }

  pipeRecordList(records: Iterable<TestInputRecord<K, V>>): void {
    for (const r of records) this.pipeInput(r.key, r.value, r.timestamp, r.headers);
  }

  pipeKeyValueList(pairs: Iterable<readonly [K | null, V | null]>, timestamp?: number): void {
    for (const [k, v] of pairs) this.pipeInput(k, v, timestamp);
  }

  pipeValueList(values: Iterable<V | null>): void {
    for (const v of values) this.pipeValue(v);
  }

  /** Moves this topic's current time forward. */
  advanceTime(ms: number): void {
    this.#time += ms;
  }
}

/** Reads (and consumes) what the topology wrote to one topic, deserialized. */
export class TestOutputTopic<K, V> {
  #position = 0;

  /** @internal */
  constructor(
    private readonly records: OutgoingRecord[],
    readonly name: string,
    private readonly keySerde: Serde<NonNullable<K>>,
    private readonly valueSerde: Serde<NonNullable<V>>,
  ) {}

  getQueueSize(): number {
    return this.records.length - this.#position;
  }

  isEmpty(): boolean {
    return this.getQueueSize() === 0;
  }

  /** The next record; throws when the topic is empty. */
  readRecord(): TestRecord<K, V> {
    const raw = this.records[this.#position];
    if (raw === undefined) throw new RangeError(`no more records in output topic ${this.name}`);
    this.#position++;
    return {
      key: raw.key === null ? null : this.keySerde.deserialize(raw.key, this.name),
      value: raw.value === null ? null : this.valueSerde.deserialize(raw.value, this.name),
      timestamp: raw.timestamp,
      headers: raw.headers,
    };
  }

  readValue(): V | null {
    return this.readRecord().value;
  }

  readKeyValue(): [K | null, V | null] {
    const r = this.readRecord();
    return [r.key, r.value];
  }

  readRecordsToList(): TestRecord<K, V>[] {
    const out: TestRecord<K, V>[] = [];
    while (!this.isEmpty()) out.push(this.readRecord());
    return out;
  }

  readKeyValuesToList(): [K | null, V | null][] {
    return this.readRecordsToList().map((r) => [r.key, r.value]);
  }

  readValuesToList(): (V | null)[] {
    return this.readRecordsToList().map((r) => r.value);
  }

  /** Latest value per key (a null value removes the key). */
  readKeyValuesToMap(): Map<K | null, V> {
    const map = new Map<K | null, V>();
    for (const r of this.readRecordsToList()) {
      if (r.value === null) map.delete(r.key);
      else map.set(r.key, r.value);
    }
    return map;
  }
}
