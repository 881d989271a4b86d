import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { Reducer } from '../types.js';
import type { StreamAggregateNode } from './aggregate-internals.js';

export { streamAggregateProcessor as reduceProcessor } from './aggregate-internals.js';

/** KGroupedStream reduce(reducer): the first value of a key is its aggregate, then reducer(agg, value). */
export function createReduceNode(builder: GraphBuilder, parent: string, name: string, storeName: string, reducer: Reducer<any>): StreamAggregateNode {
  if (typeof reducer !== 'function') throw new TypeError("reducer can't be null");
  return builder.addNode<StreamAggregateNode>({
    kind: 'StreamAggregate',
    name,
    parents: [parent],
    stores: [storeName],
    storeName,
    initializer: undefined,
    aggregator: (_key: unknown, value: unknown, aggregate: unknown) => reducer(aggregate, value),
  });
}
