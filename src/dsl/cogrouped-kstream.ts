import { Prefix } from '../graph/naming.js';
import type { KeyValueStoreSpec } from '../state/store-spec.js';
import { STATE } from './handle-state.js';
import { repartitionIfRequired, type KGroupedStream } from './kgrouped-stream.js';
import { KTable } from './ktable.js';
import { createCogroupNodes } from './operators/cogroup.js';
import { keyValueStoreOptions, type Materialized } from './options.js';
import type { Aggregator, Initializer } from './types.js';
import { CogroupedWindowedKStream } from './cogrouped-windowed-kstream.js';
import type { SessionWindows, SlidingWindows, TimeWindows } from './windows.js';

interface CogroupInput<K, VA> {
  readonly grouped: KGroupedStream<K, any>;
  readonly aggregator: Aggregator<K, any, VA>;
}

/**
 * Several grouped streams with one key type, aggregated into one store: each input has its own
 * aggregator, all share the initializer. One aggregate processor per input writes the store; a merge
 * node combines their updates.
 *
 * @example
 * clicks.groupByKey().cogroup((k, c, agg: Stats) => ({ ...agg, clicks: agg.clicks + 1 }))
 *   .cogroup(views.groupByKey(), (k, v, agg) => ({ ...agg, views: agg.views + 1 }))
 *   .aggregate(() => ({ clicks: 0, views: 0 }), { value: Serdes.json<Stats>() });
 */
export class CogroupedKStream<K, VA> {
  readonly #inputs: readonly CogroupInput<K, VA>[];

  /** @internal */
  constructor(inputs: readonly CogroupInput<K, VA>[]) {
    this.#inputs = Object.freeze([...inputs]);
  }

  /** Adds another grouped stream with its own aggregator. */
  cogroup<V>(grouped: KGroupedStream<K, V>, aggregator: Aggregator<K, V, VA>): CogroupedKStream<K, VA> {
    return new CogroupedKStream<K, VA>([...this.#inputs, { grouped, aggregator }]);
  }

  /**
   * Aggregates the inputs per window (TimeWindows, SlidingWindows or SessionWindows).
   *
   * @example
   * cogrouped.windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)).aggregate(() => 0, { value: Serdes.long() });
   */
  windowedBy(windows: TimeWindows | SlidingWindows | SessionWindows): CogroupedWindowedKStream<K, VA> {
    return new CogroupedWindowedKStream<K, VA>(this.#inputs, windows);
  }

  /** Aggregates all inputs into one KTable. */
  aggregate(initializer: Initializer<VA>, materialized: Materialized<K, VA> = {}): KTable<K, VA> {
    const first = this.#inputs[0]!.grouped[STATE];
    const graph = first.graph;
    const storeName = materialized.storeName ?? graph.newStoreName(Prefix.cogroupAggregate);
    const keySerde = materialized.key ?? first.keySerde;
    const valueSerde = materialized.value;
    const flagged = this.#inputs.filter((input) => input.grouped[STATE].repartitionRequired).length;
    let repartitionIndex = 0;
    const parents = this.#inputs.map((input) => {
      const s = input.grouped[STATE];
      if (s.graph !== graph) throw new TypeError('cogroup inputs must come from the same StreamsBuilder');
      const base = s.groupedName ?? (flagged > 1 ? `${storeName}-${repartitionIndex++}` : storeName);
      return repartitionIfRequired(s, base);
    });
    const spec: KeyValueStoreSpec = { type: 'key-value', name: storeName, keySerde, valueSerde, ...keyValueStoreOptions(materialized) };
    graph.addStore(spec);
    const merge = createCogroupNodes(
      graph,
      parents.map((parent, i) => ({ parent, aggregator: this.#inputs[i]!.aggregator as Aggregator<any, any, any> })),
      storeName,
      initializer,
      materialized.name,
    );
    return new KTable<K, VA>({ graph, node: merge, keySerde, valueSerde, storeName });
  }
}
