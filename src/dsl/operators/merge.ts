import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';

/** KStream merge: the union of two streams; per-input order is kept. */
export interface MergeNode extends NodeBase<'Merge'> {}

export function createMergeNode(builder: GraphBuilder, parents: readonly string[], name?: string): MergeNode {
  return builder.addNode<MergeNode>({ kind: 'Merge', name: builder.nameOr(name, Prefix.merge), parents, stores: [] });
}

class MergeProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;
  init(context: ProcessorContext): void {
    this.ctx = context;
  }
  process(record: Record<unknown, unknown>): void {
    this.ctx.forward(record);
  }
}

export function mergeProcessor(_node: MergeNode): Processor<unknown, unknown> {
  return new MergeProcessor();
}

export const mergeHandler: NodeHandler<MergeNode> = { role: 'processor', createProcessor: mergeProcessor };
