import type { GraphBuilder } from '../../graph/graph-builder.js';
import { Prefix } from '../../graph/naming.js';
import type { Aggregator, Initializer } from '../types.js';
import type { StreamAggregateNode } from './aggregate-internals.js';
import { createPassThroughNode } from './pass-through.js';

export { streamAggregateProcessor as cogroupAggregateProcessor } from './aggregate-internals.js';
export { passThroughProcessor as cogroupMergeProcessor } from './pass-through.js';

/**
 * CogroupedKStream.aggregate: one aggregate node per input (`COGROUPKSTREAM-AGGREGATE-`, or
 * `<name>-cogroup-agg-<i>`), all writing `storeName`, then a pass-through merge node
 * (`COGROUPKSTREAM-MERGE-` or `<name>-cogroup-merge`). Returns the merge node's name.
 */
export function createCogroupNodes(
  builder: GraphBuilder,
  inputs: readonly { readonly parent: string; readonly aggregator: Aggregator<any, any, any> }[],
  storeName: string,
  initializer: Initializer<any>,
  name?: string,
): string {
  if (typeof initializer !== 'function') throw new TypeError("initializer can't be null");
  const aggregates = inputs.map((input, i) => {
    if (typeof input.aggregator !== 'function') throw new TypeError("aggregator can't be null");
    return builder.addNode<StreamAggregateNode>({
      kind: 'StreamAggregate',
      name: name === undefined ? builder.newProcessorName(Prefix.cogroupAggregate) : `${name}-cogroup-agg-${i}`,
      parents: [input.parent],
      stores: [storeName],
      storeName,
      initializer,
      aggregator: input.aggregator,
    });
  });
  const mergeName = name === undefined ? builder.newProcessorName(Prefix.cogroupMerge) : `${name}-cogroup-merge`;
  return createPassThroughNode(
    builder,
    aggregates.map((a) => a.name),
    mergeName,
    true,
  ).name;
}
