import type { CompiledGraphView, NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Change } from '../../processor/change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import { Record } from '../../processor/record.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import type { Aggregator, Initializer } from '../types.js';
import { forwardsOnFlush } from './cache-forwarder.js';

/**
 * Running per-key aggregation of a KGroupedStream (count, reduce, aggregate and each cogroup input),
 * Kafka's KStreamAggregate/KStreamReduce. Null key or null value: dropped (metric). Output timestamp:
 * the record's for a key's first value, afterwards max(record ts, stored aggregate ts).
 */
export interface StreamAggregateNode extends NodeBase<'StreamAggregate'> {
  readonly storeName: string;
  /** Undefined for reduce: the first value of a key becomes its aggregate. */
  readonly initializer: Initializer<any> | undefined;
  readonly aggregator: Aggregator<any, any, any>;
}

class StreamAggregateProcessor implements Processor<unknown, unknown, unknown, Change<unknown>> {
  private ctx!: ProcessorContext<unknown, Change<unknown>>;
  private store!: KeyValueStore<unknown, unknown>;
  /** The store forwards its updates when its cache flushes. */
  private cached = false;

  constructor(
    private readonly storeName: string,
    private readonly initializer: Initializer<unknown> | undefined,
    private readonly aggregator: Aggregator<unknown, unknown, unknown>,
    private readonly sendOldValues: boolean,
  ) {}

  init(context: ProcessorContext<unknown, Change<unknown>>): void {
    this.ctx = context;
    this.store = context.getStateStore(this.storeName);
    this.cached = forwardsOnFlush(this.store, context, this.sendOldValues);
  }

  process(record: Record<unknown, unknown>): void {
    const { key, value } = record;
    if (key === null || key === undefined || value === null || value === undefined) {
      this.ctx.recordDropped(key === null || key === undefined ? 'null key in aggregation' : 'null value in aggregation');
      return;
    }
    const stored = this.store.getWithTimestamp(key);
    let aggregate: unknown;
    let timestamp: number;
    // The aggregate this update starts from; for a new key Kafka forwards the initializer's value as the old
    // value (reduce has none: null), which a filter downstream then judges like any old value.
    let base: unknown = null;
    if (stored === undefined) {
      if (this.initializer !== undefined) base = this.initializer();
      aggregate = this.initializer === undefined ? value : this.aggregator(key, value, base);
      timestamp = record.timestamp;
    } else {
      base = stored.value;
      aggregate = this.aggregator(key, value, stored.value);
      timestamp = Math.max(record.timestamp, stored.timestamp);
    }
    this.store.put(key, aggregate, timestamp);
    if (!this.cached) this.ctx.forward(new Record(key, new Change(aggregate, this.sendOldValues ? base : null), timestamp, record.headers));
  }
}

export function streamAggregateProcessor(node: StreamAggregateNode, graph: CompiledGraphView): Processor<unknown, unknown, unknown, Change<unknown>> {
  return new StreamAggregateProcessor(node.storeName, node.initializer, node.aggregator, graph.sendsOldValues(node.name));
}

export const streamAggregateHandler: NodeHandler<StreamAggregateNode> = {
  role: 'processor',
  createProcessor: streamAggregateProcessor,
  enableOldValues(node, pass) {
    pass.markSendsOldValues(node.name);
  },
};
