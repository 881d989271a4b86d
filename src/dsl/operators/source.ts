import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { Serde } from '../../serde/serde.js';
import type { TimestampExtractor } from '../types.js';

/** Reads topics. Deserialization and timestamp extraction happen at the task boundary, with this node's serdes. */
export interface SourceNode extends NodeBase<'Source'> {
  readonly topics: readonly string[];
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  readonly timestampExtractor: TimestampExtractor<any, any> | undefined;
  /** A repartition topic (named without the application-id prefix). */
  readonly internal: boolean;
  /** Feeds a global store: every instance reads all partitions; creates no tasks. */
  readonly global: boolean;
}

export interface SourceNodeOptions {
  readonly name?: string | undefined;
  readonly topics: readonly string[];
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  readonly timestampExtractor?: TimestampExtractor<any, any> | undefined;
  readonly internal?: boolean;
  readonly global?: boolean;
}

export function createSourceNode(builder: GraphBuilder, options: SourceNodeOptions): SourceNode {
  return builder.addNode<SourceNode>({
    kind: 'Source',
    name: builder.nameOr(options.name, Prefix.source),
    parents: [],
    stores: [],
    topics: options.topics,
    keySerde: options.keySerde,
    valueSerde: options.valueSerde,
    timestampExtractor: options.timestampExtractor,
    internal: options.internal ?? false,
    global: options.global ?? false,
  });
}

class SourceProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;
  init(context: ProcessorContext): void {
    this.ctx = context;
  }
  process(record: Record<unknown, unknown>): void {
    this.ctx.forward(record);
  }
}

export function sourceProcessor(_node: SourceNode): Processor<unknown, unknown> {
  return new SourceProcessor();
}

export const sourceHandler: NodeHandler<SourceNode> = { role: 'source', createProcessor: sourceProcessor };
