import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';

/**
 * Forwards every record unchanged. Used for split() branches, merge() and the cogroup merge node,
 * where Kafka Streams also has a named pass-through processor.
 */
export interface PassThroughNode extends NodeBase<'PassThrough'> {
  /** Whether downstream KTable semantics (Change values) flow through; lets old-value requests pass. */
  readonly table: boolean;
}

export function createPassThroughNode(builder: GraphBuilder, parents: readonly string[], name: string, table = false): PassThroughNode {
  return builder.addNode<PassThroughNode>({ kind: 'PassThrough', name, parents, stores: [], table });
}

class PassThroughProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;
  init(context: ProcessorContext): void {
    this.ctx = context;
  }
  process(record: Record<unknown, unknown>): void {
    this.ctx.forward(record);
  }
}

export function passThroughProcessor(_node: PassThroughNode): Processor<unknown, unknown> {
  return new PassThroughProcessor();
}

export const passThroughHandler: NodeHandler<PassThroughNode> = {
  role: 'processor',
  createProcessor: passThroughProcessor,
  enableOldValues(node, pass) {
    if (!node.table) throw new Error(`${node.name} does not carry KTable updates`);
    pass.markSendsOldValues(node.name);
    for (const parent of node.parents) pass.requestFromParent(parent);
  },
};
