import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import { ProductionError } from '../../errors.js';
import type { InternalProcessorContext } from '../../runtime/internal-context.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { Serde } from '../../serde/serde.js';
import type { StreamPartitioner, TopicNameExtractor } from '../types.js';

/** Writes records to a topic (fixed, or chosen per record by an extractor). Serialization happens here. */
export interface SinkNode extends NodeBase<'Sink'> {
  readonly topic: string | TopicNameExtractor<any, any>;
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  readonly partitioner: StreamPartitioner<any, any> | undefined;
  /** A repartition topic (named without the application-id prefix). */
  readonly internal: boolean;
}

export interface SinkNodeOptions {
  readonly name?: string | undefined;
  readonly topic: string | TopicNameExtractor<any, any>;
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  readonly partitioner?: StreamPartitioner<any, any> | undefined;
  readonly internal?: boolean;
}

export function createSinkNode(builder: GraphBuilder, parent: string, options: SinkNodeOptions): SinkNode {
  if (typeof options.topic === 'string' && options.topic.length === 0) throw new TypeError("topic can't be empty");
  return builder.addNode<SinkNode>({
    kind: 'Sink',
    name: builder.nameOr(options.name, Prefix.sink),
    parents: [parent],
    stores: [],
    topic: options.topic,
    keySerde: options.keySerde,
    valueSerde: options.valueSerde,
    partitioner: options.partitioner,
    internal: options.internal ?? false,
  });
}

class SinkProcessor implements Processor<unknown, unknown> {
  private ctx!: InternalProcessorContext;
  private fixedTopic: string | undefined;

  constructor(private readonly node: SinkNode) {}

  init(context: ProcessorContext): void {
    this.ctx = context as InternalProcessorContext;
    if (typeof this.node.topic === 'string') this.fixedTopic = this.ctx.resolveTopic(this.node.topic, this.node.internal);
  }

  process(record: Record<unknown, unknown>): void {
    const node = this.node;
    let topic = this.fixedTopic;
    if (topic === undefined) {
      const extractor = node.topic as TopicNameExtractor<unknown, unknown>;
      topic = extractor({ key: record.key, value: record.value, timestamp: record.timestamp, headers: record.headers, sourceTopic: this.ctx.sourceTopic() });
    }
    let key: Buffer | null;
    let value: Buffer | null;
    try {
      key = record.key === null || record.key === undefined ? null : node.keySerde!.serialize(record.key, topic);
      value = record.value === null || record.value === undefined ? null : node.valueSerde!.serialize(record.value, topic);
    } catch (cause) {
      this.ctx.reportProductionError(new ProductionError(`cannot serialize record for sink ${node.name}: ${cause instanceof Error ? cause.message : String(cause)}`, { topic, cause }));
      return;
    }
    const partition = node.partitioner?.(topic, record.key, record.value, this.ctx.partitionCount(topic));
    this.ctx.send(topic, key, value, record.timestamp, record.headers, partition);
  }
}

export function sinkProcessor(node: SinkNode): Processor<unknown, unknown> {
  return new SinkProcessor(node);
}

export const sinkHandler: NodeHandler<SinkNode> = { role: 'sink', createProcessor: sinkProcessor };
