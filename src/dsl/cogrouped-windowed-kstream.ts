import { TopologyError } from '../errors.js';
import { Prefix } from '../graph/naming.js';
import { sessionWindowedSerde, timeWindowedSerde } from '../serde/windowed-serdes.js';
import { windowedChangelogConfig } from '../state/window-store.js';
import { STATE } from './handle-state.js';
import { repartitionIfRequired, type KGroupedStream } from './kgrouped-stream.js';
import { KTable } from './ktable.js';
import { createPassThroughNode } from './operators/pass-through.js';
import { createSessionWindowAggregateNode, type Merger } from './operators/session-window-aggregate.js';
import { createSlidingWindowAggregateNode } from './operators/sliding-window-aggregate.js';
import { createTimeWindowAggregateNode } from './operators/time-window-aggregate.js';
import type { Aggregator, Initializer } from './types.js';
import type { WindowedMaterialized } from './windowed-kstream.js';
import type { SessionWindows, SlidingWindows, TimeWindows, Windowed } from './windows.js';

/** @internal One input of a cogroup. */
export interface CogroupInput<K, VA> {
  readonly grouped: KGroupedStream<K, any>;
  readonly aggregator: Aggregator<K, any, VA>;
}

/**
 * A cogroup aggregated per window: one windowed aggregate processor per input (each with its own stream
 * time, as in Kafka Streams), all writing one window or session store, merged into one windowed KTable.
 * Results are emitted on update.
 *
 * @example
 * views.groupByKey().cogroup((k, v, agg: Stats) => ({ ...agg, views: agg.views + 1 }))
 *   .cogroup(clicks.groupByKey(), (k, c, agg) => ({ ...agg, clicks: agg.clicks + 1 }))
 *   .windowedBy(TimeWindows.ofSizeWithNoGrace(minutes(5)))
 *   .aggregate(() => ({ views: 0, clicks: 0 }), { value: Serdes.json<Stats>() });
 */
export class CogroupedWindowedKStream<K, VA> {
  /** @internal */
  constructor(
    private readonly inputs: readonly CogroupInput<K, VA>[],
    readonly windows: TimeWindows | SlidingWindows | SessionWindows,
  ) {}

  /** Aggregates every input into one windowed table; session windows need a `merger`. */
  aggregate(initializer: Initializer<VA>, materialized?: WindowedMaterialized<K, VA>): KTable<Windowed<K>, VA>;
  aggregate(initializer: Initializer<VA>, merger: Merger<K, VA>, materialized?: WindowedMaterialized<K, VA>): KTable<Windowed<K>, VA>;
  aggregate(initializer: Initializer<VA>, a?: Merger<K, VA> | WindowedMaterialized<K, VA>, b?: WindowedMaterialized<K, VA>): KTable<Windowed<K>, VA> {
    const merger = typeof a === 'function' ? a : undefined;
    const materialized = (typeof a === 'function' ? b : a) ?? {};
    const w = this.windows;
    if (w.type === 'session' && merger === undefined) throw new TopologyError('cogroup().windowedBy(SessionWindows).aggregate needs a merger for when sessions merge');
    const first = this.inputs[0]!.grouped[STATE];
    const graph = first.graph;
    const storeName = materialized.storeName ?? graph.newStoreName(Prefix.cogroupAggregate);
    const keySerde = materialized.key ?? first.keySerde;
    const retentionMs = materialized.retentionMs ?? w.retentionMs;
    if (retentionMs < w.retentionMs) throw new TopologyError(`retention of store ${storeName} (${retentionMs} ms) must be at least window size + grace (${w.retentionMs} ms)`);
    const common = { name: storeName, keySerde, valueSerde: materialized.value, logging: materialized.logging ?? true, retentionMs, timeOrdered: false, changelogConfig: windowedChangelogConfig(retentionMs) };
    const size = w.type === 'time' ? w.sizeMs : w.type === 'sliding' ? w.timeDifferenceMs : 0;
    graph.addStore(w.type === 'session' ? { type: 'session', ...common } : { type: 'window', ...common, windowSizeMs: size, retainDuplicates: false });
    const flagged = this.inputs.filter((input) => input.grouped[STATE].repartitionRequired).length;
    let repartitionIndex = 0;
    const names = this.inputs.map((input, i) => {
      const s = input.grouped[STATE];
      if (s.graph !== graph) throw new TopologyError('cogroup inputs must come from the same StreamsBuilder');
      const parent = repartitionIfRequired(s, s.groupedName ?? (flagged > 1 ? `${storeName}-${repartitionIndex++}` : storeName));
      const name = materialized.name === undefined ? graph.newProcessorName(Prefix.cogroupAggregate) : `${materialized.name}-cogroup-agg-${i}`;
      const fields = { storeName, initializer, aggregator: input.aggregator as Aggregator<any, any, any>, emit: 'update' as const };
      if (w.type === 'session') createSessionWindowAggregateNode(graph, parent, name, fields, merger!, w);
      else if (w.type === 'sliding') createSlidingWindowAggregateNode(graph, parent, name, fields, w);
      else createTimeWindowAggregateNode(graph, parent, name, fields, w);
      return name;
    });
    const merge = createPassThroughNode(graph, names, materialized.name === undefined ? graph.newProcessorName(Prefix.cogroupMerge) : `${materialized.name}-cogroup-merge`, true).name;
    const windowedKey = keySerde === undefined ? undefined : w.type === 'session' ? sessionWindowedSerde(keySerde) : timeWindowedSerde(keySerde, size);
    return new KTable<Windowed<K>, VA>({ graph, node: merge, keySerde: windowedKey as never, valueSerde: materialized.value as never, storeName });
  }
}
