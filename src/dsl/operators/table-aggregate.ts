import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { Aggregator, Initializer } from '../types.js';
import type { TableAggregateNode } from './table-aggregate-internals.js';

export { tableAggregateProcessor } from './table-aggregate-internals.js';

/** KGroupedTable aggregate(initializer, adder, subtractor). */
export function createTableAggregateNode(
  builder: GraphBuilder,
  parent: string,
  name: string,
  storeName: string,
  initializer: Initializer<any>,
  adder: Aggregator<any, any, any>,
  subtractor: Aggregator<any, any, any>,
): TableAggregateNode {
  if (typeof initializer !== 'function') throw new TypeError("initializer can't be null");
  if (typeof adder !== 'function') throw new TypeError("adder can't be null");
  if (typeof subtractor !== 'function') throw new TypeError("subtractor can't be null");
  return builder.addNode<TableAggregateNode>({ kind: 'TableAggregate', name, parents: [parent], stores: [storeName], storeName, initializer, adder, subtractor });
}
