import type { GraphBuilder } from '../graph/graph-builder.js';
import type { Serde } from '../serde/serde.js';

/** What every DSL handle points at. Not part of the public API. */
export interface HandleState<K, V> {
  readonly graph: GraphBuilder;
  /** The node whose output this handle stands for. */
  readonly node: string;
  readonly keySerde: Serde<NonNullable<K>> | undefined;
  readonly valueSerde: Serde<NonNullable<V>> | undefined;
}

/** Stream handles also carry whether the key may have changed since the last partitioning. */
export interface StreamState<K, V> extends HandleState<K, V> {
  readonly repartitionRequired: boolean;
}

/** Key under which handles keep their state; not exported from the package. */
export const STATE: unique symbol = Symbol('tributary.handle');
