import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { CompiledGraphView, NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import type { Change } from '../../processor/change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { InMemoryWindowStore } from '../../state/window-store.js';
import { TimeWindows, type Windowed } from '../windows.js';
import { forwardWindow, WindowForwarder, type WindowAggregateFields } from './window-aggregate-internals.js';

/**
 * Aggregation over tumbling/hopping windows (Kafka's KStreamWindowAggregate).
 *
 * Semantics, decided explicitly:
 * - Stream time is the processor's own (max timestamp of the records *it* received, in memory only).
 * - close time = streamTime - grace; a window with `end <= closeTime` is closed: a record for it is counted
 *   as dropped **once per closed window** and still updates the open windows it falls into.
 * - A null key is dropped (counted). A null **value** is aggregated like any other value (count counts it),
 *   as Kafka Streams' processor does (its javadoc says otherwise; the code is what users observe).
 * - Result timestamp: the window's first record ts, then max(record ts, window ts).
 * - emit `final`: after each record, windows whose end passed the close time since the last emission are
 *   forwarded once (by start, then key), with their stored timestamp.
 */
export interface TimeWindowAggregateNode extends NodeBase<'TimeWindowAggregate'>, WindowAggregateFields {
  readonly sizeMs: number;
  readonly advanceMs: number;
  readonly graceMs: number;
}

export function createTimeWindowAggregateNode(builder: GraphBuilder, parent: string, name: string, fields: WindowAggregateFields, windows: TimeWindows): TimeWindowAggregateNode {
  return builder.addNode<TimeWindowAggregateNode>({
    kind: 'TimeWindowAggregate',
    name,
    parents: [parent],
    stores: [fields.storeName],
    ...fields,
    sizeMs: windows.sizeMs,
    advanceMs: windows.advanceMs,
    graceMs: windows.graceMs,
  });
}

class TimeWindowAggregateProcessor implements Processor<unknown, unknown, Windowed<unknown>, Change<unknown>> {
  private ctx!: ProcessorContext<Windowed<unknown>, Change<unknown>>;
  private store!: InMemoryWindowStore<unknown, unknown>;
  private readonly windows: TimeWindows;
  private out!: WindowForwarder;
  private observedStreamTime = -1;
  private lastEmitCloseTime = -1;

  constructor(
    private readonly node: TimeWindowAggregateNode,
    private readonly sendOldValues: boolean,
    private readonly children: readonly string[] = [],
  ) {
    this.windows = TimeWindows.ofSizeAndGrace(node.sizeMs, node.graceMs).advanceBy(node.advanceMs);
  }

  init(context: ProcessorContext<Windowed<unknown>, Change<unknown>>): void {
    this.ctx = context;
    this.store = context.getStateStore(this.node.storeName);
    this.out = new WindowForwarder(context, this.children, this.node.lateRecordsSink);
  }

  process(record: Record<unknown, unknown>): void {
    const { key } = record;
    if (key === null || key === undefined) {
      this.ctx.recordDropped('null key in windowed aggregation');
      return;
    }
    if (record.timestamp > this.observedStreamTime) this.observedStreamTime = record.timestamp;
    const closeTime = this.observedStreamTime - this.node.graceMs;
    let updated = 0;
    for (const window of this.windows.windowsFor(record.timestamp)) {
      if (window.end <= closeTime) {
        this.ctx.recordDropped(`record at ${record.timestamp} for closed window [${window.start},${window.end}) (close time ${closeTime})`);
        continue;
      }
      updated++;
      const existing = this.store.fetch(key, window.start);
      // The aggregate this update starts from; for a new window Kafka forwards the initializer's value as the
      // old value (reduce has none: null), which a filter downstream then judges like any old value.
      const base = existing !== undefined ? existing.value : this.node.initializer === undefined ? null : this.node.initializer();
      const aggregate = existing === undefined && this.node.initializer === undefined ? record.value : this.node.aggregator(key, record.value, base);
      const timestamp = existing === undefined ? record.timestamp : Math.max(record.timestamp, existing.timestamp);
      if (!this.store.put(key, window.start, aggregate, timestamp)) this.ctx.recordDropped('window store refused an expired window');
      if (this.node.emit === 'update') forwardWindow(this.out, record, key, window, aggregate, this.sendOldValues ? base : null, timestamp);
    }
    if (updated === 0) this.out.routeLate(record);
    if (this.node.emit === 'final') this.emitFinal(record, closeTime);
  }

  private emitFinal(record: Record<unknown, unknown>, closeTime: number): void {
    if (this.lastEmitCloseTime !== -1 && this.lastEmitCloseTime >= closeTime) return;
    const upper = closeTime - this.node.sizeMs;
    if (upper < 0) return;
    const lower = this.lastEmitCloseTime === -1 ? 0 : Math.max(0, this.lastEmitCloseTime - this.node.sizeMs) + 1;
    if (this.lastEmitCloseTime !== -1) {
      const closing = this.windows.windowsFor(upper).map((w) => w.start).join();
      const emitted = this.windows.windowsFor(lower - 1).map((w) => w.start).join();
      if (closing === emitted) return;
    }
    for (const entry of this.store.fetchAll(lower, upper)) {
      forwardWindow(this.out, record, entry.key, { start: entry.start, end: entry.start + this.node.sizeMs }, entry.value, null, entry.timestamp);
    }
    this.lastEmitCloseTime = closeTime;
  }
}

export function timeWindowAggregateProcessor(node: TimeWindowAggregateNode, graph: CompiledGraphView): Processor<unknown, unknown, Windowed<unknown>, Change<unknown>> {
  return new TimeWindowAggregateProcessor(node, graph.sendsOldValues(node.name), graph.childrenOf(node.name).map((c) => c.name));
}

export const timeWindowAggregateHandler: NodeHandler<TimeWindowAggregateNode> = {
  role: 'processor',
  createProcessor: timeWindowAggregateProcessor,
  enableOldValues(node, pass) {
    pass.markSendsOldValues(node.name);
  },
};
