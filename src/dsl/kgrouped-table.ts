import { Prefix } from '../graph/naming.js';
import { changeSerde } from '../serde/change-serde.js';
import { Serdes } from '../serde/serdes.js';
import type { KeyValueStoreSpec } from '../state/store-spec.js';
import { STATE, type HandleState } from './handle-state.js';
import { KTable } from './ktable.js';
import { addRepartitionTopic } from './operators/repartition.js';
import { createTableAggregateNode } from './operators/table-aggregate.js';
import { createTableCountNode } from './operators/table-count.js';
import { createTableReduceNode } from './operators/table-reduce.js';
import { keyValueStoreOptions, type Materialized, type SerdeOf } from './options.js';
import type { Aggregator, Initializer, Reducer } from './types.js';

/** @internal */
export interface GroupedTableState<K, V> extends HandleState<K, V> {
  readonly groupedName: string | undefined;
}

/**
 * A re-grouped KTable. Aggregations receive Change pairs through a repartition topic and need a
 * subtractor: an update first removes the old row's value from its previous group, then adds the new one.
 */
export class KGroupedTable<K, V> {
  /** @internal */
  readonly [STATE]: GroupedTableState<K, V>;

  /** @internal */
  constructor(state: GroupedTableState<K, V>) {
    this[STATE] = Object.freeze(state);
  }

  /** Rows per group key; a group that loses all rows stays at 0. */
  count(materialized: Materialized<K, number> = {}): KTable<K, number> {
    return this.#aggregate(Prefix.tableAggregate, materialized, Serdes.long() as SerdeOf<number>, (parent, name, store) =>
      createTableCountNode(this[STATE].graph, parent, name, store),
    );
  }

  /** Combines values per group: `adder(agg, new)`, `subtractor(agg, old)`; the first value is the aggregate. */
  reduce(adder: Reducer<V>, subtractor: Reducer<V>, materialized: Materialized<K, V> = {}): KTable<K, V> {
    return this.#aggregate(Prefix.tableReduce, materialized, this[STATE].valueSerde, (parent, name, store) =>
      createTableReduceNode(this[STATE].graph, parent, name, store, adder as never, subtractor as never),
    );
  }

  /**
   * Folds values per group into an aggregate: `adder(key, new, agg)` and `subtractor(key, old, agg)`.
   *
   * @example
   * table.groupBy((k, v) => [v.region, v.amount], { key: Serdes.string(), value: Serdes.long() })
   *   .aggregate(() => 0, (_, v, sum) => sum + v, (_, v, sum) => sum - v, { value: Serdes.long() });
   */
  aggregate<VA>(initializer: Initializer<VA>, adder: Aggregator<K, V, VA>, subtractor: Aggregator<K, V, VA>, materialized: Materialized<K, VA> = {}): KTable<K, VA> {
    return this.#aggregate(Prefix.tableAggregate, materialized, undefined, (parent, name, store) =>
      createTableAggregateNode(this[STATE].graph, parent, name, store, initializer, adder as never, subtractor as never),
    );
  }

  /** Names are taken in Kafka Streams' order: store, repartition sink, repartition source, processor. */
  #aggregate<VA>(
    prefix: string,
    materialized: Materialized<K, VA>,
    defaultValueSerde: SerdeOf<VA> | SerdeOf<V> | undefined,
    addNode: (parent: string, name: string, storeName: string) => unknown,
  ): KTable<K, VA> {
    const s = this[STATE];
    const storeName = materialized.storeName ?? s.graph.newStoreName(prefix);
    const sinkName = materialized.name === undefined ? s.graph.newProcessorName(Prefix.sink) : `${materialized.name}-sink`;
    const sourceName = materialized.name === undefined ? s.graph.newProcessorName(Prefix.source) : `${materialized.name}-source`;
    const name = s.graph.nameOr(materialized.name, prefix);
    const keySerde = materialized.key ?? s.keySerde;
    const valueSerde = (materialized.value ?? defaultValueSerde) as SerdeOf<VA> | undefined;
    const { sourceName: parent } = addRepartitionTopic(s.graph, s.node, {
      base: s.groupedName ?? storeName,
      keySerde: s.keySerde,
      valueSerde: s.valueSerde === undefined ? undefined : changeSerde(s.valueSerde),
      filterNullKeys: false,
      sinkName,
      sourceName,
    });
    const spec: KeyValueStoreSpec = { type: 'key-value', name: storeName, keySerde, valueSerde, ...keyValueStoreOptions(materialized) };
    s.graph.addStore(spec);
    addNode(parent, name, storeName);
    return new KTable<K, VA>({ graph: s.graph, node: name, keySerde, valueSerde, storeName });
  }
}
