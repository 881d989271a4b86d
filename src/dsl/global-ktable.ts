import { STATE, type HandleState } from './handle-state.js';

/** @internal */
export interface GlobalTableState<K, V> extends HandleState<K, V> {
  readonly storeName: string;
  readonly topic: string;
}

/**
 * A table replicated in full on every instance, loaded from its topic before processing starts and kept
 * up to date afterwards. Used on the table side of stream joins (no co-partitioning needed).
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
