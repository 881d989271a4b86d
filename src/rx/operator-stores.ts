import type { KeyValueStoreSpec } from '../state/store-spec.js';

/**
 * The stores an RxJS operator needs from its task. An operator function carries them under this symbol
 * so `KStream.pipe(...)` can declare them in the graph (and so create their changelog topics) before any
 * task runs: the operator itself is opaque to the DSL.
 */
export const OPERATOR_STORES: unique symbol = Symbol('tributary.operatorStores');

export interface WithOperatorStores {
  readonly [OPERATOR_STORES]?: readonly KeyValueStoreSpec[];
}

/** The store specs an operator function declared (none for plain RxJS operators). */
export function operatorStores(op: unknown): readonly KeyValueStoreSpec[] {
  return (op as WithOperatorStores)[OPERATOR_STORES] ?? [];
}
