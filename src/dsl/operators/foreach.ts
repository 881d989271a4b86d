import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import type { Processor } from '../../processor/processor.js';
import type { ForeachAction } from '../types.js';
import { SideEffectProcessor } from './side-effect-internals.js';

/** KStream foreach: a terminal side effect per record. */
export interface ForeachNode extends NodeBase<'Foreach'> {
  readonly action: ForeachAction<any, any>;
}

export function createForeachNode(builder: GraphBuilder, parent: string, action: ForeachAction<any, any>, name?: string): ForeachNode {
  if (typeof action !== 'function') throw new TypeError("action can't be null");
  return builder.addNode<ForeachNode>({ kind: 'Foreach', name: builder.nameOr(name, Prefix.foreach), parents: [parent], stores: [], action });
}

export function foreachProcessor(node: ForeachNode): Processor<unknown, unknown> {
  return new SideEffectProcessor(node.action, false);
}

export const foreachHandler: NodeHandler<ForeachNode> = { role: 'processor', createProcessor: foreachProcessor };
