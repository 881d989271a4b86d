import { TopologyError } from '../../errors.js';
import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { TableState } from '../ktable.js';
import type { ValueGetterSpec } from './table-value-getter.js';

/**
 * The store holding a KTable's current values, for operators that look values up (joins). A source or
 * toTable KTable is materialized on demand (through the old-values pass, which also makes it send old
 * values); an aggregate's store is used as is. Filter, mapValues and join results without a store are read
 * through value getters instead (lookupGetterOf); any other table without a store cannot be looked up.
 */
export function lookupStoreOf(graph: GraphBuilder, table: TableState<any, any>, operation: string): string {
  if (table.storeName !== undefined) return table.storeName;
  const node = graph.nodes.get(table.node);
  if (node !== undefined && (node.kind === 'TableSource' || node.kind === 'ToTable')) {
    graph.requestOldValues(node.name);
    return node.store.name;
  }
  if (node !== undefined && node.stores.length === 1 && (node.kind === 'StreamAggregate' || node.kind === 'TableAggregate')) return node.stores[0]!;
  // A cogroup's result: the pass-through over its aggregates, which all write one store (Kafka Streams' view of
  // a cogrouped table reads that store too).
  const shared = node === undefined ? undefined : sharedAggregateStore(graph, node.parents);
  if (shared !== undefined) return shared;
  throw new TopologyError(
    `${operation} needs to look up values of table ${table.node}, which has no store (only sources, aggregates and filter/mapValues/join results can be read without one); materialize it with toStream().toTable({ storeName })`,
    { nodeName: table.node },
  );
}

function sharedAggregateStore(graph: GraphBuilder, parents: readonly string[]): string | undefined {
  const stores = parents.map((p) => {
    const parent = graph.nodes.get(p);
    return parent?.kind === 'StreamAggregate' && parent.stores.length === 1 ? parent.stores[0] : undefined;
  });
  const first = stores[0];
  return first !== undefined && stores.every((s) => s === first) ? first : undefined;
}

/**
 * How a join reads a table's current values: its store (see lookupStoreOf), or, for a derived table without a
 * store (a table-table join, filter or mapValues result), its value getter (see table-value-getter.ts).
 */
export function lookupGetterOf(graph: GraphBuilder, table: TableState<any, any>, operation: string): ValueGetterSpec {
  if (table.storeName !== undefined) return { kind: 'store', store: table.storeName };
  return getterOfNode(graph, table.node, operation);
}

function getterOfNode(graph: GraphBuilder, name: string, operation: string): ValueGetterSpec {
  const node = graph.nodes.get(name);
  if (node?.kind === 'TableMerge') return node.getter;
  if ((node?.kind === 'TableFilter' || node?.kind === 'TableMapValues') && node.stores.length === 1) return { kind: 'store', store: node.stores[0]! };
  if (node?.kind === 'TableFilter') return { kind: 'filter', predicate: node.predicate, not: node.not, parent: getterOfNode(graph, node.parents[0]!, operation) };
  if (node?.kind === 'TableMapValues') return { kind: 'mapValues', mapper: node.mapper, parent: getterOfNode(graph, node.parents[0]!, operation) };
  return { kind: 'store', store: lookupStoreOf(graph, { node: name, storeName: undefined } as TableState<any, any>, operation) };
}
