import { STATE, type HandleState } from './handle-state.js';

/** @internal */
export interface GlobalTableState<K, V> extends HandleState<K, V> {
  readonly storeName: string;
  readonly topic: string;
}

/**
 * A table replicated in full on every instance, loaded from its topic before processing starts and kept
 * up to date afterwards (by KafkaStreams and by the TopologyTestDriver). Used on the table side of stream
 * joins (no co-partitioning needed); updates of the table never produce join output.
 *
 * @example
 * const pages = builder.globalTable('pages', { key: Serdes.string(), value: Serdes.string(), storeName: 'pages' });
 * builder.stream('views', { key: Serdes.string(), value: Serdes.string() })
 *   .leftJoin(pages, (_user, page) => page, (page, title) => `${page}: ${title ?? 'unknown'}`)
 *   .to('titled-views');
 * // On Kafka, every instance's app.store<string, string>('pages') holds all pages.
 */
export class GlobalKTable<K, V> {
  /** @internal */
  readonly [STATE]: GlobalTableState<K, V>;

  /** @internal */
  constructor(state: GlobalTableState<K, V>) {
    this[STATE] = Object.freeze(state);
  }

  get queryableStoreName(): string {
    return this[STATE].storeName;
  }
}
