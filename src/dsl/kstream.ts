import type { Observable, OperatorFunction } from 'rxjs';
import { RecordHub, type ObserveOptions } from '../rx/record-hub.js';
import { TopologyError } from '../errors.js';
import { Prefix } from '../graph/naming.js';
import type { Processor } from '../processor/processor.js';
import type { Record } from '../processor/record.js';
import { BranchedKStream } from './branched-kstream.js';
import { STATE, type StreamState } from './handle-state.js';
import { KGroupedStream } from './kgrouped-stream.js';
import { KTable } from './ktable.js';
import { GlobalKTable } from './global-ktable.js';
import { streamGlobalTableJoin, streamStreamJoin, streamTableJoin, type Joined, type StreamJoined, type ValueJoiner } from './joins.js';
import type { JoinWindows } from './windows.js';
import { createFilterNode } from './operators/filter.js';
import { createFlatMapValuesNode } from './operators/flat-map-values.js';
import { createFlatMapNode } from './operators/flat-map.js';
import { createForeachNode } from './operators/foreach.js';
import { createMapValuesNode } from './operators/map-values.js';
import { createMapNode } from './operators/map.js';
import { createMergeNode } from './operators/merge.js';
import { createPeekNode } from './operators/peek.js';
import { createPipeNode } from './operators/pipe.js';
import { createProcessNode } from './operators/process.js';
import { addRepartitionTopic } from './operators/repartition.js';
import { createSelectKeyNode } from './operators/select-key.js';
import { createSinkNode } from './operators/sink.js';
import { createToTableNode } from './operators/to-table.js';
import type { Grouped, Materialized, Named, Produced, Repartitioned } from './options.js';
import type { ForeachAction, KeyValue, Predicate, TopicNameExtractor } from './types.js';

/**
 * An unbounded stream of key-value records. Every method adds a node to the topology and returns a new
 * handle; nothing runs until the built topology is started (or piped through a TopologyTestDriver).
 * Operations that may change the key (map, selectKey, flatMap, pipe) mark the stream: the next
 * key-dependent stateful operation (groupByKey aggregation, toTable, joins) first writes it through a
 * repartition topic.
 *
 * @example
 * builder.stream('words', { key: Serdes.string(), value: Serdes.string() })
 *   .filter((_, w) => w.length > 3)
 *   .groupBy((_, w) => w, { key: Serdes.string(), value: Serdes.string() })
 *   .count()
 *   .toStream()
 *   .to('word-counts', { value: Serdes.long() });
 */
export class KStream<K, V> {
  /** @internal */
  readonly [STATE]: StreamState<K, V>;

  /** @internal Streams are created by StreamsBuilder and by other handles. */
  constructor(state: StreamState<K, V>) {
    this[STATE] = Object.freeze(state);
  }

