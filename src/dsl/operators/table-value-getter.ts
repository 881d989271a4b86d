import type { ProcessorContext } from '../../processor/processor.js';
import type { Predicate, ValueMapper } from '../types.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import type { ValueJoiner } from './stream-stream-join.js';
import type { TableJoinType } from './table-table-join.js';

/**
 * How a join reads another table's current value for a key (Kafka's KTableValueGetter): from the table's store, or,
 * for a table without a store, by computing it at lookup time from what it derives from: both inputs of a
 * table-table join, joined; the parent of a filter or mapValues, filtered or mapped. So `a.join(b).leftJoin(c)` or
 * `stream.join(table.filter(p))` work without materializing the derived table, as in Kafka Streams.
 */
export type ValueGetterSpec =
  | { readonly kind: 'store'; readonly store: string }
  | {
      readonly kind: 'join';
      readonly join: TableJoinType;
      readonly left: ValueGetterSpec;
      readonly right: ValueGetterSpec;
      readonly joiner: ValueJoiner<any, any, any, any>;
    }
  | { readonly kind: 'filter'; readonly predicate: Predicate<any, any>; readonly not: boolean; readonly parent: ValueGetterSpec }
  | { readonly kind: 'mapValues'; readonly mapper: ValueMapper<any, any, any>; readonly parent: ValueGetterSpec };

export interface ValueGetter {
  getWithTimestamp(key: unknown): { readonly value: unknown; readonly timestamp: number } | undefined;
}

/** The stores a getter reads: the processor using it must list them (store access, sub-topology grouping). */
export function storesOfGetter(spec: ValueGetterSpec): string[] {
  if (spec.kind === 'store') return [spec.store];
  if (spec.kind === 'join') return [...new Set([...storesOfGetter(spec.left), ...storesOfGetter(spec.right)])];
  return storesOfGetter(spec.parent);
}

export function createValueGetter(context: ProcessorContext<any, any>, spec: ValueGetterSpec): ValueGetter {
  if (spec.kind === 'store') return context.getStateStore<KeyValueStore<unknown, unknown>>(spec.store);
  if (spec.kind === 'filter') {
    const parent = createValueGetter(context, spec.parent);
    return {
      getWithTimestamp(key) {
        const found = parent.getWithTimestamp(key);
        return found !== undefined && spec.predicate(key, found.value) !== spec.not ? found : undefined;
      },
    };
  }
  if (spec.kind === 'mapValues') {
    const parent = createValueGetter(context, spec.parent);
    return {
      getWithTimestamp(key) {
        const found = parent.getWithTimestamp(key);
        if (found === undefined) return undefined;
        const value = spec.mapper(found.value, key);
        return value === null || value === undefined ? undefined : { value, timestamp: found.timestamp };
      },
    };
  }
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
