import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { StreamAggregateNode } from './aggregate-internals.js';
import { createAggregateNode } from './aggregate.js';

export { streamAggregateProcessor as countProcessor } from './aggregate-internals.js';

const zero = (): number => 0;
const increment = (_key: unknown, _value: unknown, count: number): number => count + 1;

/** KGroupedStream count(): an aggregate starting at 0 adding 1 per non-null record. */
export function createCountNode(builder: GraphBuilder, parent: string, name: string, storeName: string): StreamAggregateNode {
  return createAggregateNode(builder, parent, name, storeName, zero, increment);
}
