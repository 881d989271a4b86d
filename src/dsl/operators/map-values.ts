import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { ValueMapper } from '../types.js';

/** KStream mapValues: a new value, same key (does not mark for repartitioning). */
export interface MapValuesNode extends NodeBase<'MapValues'> {
  readonly mapper: ValueMapper<any, any, any>;
}

export function createMapValuesNode(builder: GraphBuilder, parent: string, mapper: ValueMapper<any, any, any>, name?: string): MapValuesNode {
  if (typeof mapper !== 'function') throw new TypeError("mapper can't be null");
  return builder.addNode<MapValuesNode>({ kind: 'MapValues', name: builder.nameOr(name, Prefix.mapValues), parents: [parent], stores: [], mapper });
}

class MapValuesProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;
  constructor(private readonly mapper: ValueMapper<unknown, unknown, unknown>) {}
  init(context: ProcessorContext): void {
    this.ctx = context;
  }
  process(record: Record<unknown, unknown>): void {
    this.ctx.forward(record.withValue(this.mapper(record.value, record.key)));
  }
}

export function mapValuesProcessor(node: MapValuesNode): Processor<unknown, unknown> {
  return new MapValuesProcessor(node.mapper);
}

export const mapValuesHandler: NodeHandler<MapValuesNode> = { role: 'processor', createProcessor: mapValuesProcessor };
