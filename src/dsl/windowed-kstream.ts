import { TopologyError } from '../errors.js';
import { Prefix } from '../graph/naming.js';
import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import { createSinkNode } from './operators/sink.js';
import { sessionWindowedSerde, timeWindowedSerde } from '../serde/windowed-serdes.js';
import type { SessionStoreSpec, WindowStoreSpec } from '../state/store-spec.js';
import { windowedChangelogConfig } from '../state/window-store.js';
import { STATE } from './handle-state.js';
import { repartitionIfRequired, type GroupedStreamState } from './kgrouped-stream.js';
import { KTable } from './ktable.js';
import { createSessionWindowAggregateNode, type Merger } from './operators/session-window-aggregate.js';
import { createSlidingWindowAggregateNode } from './operators/sliding-window-aggregate.js';
import { createTimeWindowAggregateNode } from './operators/time-window-aggregate.js';
import type { EmitStrategy, WindowAggregateFields } from './operators/window-aggregate-internals.js';
import type { Materialized, SerdeOf } from './options.js';
import type { Aggregator, Initializer, Reducer } from './types.js';
import type { SessionWindows, SlidingWindows, TimeWindows, Windowed } from './windows.js';

export type { EmitStrategy } from './operators/window-aggregate-internals.js';

/** Store options of a windowed aggregation: Materialized plus an explicit retention (>= window + grace). */
export interface WindowedMaterialized<K, V> extends Materialized<K, V> {
  readonly retentionMs?: number;
  /**
   * Late-records policy. Default: a record too late for its windows is dropped and counted
   * (dropped-records). With `{ topic }` it is also written, unchanged, to that topic (a side output), with
   * the grouped stream's serdes unless given. A hopping-window record that still updates an open window
   * is not routed (only its closed windows are counted).
   */
  readonly lateRecords?: { readonly topic: string; readonly key?: SerdeOf<K>; readonly value?: Serde<any> };
}

const countInit = (): number => 0;
const countAdd = (_k: unknown, _v: unknown, n: number): number => n + 1;
const reducerAggregator =
  <V>(reducer: Reducer<V>): Aggregator<unknown, V, V> =>
  (_k, v, agg) =>
    reducer(agg, v);

function addStoreAndNode<K, V, VA>(
  s: GroupedStreamState<K, V>,
  prefix: string,
  materialized: WindowedMaterialized<K, VA>,
  defaultValueSerde: SerdeOf<VA> | undefined,
  minRetention: number,
  makeSpec: (name: string, retention: number, valueSerde: SerdeOf<VA> | undefined) => WindowStoreSpec | SessionStoreSpec,
  addNode: (parent: string, name: string, storeName: string, lateRecordsSink: string | undefined) => void,
): { storeName: string; valueSerde: SerdeOf<VA> | undefined; node: string } {
  const storeName = materialized.storeName ?? s.graph.newStoreName(prefix);
  const name = s.graph.nameOr(materialized.name, prefix);
  const retention = materialized.retentionMs ?? minRetention;
  if (retention < minRetention) {
    throw new TopologyError(`retention of store ${storeName} (${retention} ms) must be at least window size + grace (${minRetention} ms)`, { nodeName: name });
  }
  const valueSerde = (materialized.value ?? defaultValueSerde) as SerdeOf<VA> | undefined;
  const parent = repartitionIfRequired(s, s.groupedName ?? storeName);
  s.graph.addStore(makeSpec(storeName, retention, valueSerde));
  const late = materialized.lateRecords;
  const lateSink = late === undefined ? undefined : `${name}-late-records`;
  addNode(parent, name, storeName, lateSink);
  if (late !== undefined) {
    createSinkNode(s.graph, name, { name: lateSink, topic: late.topic, keySerde: late.key ?? s.keySerde, valueSerde: late.value ?? s.valueSerde });
  }
  return { storeName, valueSerde, node: name };
}

/**
 * A grouped stream windowed by TimeWindows or SlidingWindows: count / reduce / aggregate per key and
 * window into a `KTable<Windowed<K>, V>`. Results are emitted on every update by default;
 * `emitStrategy('final')` emits each window once when it closes (Spark's append mode; 'update' is Spark's
 * update mode; the materialized store is the complete table).
 *
 * @example
 * clicks.groupByKey()
 *   .windowedBy(TimeWindows.ofSizeAndGrace(minutes(5), minutes(1)))
 *   .emitStrategy('final')
 *   .count()
 *   .toStream()
 *   .to('clicks-per-5m', { key: timeWindowedSerde(Serdes.string(), minutes(5)), value: Serdes.long() });
 */
