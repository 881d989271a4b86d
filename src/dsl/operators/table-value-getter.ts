import type { ProcessorContext } from '../../processor/processor.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import type { ValueJoiner } from './stream-stream-join.js';
import type { TableJoinType } from './table-table-join.js';

/**
 * How a join reads another table's current value for a key (Kafka's KTableValueGetter): from the table's store, or,
 * for the result of a table-table join that has no store, by reading both of that join's inputs and joining them at
 * lookup time. So `a.join(b).leftJoin(c)` works without materializing `a.join(b)`, as in Kafka Streams.
 */
export type ValueGetterSpec =
  | { readonly kind: 'store'; readonly store: string }
  | {
      readonly kind: 'join';
      readonly join: TableJoinType;
      readonly left: ValueGetterSpec;
      readonly right: ValueGetterSpec;
      readonly joiner: ValueJoiner<any, any, any, any>;
    };

export interface ValueGetter {
  getWithTimestamp(key: unknown): { readonly value: unknown; readonly timestamp: number } | undefined;
}

/** The stores a getter reads: the processor using it must list them (store access, sub-topology grouping). */
export function storesOfGetter(spec: ValueGetterSpec): string[] {
  return spec.kind === 'store' ? [spec.store] : [...new Set([...storesOfGetter(spec.left), ...storesOfGetter(spec.right)])];
}

export function createValueGetter(context: ProcessorContext<any, any>, spec: ValueGetterSpec): ValueGetter {
  if (spec.kind === 'store') return context.getStateStore<KeyValueStore<unknown, unknown>>(spec.store);
  const left = createValueGetter(context, spec.left);
  const right = createValueGetter(context, spec.right);
  return {
    getWithTimestamp(key) {
      // As Kafka's join value getters: inner needs both sides, left the left side, outer either; the timestamp is
      // the larger of the sides present.
      const l = left.getWithTimestamp(key);
      if (l === undefined && spec.join !== 'outer') return undefined;
      const r = right.getWithTimestamp(key);
      if (r === undefined && (spec.join === 'inner' || l === undefined)) return undefined;
      const value = spec.joiner(l?.value ?? null, r?.value ?? null, key);
      if (value === null || value === undefined) return undefined;
      return { value, timestamp: Math.max(l?.timestamp ?? -1, r?.timestamp ?? -1) };
    },
  };
}
