import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { ValueMapper } from '../types.js';

/** KStream flatMapValues: 0..n values per input, same key and timestamp. */
export interface FlatMapValuesNode extends NodeBase<'FlatMapValues'> {
  readonly mapper: ValueMapper<any, Iterable<any>, any>;
}

export function createFlatMapValuesNode(builder: GraphBuilder, parent: string, mapper: ValueMapper<any, Iterable<any>, any>, name?: string): FlatMapValuesNode {
  if (typeof mapper !== 'function') throw new TypeError("mapper can't be null");
  return builder.addNode<FlatMapValuesNode>({ kind: 'FlatMapValues', name: builder.nameOr(name, Prefix.flatMapValues), parents: [parent], stores: [], mapper });
}

class FlatMapValuesProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;
  constructor(private readonly mapper: ValueMapper<unknown, Iterable<unknown>, unknown>) {}
  init(context: ProcessorContext): void {
    this.ctx = context;
  }
  process(record: Record<unknown, unknown>): void {
    for (const value of this.mapper(record.value, record.key)) this.ctx.forward(record.withValue(value));
  }
}

export function flatMapValuesProcessor(node: FlatMapValuesNode): Processor<unknown, unknown> {
  return new FlatMapValuesProcessor(node.mapper);
}

export const flatMapValuesHandler: NodeHandler<FlatMapValuesNode> = { role: 'processor', createProcessor: flatMapValuesProcessor };
