import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import type { Processor } from '../../processor/processor.js';
import type { ForeachAction } from '../types.js';
import { SideEffectProcessor } from './side-effect-internals.js';

/** KStream peek: runs an action and forwards the record unchanged. */
export interface PeekNode extends NodeBase<'Peek'> {
  readonly action: ForeachAction<any, any>;
}

export function createPeekNode(builder: GraphBuilder, parent: string, action: ForeachAction<any, any>, name?: string): PeekNode {
  if (typeof action !== 'function') throw new TypeError("action can't be null");
  return builder.addNode<PeekNode>({ kind: 'Peek', name: builder.nameOr(name, Prefix.peek), parents: [parent], stores: [], action });
}

export function peekProcessor(node: PeekNode): Processor<unknown, unknown> {
  return new SideEffectProcessor(node.action, true);
}

export const peekHandler: NodeHandler<PeekNode> = { role: 'processor', createProcessor: peekProcessor };
