import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import { Record } from '../../processor/record.js';
import type { KeyValue, KeyValueMapper } from '../types.js';

/** KStream map: a new key and value per record (marks the stream for repartitioning). */
export interface MapNode extends NodeBase<'Map'> {
  readonly mapper: KeyValueMapper<any, any, KeyValue<any, any>>;
}

export function createMapNode(builder: GraphBuilder, parent: string, mapper: KeyValueMapper<any, any, KeyValue<any, any>>, name?: string): MapNode {
  if (typeof mapper !== 'function') throw new TypeError("mapper can't be null");
  return builder.addNode<MapNode>({ kind: 'Map', name: builder.nameOr(name, Prefix.map), parents: [parent], stores: [], mapper });
}

class MapProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;
  constructor(private readonly mapper: KeyValueMapper<unknown, unknown, KeyValue<unknown, unknown>>) {}
  init(context: ProcessorContext): void {
    this.ctx = context;
  }
  process(record: Record<unknown, unknown>): void {
    const [key, value] = this.mapper(record.key, record.value);
    this.ctx.forward(new Record(key, value, record.timestamp, record.headers));
  }
}

export function mapProcessor(node: MapNode): Processor<unknown, unknown> {
  return new MapProcessor(node.mapper);
}

export const mapHandler: NodeHandler<MapNode> = { role: 'processor', createProcessor: mapProcessor };
