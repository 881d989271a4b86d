import { Prefix } from '../graph/naming.js';
import { Serdes } from '../serde/serdes.js';
import type { KeyValueStoreSpec } from '../state/store-spec.js';
import { CogroupedKStream } from './cogrouped-kstream.js';
import { STATE, type StreamState } from './handle-state.js';
import { KTable } from './ktable.js';
import { createAggregateNode } from './operators/aggregate.js';
import { createCountNode } from './operators/count.js';
import { createReduceNode } from './operators/reduce.js';
import { addRepartitionTopic } from './operators/repartition.js';
import { keyValueStoreOptions, type Materialized, type SerdeOf } from './options.js';
import type { Aggregator, Initializer, Reducer } from './types.js';
import { SessionWindowedKStream, TimeWindowedKStream } from './windowed-kstream.js';
import type { SessionWindows, SlidingWindows, TimeWindows } from './windows.js';

/** @internal */
export interface GroupedStreamState<K, V> extends StreamState<K, V> {
  /** Grouped name: names the repartition topic instead of the store. */
  readonly groupedName: string | undefined;
}

/**
 * A stream grouped by key, ready for aggregation. Records with a null key or value are dropped (and
 * counted) by the aggregations. Window support (`windowedBy`) attaches here.
 */
export class KGroupedStream<K, V> {
  /** @internal */
  readonly [STATE]: GroupedStreamState<K, V>;

  /** @internal */
  constructor(state: GroupedStreamState<K, V>) {
    this[STATE] = Object.freeze(state);
  }

  /**
   * Counts records per key. The count store's value serde defaults to `Serdes.long()`.
   *
   * @example
   * stream.groupByKey().count({ storeName: 'counts' }).toStream().to('counts-out', { value: Serdes.long() });
   */
  count(materialized: Materialized<K, number> = {}): KTable<K, number> {
    return this.#aggregate(Prefix.aggregate, materialized, Serdes.long() as SerdeOf<number>, (parent, name, store) => createCountNode(this[STATE].graph, parent, name, store));
  }

  /** Combines the values of each key: the first value is the aggregate, then `reducer(aggregate, value)`. */
  reduce(reducer: Reducer<V>, materialized: Materialized<K, V> = {}): KTable<K, V> {
    return this.#aggregate(Prefix.reduce, materialized, this[STATE].valueSerde, (parent, name, store) => createReduceNode(this[STATE].graph, parent, name, store, reducer as never));
  }

  /**
   * Folds the values of each key into an aggregate of another type. Give the aggregate's serde in
   * `materialized.value` (needed for the changelog); build() says so when it is missing.
   */
  aggregate<VA>(initializer: Initializer<VA>, aggregator: Aggregator<K, V, VA>, materialized: Materialized<K, VA> = {}): KTable<K, VA> {
    return this.#aggregate(Prefix.aggregate, materialized, undefined, (parent, name, store) =>
      createAggregateNode(this[STATE].graph, parent, name, store, initializer, aggregator as never),
    );
  }

  /**
   * Aggregates per key and window: TimeWindows (tumbling/hopping) and SlidingWindows give a
   * TimeWindowedKStream, SessionWindows a SessionWindowedKStream.
   *
   * @example
   * stream.groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).count();
   */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    if (windows.type === 'session') return new SessionWindowedKStream<K, V>(this[STATE], windows);
    return new TimeWindowedKStream<K, V>(this[STATE], windows);
  }

  /** Starts a cogroup: several grouped streams aggregated into one store, each with its own aggregator. */
  cogroup<VA>(aggregator: Aggregator<K, V, VA>): CogroupedKStream<K, VA> {
    return new CogroupedKStream<K, VA>([{ grouped: this as KGroupedStream<K, any>, aggregator: aggregator as Aggregator<K, any, VA> }]);
  }

  /**
   * @internal Store name, then processor name, then the repartition path: the order in which Kafka
   * Streams takes generated names, so the names match.
   */
  #aggregate<VA>(
    prefix: string,
    materialized: Materialized<K, VA>,
    defaultValueSerde: SerdeOf<VA> | SerdeOf<V> | undefined,
    addNode: (parent: string, name: string, storeName: string) => unknown,
  ): KTable<K, VA> {
    const s = this[STATE];
    const storeName = materialized.storeName ?? s.graph.newStoreName(prefix);
    const name = s.graph.nameOr(materialized.name, prefix);
    const keySerde = materialized.key ?? s.keySerde;
    const valueSerde = (materialized.value ?? defaultValueSerde) as SerdeOf<VA> | undefined;
    const parent = repartitionIfRequired(s, s.groupedName ?? storeName);
    const spec: KeyValueStoreSpec = { type: 'key-value', name: storeName, keySerde, valueSerde, ...keyValueStoreOptions(materialized) };
    s.graph.addStore(spec);
    addNode(parent, name, storeName);
    return new KTable<K, VA>({ graph: s.graph, node: name, keySerde, valueSerde, storeName });
  }
}

/** @internal Inserts the repartition topic of a grouped stream when its key may have changed. */
export function repartitionIfRequired<K, V>(s: GroupedStreamState<K, V>, base: string): string {
  if (!s.repartitionRequired) return s.node;
  return addRepartitionTopic(s.graph, s.node, { base, keySerde: s.keySerde, valueSerde: s.valueSerde, filterNullKeys: true }).sourceName;
}
