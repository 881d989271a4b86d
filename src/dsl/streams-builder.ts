import { keepNullKeysBeforeLeftJoins } from './operators/repartition.js';
import { GraphBuilder } from '../graph/graph-builder.js';
import { Prefix } from '../graph/naming.js';
import { compileTopology, type Topology } from '../graph/topology.js';
import type { KeyValueStoreSpec } from '../state/store-spec.js';
import { GlobalKTable } from './global-ktable.js';
import { KStream } from './kstream.js';
import { KTable } from './ktable.js';
import { nodeHandlers } from './operators/registry.js';
import { createSourceNode } from './operators/source.js';
import { createTableSourceNode } from './operators/table-source.js';
import type { Consumed, SerdeOf, TableConsumed } from './options.js';

/**
 * Entry point of the DSL: declare sources, chain operators on the returned handles, then `build()` a
 * validated, frozen Topology to run (KafkaStreams) or test (TopologyTestDriver).
 *
 * @example
 * const builder = new StreamsBuilder();
 * builder.stream('input', { key: Serdes.string(), value: Serdes.string() })
 *   .mapValues((v) => v.toUpperCase())
 *   .to('output');
 * const topology = builder.build();
 * console.log(topology.describe().toString());
 */
export class StreamsBuilder {
  readonly #graph = new GraphBuilder();

  /** A stream of the records of one or more topics. */
  stream<K, V>(topics: string | readonly string[], consumed: Consumed<K, V>): KStream<K, V> {
    const list = typeof topics === 'string' ? [topics] : [...topics];
    if (list.length === 0) throw new TypeError('stream() needs at least one topic');
    const node = createSourceNode(this.#graph, { name: consumed.name, topics: list, keySerde: consumed.key, valueSerde: consumed.value, timestampExtractor: consumed.timestamp as never });
    return new KStream<K, V>({ graph: this.#graph, node: node.name, keySerde: consumed.key, valueSerde: consumed.value, repartitionRequired: false });
  }

  /**
   * A KTable over a changelog topic (latest value per key; null value deletes). The store is
   * materialized when named (`storeName`) or when a downstream operation needs previous values.
   */
  table<K, V>(topic: string, consumed: TableConsumed<K, V>): KTable<K, V> {
    const storeName = consumed.storeName ?? this.#graph.newStoreName(`${topic}-`);
    const source = createSourceNode(this.#graph, { name: consumed.name, topics: [topic], keySerde: consumed.key, valueSerde: consumed.value, timestampExtractor: consumed.timestamp as never });
    const name = consumed.name === undefined ? this.#graph.newProcessorName(Prefix.tableSource) : `${consumed.name}-table-source`;
    const store: KeyValueStoreSpec = { type: 'key-value', name: storeName, keySerde: consumed.key, valueSerde: consumed.value, logging: consumed.logging ?? true, caching: consumed.caching ?? true };
    const node = createTableSourceNode(this.#graph, source.name, name, store, consumed.storeName !== undefined);
    return new KTable<K, V>({ graph: this.#graph, node: node.name, keySerde: consumed.key, valueSerde: consumed.value, storeName: node.queryable ? storeName : undefined });
  }

  /**
   * A table replicated on every instance; its topic is its changelog (no extra topic). KafkaStreams loads
   * it to the end before processing and keeps applying its updates; see {@link GlobalKTable}.
   *
   * @example
   * const countries = builder.globalTable('countries', { key: Serdes.string(), value: Serdes.string(), storeName: 'countries' });
   */
  globalTable<K, V>(topic: string, consumed: TableConsumed<K, V>): GlobalKTable<K, V> {
    const storeName = consumed.storeName ?? this.#graph.newStoreName(`${topic}-`);
    const source = createSourceNode(this.#graph, {
      name: consumed.name,
      topics: [topic],
      keySerde: consumed.key,
      valueSerde: consumed.value,
      timestampExtractor: consumed.timestamp as never,
      global: true,
    });
    const name = consumed.name === undefined ? this.#graph.newProcessorName(Prefix.tableSource) : `${consumed.name}-table-source`;
    const store: KeyValueStoreSpec = { type: 'key-value', name: storeName, keySerde: consumed.key, valueSerde: consumed.value, logging: false };
    createTableSourceNode(this.#graph, source.name, name, store, true);
    return new GlobalKTable<K, V>({ graph: this.#graph, node: name, keySerde: consumed.key, valueSerde: consumed.value, storeName, topic });
  }

  /**
   * Registers a key-value store for `process()` processors to use by name.
   *
   * @example
   * builder.addStateStore({ name: 'seen', key: Serdes.string(), value: Serdes.long() });
   * stream.process(() => new DedupProcessor(), { stores: ['seen'] });
   */
  addStateStore<K, V>(store: { readonly name: string; readonly key: SerdeOf<K>; readonly value: SerdeOf<V>; readonly logging?: boolean }): this {
    this.#graph.addStore({ type: 'key-value', name: store.name, keySerde: store.key, valueSerde: store.value, logging: store.logging ?? true });
    return this;
  }

  /** Validates the graph and freezes it into a Topology. Throws a TopologyError saying what to fix. */
  build(): Topology {
    keepNullKeysBeforeLeftJoins(this.#graph);
    return compileTopology(this.#graph, nodeHandlers);
  }
}
