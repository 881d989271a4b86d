import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import { Record } from '../../processor/record.js';
import type { KeyValue, KeyValueMapper } from '../types.js';

/** KStream flatMap: 0..n new records per input, all with the input's timestamp (marks for repartitioning). */
export interface FlatMapNode extends NodeBase<'FlatMap'> {
  readonly mapper: KeyValueMapper<any, any, Iterable<KeyValue<any, any>>>;
}

export function createFlatMapNode(builder: GraphBuilder, parent: string, mapper: KeyValueMapper<any, any, Iterable<KeyValue<any, any>>>, name?: string): FlatMapNode {
  if (typeof mapper !== 'function') throw new TypeError("mapper can't be null");
  return builder.addNode<FlatMapNode>({ kind: 'FlatMap', name: builder.nameOr(name, Prefix.flatMap), parents: [parent], stores: [], mapper });
}

class FlatMapProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;
  constructor(private readonly mapper: KeyValueMapper<unknown, unknown, Iterable<KeyValue<unknown, unknown>>>) {}
  init(context: ProcessorContext): void {
    this.ctx = context;
  }
  process(record: Record<unknown, unknown>): void {
    for (const [key, value] of this.mapper(record.key, record.value)) {
      this.ctx.forward(new Record(key, value, record.timestamp, record.headers));
    }
  }
}

export function flatMapProcessor(node: FlatMapNode): Processor<unknown, unknown> {
  return new FlatMapProcessor(node.mapper);
}

export const flatMapHandler: NodeHandler<FlatMapNode> = { role: 'processor', createProcessor: flatMapProcessor };
