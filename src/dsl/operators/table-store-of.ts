import { TopologyError } from '../../errors.js';
import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { TableState } from '../ktable.js';
import type { ValueGetterSpec } from './table-value-getter.js';

/**
 * The store holding a KTable's current values, for operators that look values up (joins). A source or
 * toTable KTable is materialized on demand (through the old-values pass, which also makes it send old
 * values); an aggregate's store is used as is. A derived table without a store cannot be looked up.
 */
export function lookupStoreOf(graph: GraphBuilder, table: TableState<any, any>, operation: string): string {
  if (table.storeName !== undefined) return table.storeName;
  const node = graph.nodes.get(table.node);
  if (node !== undefined && (node.kind === 'TableSource' || node.kind === 'ToTable')) {
    graph.requestOldValues(node.name);
    return node.store.name;
  }
  if (node !== undefined && node.stores.length === 1 && (node.kind === 'StreamAggregate' || node.kind === 'TableAggregate')) return node.stores[0]!;
  throw new TopologyError(
    `${operation} needs to look up values of table ${table.node}, which has no store; join the source table (or an aggregate) instead of a derived table, or materialize it with toStream().toTable({ storeName })`,
    table.node,
  );
}

/**
 * How a table-table join reads a table's current values: its store (see lookupStoreOf), or, for the result of a
 * table-table join without a store, that join's value getter (both its inputs, joined at lookup time).
 */
export function lookupGetterOf(graph: GraphBuilder, table: TableState<any, any>, operation: string): ValueGetterSpec {
  const node = graph.nodes.get(table.node);
  if (table.storeName === undefined && node?.kind === 'TableMerge') return node.getter;
  return { kind: 'store', store: lookupStoreOf(graph, table, operation) };
}