  #derive<KR, VR>(node: string, keepKeySerde: boolean, keepValueSerde: boolean, marks: boolean): KStream<KR, VR> {
    const s = this[STATE];
    return new KStream<KR, VR>({
      graph: s.graph,
      node,
      keySerde: keepKeySerde ? (s.keySerde as never) : undefined,
      valueSerde: keepValueSerde ? (s.valueSerde as never) : undefined,
      repartitionRequired: s.repartitionRequired || marks,
    });
  }

  /** Keeps the records for which `predicate(key, value)` is true. A type guard narrows the value type. */
  filter<VS extends V>(predicate: (key: K, value: V) => value is VS, options?: Named): KStream<K, VS>;
  filter(predicate: Predicate<K, V>, options?: Named): KStream<K, V>;
  filter(predicate: Predicate<K, V>, options?: Named): KStream<K, V> {
    const s = this[STATE];
    return this.#derive(createFilterNode(s.graph, s.node, predicate as Predicate<unknown, unknown>, false, options?.name).name, true, true, false);
  }

  /** Keeps the records for which `predicate(key, value)` is false. */
  filterNot(predicate: Predicate<K, V>, options?: Named): KStream<K, V> {
    const s = this[STATE];
    return this.#derive(createFilterNode(s.graph, s.node, predicate as Predicate<unknown, unknown>, true, options?.name).name, true, true, false);
  }

  /** A new key and value per record: `mapper(key, value) => [newKey, newValue]`. Marks for repartitioning. */
  map<KR, VR>(mapper: (key: K, value: V) => KeyValue<KR, VR>, options?: Named): KStream<KR, VR> {
    const s = this[STATE];
    return this.#derive(createMapNode(s.graph, s.node, mapper as never, options?.name).name, false, false, true);
  }

  /** A new value per record, key unchanged: `mapper(value, key)`. */
  mapValues<VR>(mapper: (value: V, key: K) => VR, options?: Named): KStream<K, VR> {
    const s = this[STATE];
    return this.#derive(createMapValuesNode(s.graph, s.node, mapper as never, options?.name).name, true, false, false);
  }

  /** Zero or more records per input, each with the input's timestamp. Marks for repartitioning. */
  flatMap<KR, VR>(mapper: (key: K, value: V) => Iterable<KeyValue<KR, VR>>, options?: Named): KStream<KR, VR> {
    const s = this[STATE];
    return this.#derive(createFlatMapNode(s.graph, s.node, mapper as never, options?.name).name, false, false, true);
  }

  /** Zero or more values per input, same key: `mapper(value, key)`. */
  flatMapValues<VR>(mapper: (value: V, key: K) => Iterable<VR>, options?: Named): KStream<K, VR> {
    const s = this[STATE];
    return this.#derive(createFlatMapValuesNode(s.graph, s.node, mapper as never, options?.name).name, true, false, false);
  }

  /** A new key per record, value unchanged. Marks for repartitioning. */
  selectKey<KR>(mapper: (key: K, value: V) => KR, options?: Named): KStream<KR, V> {
    const s = this[STATE];
    return this.#derive(createSelectKeyNode(s.graph, s.node, mapper as never, options?.name).name, false, true, true);
  }

  /** Runs `action` for each record and forwards it unchanged. */
  peek(action: ForeachAction<K, V>, options?: Named): KStream<K, V> {
    const s = this[STATE];
    return this.#derive(createPeekNode(s.graph, s.node, action as never, options?.name).name, true, true, false);
  }

  /** Runs `action` for each record (terminal). */
  foreach(action: ForeachAction<K, V>, options?: Named): void {
    const s = this[STATE];
    createForeachNode(s.graph, s.node, action as never, options?.name);
  }

  /**
   * Routes each record to the first branch whose predicate matches (or the default branch).
   *
   * @example
   * const branches = stream.split({ name: 'by-size-' })
   *   .branch((_, v) => v > 100, { name: 'big' })
   *   .defaultBranch({ name: 'small' });
   * branches['by-size-big']!.to('big');
   */
  split(options?: Named): BranchedKStream<K, V> {
    const s = this[STATE];
    return new BranchedKStream<K, V>(s, options?.name ?? s.graph.newProcessorName(Prefix.branch));
  }

  /** The union of this stream and `other` (same key and value types). */
  merge(other: KStream<K, V>, options?: Named): KStream<K, V> {
    const s = this[STATE];
    const o = other[STATE];
    if (o.graph !== s.graph) throw new TopologyError('merge(): the other stream belongs to another StreamsBuilder; streams of another StreamsBuilder cannot be combined');
    // A stream merged with itself forwards each record once, as in Kafka Streams (a node's children are a set).
    const node = createMergeNode(s.graph, s.node === o.node ? [s.node] : [s.node, o.node], options?.name).name;
    return new KStream<K, V>({
      graph: s.graph,
      node,
      keySerde: s.keySerde ?? o.keySerde,
      valueSerde: s.valueSerde ?? o.valueSerde,
      repartitionRequired: s.repartitionRequired || o.repartitionRequired,
    });
  }

  /** Writes the stream through `<applicationId>-<name>-repartition` and reads it back (result not marked). */
  repartition(options: Repartitioned<K, V> = {}): KStream<K, V> {
    const s = this[STATE];
    const base = options.name ?? s.graph.newProcessorName(Prefix.repartition);
    const keySerde = options.key ?? s.keySerde;
    const valueSerde = options.value ?? s.valueSerde;
    const { sourceName } = addRepartitionTopic(s.graph, s.node, {
      base,
      keySerde,
      valueSerde,
      filterNullKeys: true,
      partitioner: options.partitioner as never,
      partitions: options.partitions,
    });
    return new KStream<K, V>({ graph: s.graph, node: sourceName, keySerde, valueSerde, repartitionRequired: false });
  }

  /** Writes every record to `topic`, or to the topic an extractor chooses per record. */
  to(topic: string | TopicNameExtractor<K, V>, produced: Produced<K, V> = {}): void {
    const s = this[STATE];
    createSinkNode(s.graph, s.node, {
      name: produced.name,
      topic: topic as never,
      keySerde: produced.key ?? s.keySerde,
      valueSerde: produced.value ?? s.valueSerde,
      partitioner: produced.partitioner as never,
    });
  }

  /** Upsert view of the stream: null keys are dropped, null values delete. Repartitions first if marked. */
  toTable(materialized: Materialized<K, V> = {}): KTable<K, V> {
    const s = this[STATE];
    const name = s.graph.nameOr(materialized.name, Prefix.toTable);
    const storeName = materialized.storeName ?? s.graph.newStoreName(Prefix.toTable);
    const keySerde = materialized.key ?? s.keySerde;
    const valueSerde = materialized.value ?? s.valueSerde;
    let parent = s.node;
    if (s.repartitionRequired) {
      parent = addRepartitionTopic(s.graph, s.node, { base: name, keySerde, valueSerde, filterNullKeys: true }).sourceName;
    }
    const store = { type: 'key-value', name: storeName, keySerde, valueSerde, logging: materialized.logging ?? true, caching: materialized.caching ?? true } as const;
    const node = createToTableNode(s.graph, parent, name, store, materialized.storeName !== undefined);
    return new KTable<K, V>({ graph: s.graph, node: node.name, keySerde, valueSerde, storeName: node.queryable ? storeName : undefined });
  }

  /**
   * Runs real RxJS operators over this stream's records, per task. Synchronous operators emit while the
   * input record is processed; the output may have other key/value types, so serdes must be given again
   * downstream, and the result is marked for repartitioning. Operators in between may emit anything
   * (arrays from `bufferTime`, say); the last one must emit Records.
   *
   * Timed operators take the task's clock as their scheduler: `streamTimeScheduler` (record timestamps,
   * reproducible) or `wallClockScheduler`; on RxJS's default scheduler they would run on real time outside
   * the task. Plain operator state (a `scan` accumulator, an open buffer, a pending `delay`) lives in
   * memory and is rebuilt from scratch when the task starts again (restart, rebalance, error); use
   * `scanWithStore` for per-key state that survives. An error in the chain goes to the processing error
   * policy and restarts the chain.
   *
   * @example
   * stream.pipe(filter((r) => r.value > 0), map((r) => r.withValue(r.value * 2)));
   */
  pipe<KR, VR>(op1: OperatorFunction<Record<K, V>, Record<KR, VR>>): KStream<KR, VR>;
  pipe<A, KR, VR>(op1: OperatorFunction<Record<K, V>, A>, op2: OperatorFunction<A, Record<KR, VR>>): KStream<KR, VR>;
  pipe<A, B, KR, VR>(op1: OperatorFunction<Record<K, V>, A>, op2: OperatorFunction<A, B>, op3: OperatorFunction<B, Record<KR, VR>>): KStream<KR, VR>;
  pipe<A, B, C, KR, VR>(
    op1: OperatorFunction<Record<K, V>, A>,
    op2: OperatorFunction<A, B>,
    op3: OperatorFunction<B, C>,
    op4: OperatorFunction<C, Record<KR, VR>>,
  ): KStream<KR, VR>;
  pipe<A, B, C, D, KR, VR>(
    op1: OperatorFunction<Record<K, V>, A>,
    op2: OperatorFunction<A, B>,
    op3: OperatorFunction<B, C>,
    op4: OperatorFunction<C, D>,
    op5: OperatorFunction<D, Record<KR, VR>>,
  ): KStream<KR, VR>;
  pipe<A, B, C, D, E, KR, VR>(
    op1: OperatorFunction<Record<K, V>, A>,
    op2: OperatorFunction<A, B>,
    op3: OperatorFunction<B, C>,
    op4: OperatorFunction<C, D>,
    op5: OperatorFunction<D, E>,
    op6: OperatorFunction<E, Record<KR, VR>>,
  ): KStream<KR, VR>;
  pipe(...operators: OperatorFunction<any, any>[]): KStream<unknown, unknown>;
  pipe(...operators: OperatorFunction<any, any>[]): KStream<unknown, unknown> {
    const s = this[STATE];
    return this.#derive(createPipeNode(s.graph, s.node, operators).name, false, false, true);
  }

  /**
   * The records of this stream, as this application instance processes them, as a hot RxJS Observable:
   * for live views, dashboards and tests. Each subscriber gets the records that arrive after it
   * subscribed, from every task of this instance (not other instances), delivered on a later turn of the
   * event loop through a bounded buffer (see {@link ObserveOptions} for the overflow policy), so a slow
   * subscriber never holds up processing. Records are seen when processed, before their commit: under
   * exactly-once an aborted transaction's records may have been observed. Read the output topic with
   * read_committed when that matters. Call it while building the topology (it adds a terminal node).
   *
   * @example
   * const live = builder.stream('clicks', { key: Serdes.string(), value: Serdes.string() }).toObservable({ bufferSize: 1000 });
   * live.subscribe((r) => console.log(r.key, r.value));
   */
  toObservable(options: ObserveOptions & Named = {}): Observable<Record<K, V>> {
    const hub = new RecordHub<Record<K, V>>(options);
    const s = this[STATE];
    createProcessNode(s.graph, s.node, () => ({ process: (record: Record<K, V>) => hub.publish(record) }), [], options.name);
    return hub.observable;
  }

  /**
   * Joins with another stream (records with equal keys within `windows`), with a table (each record
   * looks up the table's current value), or with a global table (lookup key chosen by `keySelector`).
   * Joiners always see `(leftValue, rightValue, key)`.
   *
   * @example
   * orders.join(payments, (o, p) => ({ ...o, paidAt: p.at }), JoinWindows.ofTimeDifferenceAndGrace(minutes(10), minutes(1)));
   * clicks.join(users, (click, user) => ({ ...click, country: user.country }));
   * clicks.join(pagesGlobal, (_k, click) => click.pageId, (click, page) => ({ ...click, title: page.title }));
   */
  join<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO, VR, K>, windows: JoinWindows, options?: StreamJoined<K, V, VO>): KStream<K, VR>;
  join<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT, VR, K>, options?: Joined<K, V>): KStream<K, VR>;
  join<KG, VG, VR>(table: GlobalKTable<KG, VG>, keySelector: (key: K, value: V) => KG | null, joiner: ValueJoiner<V, VG, VR, K>, options?: Named): KStream<K, VR>;
  join(other: unknown, a: unknown, b?: unknown, c?: unknown): KStream<K, unknown> {
    return this.#join(other, a, b, c, 'inner');
  }

  /**
   * Like join, but every left record produces a result: with a stream, an unmatched record is emitted as
   * `joiner(v, null)` once its window has closed (never a spurious early result); with a table, the table
   * value is null when missing.
   */
  leftJoin<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V, VO | null, VR, K>, windows: JoinWindows, options?: StreamJoined<K, V, VO>): KStream<K, VR>;
  leftJoin<VT, VR>(table: KTable<K, VT>, joiner: ValueJoiner<V, VT | null, VR, K>, options?: Joined<K, V>): KStream<K, VR>;
  leftJoin<KG, VG, VR>(table: GlobalKTable<KG, VG>, keySelector: (key: K, value: V) => KG | null, joiner: ValueJoiner<V, VG | null, VR, K>, options?: Named): KStream<K, VR>;
  leftJoin(other: unknown, a: unknown, b?: unknown, c?: unknown): KStream<K, unknown> {
    return this.#join(other, a, b, c, 'left');
  }

  /** Windowed outer join of two streams: unmatched records of either side are emitted with null for the other side once their window closed. */
  outerJoin<VO, VR>(other: KStream<K, VO>, joiner: ValueJoiner<V | null, VO | null, VR, K>, windows: JoinWindows, options?: StreamJoined<K, V, VO>): KStream<K, VR> {
    return this.#join(other, joiner, windows, options, 'outer') as KStream<K, VR>;
  }

  #join(other: unknown, a: unknown, b: unknown, c: unknown, type: 'inner' | 'left' | 'outer'): KStream<K, unknown> {
    const s = this[STATE];
    let node: string;
    let repartitioned = false;
    if (other instanceof KStream) {
      node = streamStreamJoin(s, other[STATE], a as never, b as JoinWindows, type, (c ?? {}) as StreamJoined<K, V, unknown>);
    } else if (other instanceof KTable) {
      node = streamTableJoin(s, other[STATE], a as never, type === 'left', (b ?? {}) as Joined<K, V>);
    } else if (other instanceof GlobalKTable) {
      node = streamGlobalTableJoin(s, other[STATE], a as never, b as never, type === 'left', (c as Named | undefined)?.name);
      repartitioned = s.repartitionRequired;
    } else {
      throw new TopologyError('join(): the other side must be a KStream, a KTable or a GlobalKTable');
    }
    return new KStream<K, unknown>({ graph: s.graph, node, keySerde: s.keySerde, valueSerde: undefined, repartitionRequired: repartitioned });
  }

  /**
   * Runs a hand-written Processor (a new instance per task from `supplier`), which may use the named stores
   * (see `StreamsBuilder.addStateStore`), schedule punctuations and forward any records. Marks for
   * repartitioning.
   *
   * @example
   * stream.process(() => {
   *   let ctx: ProcessorContext<string, number>;
   *   return { init: (c) => { ctx = c; }, process: (r) => ctx.forward(r.withValue(r.value.length)) };
   * });
   */
  process<KR, VR>(supplier: () => Processor<K, V, KR, VR>, options: Named & { readonly stores?: readonly string[] } = {}): KStream<KR, VR> {
    const s = this[STATE];
    return this.#derive(createProcessNode(s.graph, s.node, supplier as never, options.stores ?? [], options.name).name, false, false, true);
  }

  /** Groups by the current key (repartitions first if the key may have changed). */
  groupByKey(grouped: Grouped<K, V> = {}): KGroupedStream<K, V> {
    const s = this[STATE];
    return new KGroupedStream<K, V>({
      graph: s.graph,
      node: s.node,
      keySerde: grouped.key ?? s.keySerde,
      valueSerde: grouped.value ?? s.valueSerde,
      repartitionRequired: s.repartitionRequired,
      groupedName: grouped.name,
    });
  }

  /** Re-keys with `selector(key, value)` and groups; always repartitions before aggregating. */
  groupBy<KR>(selector: (key: K, value: V) => KR, grouped: Grouped<KR, V> = {}): KGroupedStream<KR, V> {
    const s = this[STATE];
    const node = createSelectKeyNode(s.graph, s.node, selector as never).name;
    return new KGroupedStream<KR, V>({
      graph: s.graph,
      node,
      keySerde: grouped.key,
      valueSerde: grouped.value ?? s.valueSerde,
      repartitionRequired: true,
      groupedName: grouped.name,
    });
  }
}