export class TimeWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly state: GroupedStreamState<K, V>,
    readonly windows: TimeWindows | SlidingWindows,
    readonly emit: EmitStrategy = 'update',
  ) {}

  /** 'update' (default): every change; 'final': once per window, when it closes. */
  emitStrategy(emit: EmitStrategy): TimeWindowedKStream<K, V> {
    return new TimeWindowedKStream(this.state, this.windows, emit);
  }

  count(materialized: WindowedMaterialized<K, number> = {}): KTable<Windowed<K>, number> {
    return this.#aggregate(Prefix.aggregate, materialized, Serdes.long() as SerdeOf<number>, countInit, countAdd as Aggregator<K, V, number>);
  }

  reduce(reducer: Reducer<V>, materialized: WindowedMaterialized<K, V> = {}): KTable<Windowed<K>, V> {
    return this.#aggregate(Prefix.reduce, materialized, this.state.valueSerde as SerdeOf<V> | undefined, undefined, reducerAggregator(reducer) as Aggregator<K, V, V>);
  }

  /** Folds each window's values into an aggregate; give its serde in `materialized.value` for the changelog. */
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, materialized: WindowedMaterialized<K, VA> = {}): KTable<Windowed<K>, VA> {
    return this.#aggregate(Prefix.aggregate, materialized, undefined, initializer, aggregator);
  }

  #aggregate<VA>(
    prefix: string,
    materialized: WindowedMaterialized<K, VA>,
    defaultValueSerde: SerdeOf<VA> | undefined,
    initializer: Initializer<VA> | undefined,
    aggregator: Aggregator<K, V, VA>,
  ): KTable<Windowed<K>, VA> {
    const s = this.state;
    const w = this.windows;
    const keySerde = materialized.key ?? s.keySerde;
    const sliding = w.type === 'sliding';
    const size = sliding ? w.timeDifferenceMs : w.sizeMs;
    const { storeName, valueSerde, node } = addStoreAndNode(
      s,
      prefix,
      materialized,
      defaultValueSerde,
      w.retentionMs,
      (name, retentionMs, vs) => ({
        type: 'window',
        name,
        keySerde,
        valueSerde: vs,
        logging: materialized.logging ?? true,
        retentionMs,
        windowSizeMs: size,
        retainDuplicates: false,
        timeOrdered: this.emit === 'final',
        changelogConfig: windowedChangelogConfig(retentionMs),
      }),
      (parent, name, store, lateRecordsSink) => {
        const fields: WindowAggregateFields = { storeName: store, initializer, aggregator, emit: this.emit, lateRecordsSink };
        if (w.type === 'sliding') createSlidingWindowAggregateNode(s.graph, parent, name, fields, w);
        else createTimeWindowAggregateNode(s.graph, parent, name, fields, w);
      },
    );
    return new KTable<Windowed<K>, VA>({
      graph: s.graph,
      node,
      keySerde: keySerde === undefined ? undefined : (timeWindowedSerde(keySerde, size) as never),
      valueSerde,
      storeName,
    });
  }
}

/**
 * A grouped stream windowed by SessionWindows: per key, records closer than the inactivity gap form a
 * session; count / reduce / aggregate (with a merger for when a record bridges two sessions).
 *
 * @example
 * visits.groupByKey()
 *   .windowedBy(SessionWindows.ofInactivityGapAndGrace(minutes(30), minutes(5)))
 *   .count()
 *   .toStream()
 *   .to('sessions', { key: sessionWindowedSerde(Serdes.string()), value: Serdes.long() });
 */
export class SessionWindowedKStream<K, V> {
  /** @internal */
  constructor(
    private readonly state: GroupedStreamState<K, V>,
    readonly windows: SessionWindows,
    readonly emit: EmitStrategy = 'update',
  ) {}

  emitStrategy(emit: EmitStrategy): SessionWindowedKStream<K, V> {
    return new SessionWindowedKStream(this.state, this.windows, emit);
  }

  count(materialized: WindowedMaterialized<K, number> = {}): KTable<Windowed<K>, number> {
    const sum: Merger<K, number> = (_k, a, b) => a + b;
    return this.#aggregate(Prefix.aggregate, materialized, Serdes.long() as SerdeOf<number>, countInit, countAdd as Aggregator<K, V, number>, sum);
  }

  reduce(reducer: Reducer<V>, materialized: WindowedMaterialized<K, V> = {}): KTable<Windowed<K>, V> {
    return this.#aggregate(Prefix.reduce, materialized, this.state.valueSerde as SerdeOf<V> | undefined, undefined, reducerAggregator(reducer) as Aggregator<K, V, V>, (_k, a, b) => reducer(a, b));
  }

  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, merger: Merger<K, VA>, materialized: WindowedMaterialized<K, VA> = {}): KTable<Windowed<K>, VA> {
    return this.#aggregate(Prefix.aggregate, materialized, undefined, initializer, aggregator, merger);
  }

  #aggregate<VA>(
    prefix: string,
    materialized: WindowedMaterialized<K, VA>,
    defaultValueSerde: SerdeOf<VA> | undefined,
    initializer: Initializer<VA> | undefined,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
  ): KTable<Windowed<K>, VA> {
    const s = this.state;
    const keySerde = materialized.key ?? s.keySerde;
    const { storeName, valueSerde, node } = addStoreAndNode(
      s,
      prefix,
      materialized,
      defaultValueSerde,
      this.windows.retentionMs,
      (name, retentionMs, vs) => ({
        type: 'session',
        name,
        keySerde,
        valueSerde: vs,
        logging: materialized.logging ?? true,
        retentionMs,
        timeOrdered: this.emit === 'final',
        changelogConfig: windowedChangelogConfig(retentionMs),
      }),
      (parent, name, store, lateRecordsSink) => {
        createSessionWindowAggregateNode(s.graph, parent, name, { storeName: store, initializer, aggregator, emit: this.emit, lateRecordsSink }, merger, this.windows);
      },
    );
    return new KTable<Windowed<K>, VA>({
      graph: s.graph,
      node,
      keySerde: keySerde === undefined ? undefined : (sessionWindowedSerde(keySerde) as never),
      valueSerde,
      storeName,
    });
  }
}
