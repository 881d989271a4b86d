import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { Aggregator, Initializer } from '../types.js';
import type { StreamAggregateNode } from './aggregate-internals.js';

export { streamAggregateProcessor as aggregateProcessor } from './aggregate-internals.js';

/** KGroupedStream aggregate(initializer, aggregator): node writing `storeName`. */
export function createAggregateNode(builder: GraphBuilder, parent: string, name: string, storeName: string, initializer: Initializer<any>, aggregator: Aggregator<any, any, any>): StreamAggregateNode {
  if (typeof initializer !== 'function') throw new TypeError("initializer can't be null");
  if (typeof aggregator !== 'function') throw new TypeError("aggregator can't be null");
  return builder.addNode<StreamAggregateNode>({ kind: 'StreamAggregate', name, parents: [parent], stores: [storeName], storeName, initializer, aggregator });
}
