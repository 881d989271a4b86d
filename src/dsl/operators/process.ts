import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import type { AnyProcessor } from '../../processor/processor.js';

const PROCESSOR_PREFIX = 'KSTREAM-PROCESSOR-';

/**
 * KStream process(supplier): a user-written Processor (one instance per task) with access to the named
 * stores, to punctuation and to forward(). Marks the stream for repartitioning, as the key may change.
 */
export interface ProcessNode extends NodeBase<'Process'> {
  readonly supplier: () => AnyProcessor;
}

export function createProcessNode(builder: GraphBuilder, parent: string, supplier: () => AnyProcessor, stores: readonly string[], name?: string): ProcessNode {
  if (typeof supplier !== 'function') throw new TypeError("processor supplier can't be null");
  return builder.addNode<ProcessNode>({ kind: 'Process', name: builder.nameOr(name, PROCESSOR_PREFIX), parents: [parent], stores, supplier });
}

export function processProcessor(node: ProcessNode): AnyProcessor {
  const processor = node.supplier();
  if (processor === null || typeof processor !== 'object' || typeof processor.process !== 'function') {
    throw new TypeError(`the supplier of ${node.name} must return a new Processor ({ process(record) {...} }) per call`);
  }
  return processor;
}

export const processHandler: NodeHandler<ProcessNode> = { role: 'processor', createProcessor: processProcessor };
