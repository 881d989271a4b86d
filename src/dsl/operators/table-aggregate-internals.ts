import type { CompiledGraphView, NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Change } from '../../processor/change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import { Record } from '../../processor/record.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import type { Aggregator, Initializer } from '../types.js';
import { forwardsOnFlush } from './cache-forwarder.js';

/**
 * KGroupedTable count/reduce/aggregate (Kafka's KTableAggregate/KTableReduce): first subtract the old
 * value from the stored aggregate, then add the new one. Timestamp: max(record ts, stored ts) when an
 * existing aggregate is modified, else the record's. The store keeps a row even when a count reaches 0;
 * for reduce, an aggregate that becomes null deletes the row.
 */
export interface TableAggregateNode extends NodeBase<'TableAggregate'> {
  readonly storeName: string;
  /** Undefined for reduce: the first added value becomes the aggregate. */
  readonly initializer: Initializer<any> | undefined;
  readonly adder: Aggregator<any, any, any>;
  readonly subtractor: Aggregator<any, any, any>;
}

class TableAggregateProcessor implements Processor<unknown, Change<unknown>, unknown, Change<unknown>> {
  private ctx!: ProcessorContext<unknown, Change<unknown>>;
  private store!: KeyValueStore<unknown, unknown>;
  /** The store forwards its updates when its cache flushes. */
  private cached = false;

  constructor(
    private readonly storeName: string,
    private readonly initializer: Initializer<unknown> | undefined,
    private readonly adder: Aggregator<unknown, unknown, unknown>,
    private readonly subtractor: Aggregator<unknown, unknown, unknown>,
    private readonly sendOldValues: boolean,
  ) {}

  init(context: ProcessorContext<unknown, Change<unknown>>): void {
    this.ctx = context;
    this.store = context.getStateStore(this.storeName);
    this.cached = forwardsOnFlush(this.store, context, this.sendOldValues);
  }

  process(record: Record<unknown, Change<unknown>>): void {
    const key = record.key;
    if (key === null || key === undefined) {
      this.ctx.recordDropped('null key in table aggregation');
      return;
    }
    const { newValue, oldValue } = record.value;
    const stored = this.store.getWithTimestamp(key);
    const oldAggregate = stored === undefined ? null : stored.value;
    let timestamp = record.timestamp;
    let intermediate: unknown = oldAggregate;
    if (oldValue !== null && stored !== undefined) {
      intermediate = this.subtractor(key, oldValue, stored.value);
      timestamp = Math.max(record.timestamp, stored.timestamp);
    }
    let newAggregate: unknown = intermediate;
    if (newValue !== null) {
      if (intermediate === null || intermediate === undefined) {
        newAggregate = this.initializer === undefined ? newValue : this.adder(key, newValue, this.initializer());
      } else {
        newAggregate = this.adder(key, newValue, intermediate);
      }
      if (stored !== undefined) timestamp = Math.max(record.timestamp, stored.timestamp);
    }
    const result = newAggregate === undefined ? null : newAggregate;
    this.store.put(key, result, timestamp);
    if (!this.cached) this.ctx.forward(new Record(key, new Change(result, this.sendOldValues ? oldAggregate : null), timestamp, record.headers));
  }
}

export function tableAggregateProcessor(node: TableAggregateNode, graph: CompiledGraphView): Processor<unknown, Change<unknown>, unknown, Change<unknown>> {
  return new TableAggregateProcessor(node.storeName, node.initializer, node.adder, node.subtractor, graph.sendsOldValues(node.name));
}

export const tableAggregateHandler: NodeHandler<TableAggregateNode> = {
  role: 'processor',
  createProcessor: tableAggregateProcessor,
  enableOldValues(node, pass) {
    pass.markSendsOldValues(node.name);
  },
};
