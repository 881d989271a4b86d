import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { Reducer } from '../types.js';
import type { TableAggregateNode } from './table-aggregate-internals.js';

export { tableAggregateProcessor as tableReduceProcessor } from './table-aggregate-internals.js';

/** KGroupedTable reduce(adder, subtractor): the first value becomes the aggregate. */
export function createTableReduceNode(builder: GraphBuilder, parent: string, name: string, storeName: string, adder: Reducer<any>, subtractor: Reducer<any>): TableAggregateNode {
  if (typeof adder !== 'function') throw new TypeError("adder can't be null");
  if (typeof subtractor !== 'function') throw new TypeError("subtractor can't be null");
  return builder.addNode<TableAggregateNode>({
    kind: 'TableAggregate',
    name,
    parents: [parent],
    stores: [storeName],
    storeName,
    initializer: undefined,
    adder: (_key: unknown, value: unknown, aggregate: unknown) => adder(aggregate, value),
    subtractor: (_key: unknown, value: unknown, aggregate: unknown) => subtractor(aggregate, value),
  });
}
