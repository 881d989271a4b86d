import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { TableAggregateNode } from './table-aggregate-internals.js';
import { createTableAggregateNode } from './table-aggregate.js';

export { tableAggregateProcessor as tableCountProcessor } from './table-aggregate-internals.js';

const zero = (): number => 0;
const increment = (_key: unknown, _value: unknown, count: number): number => count + 1;
const decrement = (_key: unknown, _value: unknown, count: number): number => count - 1;

/** KGroupedTable count(): +1 per added row, -1 per removed row; a key stays at 0 rather than being deleted. */
export function createTableCountNode(builder: GraphBuilder, parent: string, name: string, storeName: string): TableAggregateNode {
  return createTableAggregateNode(builder, parent, name, storeName, zero, increment, decrement);
}
