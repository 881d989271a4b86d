import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { InMemoryWindowStore } from '../../state/window-store.js';

/**
 * One side of a KStream-KStream join (Kafka's KStreamJoinWindow): forwards every record to its join
 * processor, then remembers it (non-null key and value) in this side's window store, which keeps
 * duplicates and retains `before + after + grace`. A write the store refuses (expired segment) counts as
 * a dropped record.
 */
export interface StreamJoinWindowNode extends NodeBase<'StreamJoinWindow'> {
  readonly storeName: string;
}

export function createStreamJoinWindowNode(builder: GraphBuilder, parent: string, name: string, storeName: string): StreamJoinWindowNode {
  return builder.addNode<StreamJoinWindowNode>({ kind: 'StreamJoinWindow', name, parents: [parent], stores: [storeName], storeName });
}

class StreamJoinWindowProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;
  private store!: InMemoryWindowStore<unknown, unknown>;

  constructor(private readonly storeName: string) {}

  init(context: ProcessorContext): void {
    this.ctx = context;
    this.store = context.getStateStore(this.storeName);
  }

  process(record: Record<unknown, unknown>): void {
    this.ctx.forward(record);
    if (record.key === null || record.key === undefined || record.value === null || record.value === undefined) return;
    if (!this.store.put(record.key, record.timestamp, record.value, record.timestamp)) this.ctx.recordDropped('join window store refused an expired record');
  }
}

export const streamJoinWindowHandler: NodeHandler<StreamJoinWindowNode> = {
  role: 'processor',
  createProcessor: (node) => new StreamJoinWindowProcessor(node.storeName),
};
