import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { CompiledGraphView, NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import type { Change } from '../../processor/change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { InMemoryWindowStore, WindowEntry } from '../../state/window-store.js';
import type { SlidingWindows, Window, Windowed } from '../windows.js';
import { forwardWindow, WindowForwarder, type WindowAggregateFields } from './window-aggregate-internals.js';

/**
 * Aggregation over sliding windows (Kafka's KStreamSlidingWindowAggregate): windows `[s, s + d]`, both ends
 * inclusive, created only where their content differs (each record's left window `[t-d, t]` and, when later
 * records exist within d, its right window `[t+1, t+1+d]`); records at `t < d` share `[0, d]`.
 *
 * Semantics: processor-local stream time; close time = streamTime - grace; the record is dropped (counted)
 * when even `[t, t+d]` is closed (`t + d < closeTime`); a single window is skipped (counted) when
 * `end < closeTime`. Null key **or null value**: dropped (counted). Existing windows are visited by
 * descending start (Kafka's default stores), so updates come out in that order.
 */
export interface SlidingWindowAggregateNode extends NodeBase<'SlidingWindowAggregate'>, WindowAggregateFields {
  readonly differenceMs: number;
  readonly graceMs: number;
}

export function createSlidingWindowAggregateNode(builder: GraphBuilder, parent: string, name: string, fields: WindowAggregateFields, windows: SlidingWindows): SlidingWindowAggregateNode {
  return builder.addNode<SlidingWindowAggregateNode>({
    kind: 'SlidingWindowAggregate',
    name,
    parents: [parent],
    stores: [fields.storeName],
    ...fields,
    differenceMs: windows.timeDifferenceMs,
    graceMs: windows.graceMs,
  });
}

type Agg = { readonly value: unknown; readonly timestamp: number };

class SlidingWindowAggregateProcessor implements Processor<unknown, unknown, Windowed<unknown>, Change<unknown>> {
  private ctx!: ProcessorContext<Windowed<unknown>, Change<unknown>>;
  private store!: InMemoryWindowStore<unknown, unknown>;
  private out!: WindowForwarder;
  private observedStreamTime = -1;
  private lastEmitCloseTime = -1;
  private current!: Record<unknown, unknown>;

  constructor(
    private readonly node: SlidingWindowAggregateNode,
    private readonly sendOldValues: boolean,
    private readonly children: readonly string[] = [],
  ) {}

  init(context: ProcessorContext<Windowed<unknown>, Change<unknown>>): void {
    this.ctx = context;
    this.store = context.getStateStore(this.node.storeName);
    this.out = new WindowForwarder(context, this.children, this.node.lateRecordsSink);
  }

  process(record: Record<unknown, unknown>): void {
    const { key, value } = record;
    if (key === null || key === undefined || value === null || value === undefined) {
      this.ctx.recordDropped(key === null || key === undefined ? 'null key in sliding-window aggregation' : 'null value in sliding-window aggregation');
      return;
    }
    const t = record.timestamp;
    const d = this.node.differenceMs;
    if (t > this.observedStreamTime) this.observedStreamTime = t;
    const closeTime = this.observedStreamTime - this.node.graceMs;
    if (t + d < closeTime) {
      this.out.late(record, `record at ${t} is outside every open sliding window (close time ${closeTime})`);
      return;
    }
    this.current = record;
    if (t < d) this.processEarly(key, value, t, closeTime);
    else this.processReverse(key, value, t, closeTime);
    if (this.node.emit === 'final') this.emitFinal(record, closeTime);
  }

  private processReverse(key: unknown, value: unknown, t: number, closeTime: number): void {
    const d = this.node.differenceMs;
    const starts = new Set<number>();
    let leftAgg: Agg | undefined;
    let rightAgg: Agg | undefined;
    let leftExists = false;
    let rightExists = false;
    let previous: number | undefined;
    for (const w of this.store.fetchRange(key, Math.max(0, t - 2 * d), t + 1, true)) {
      starts.add(w.start);
      const end = w.start + d;
      if (w.start === t + 1) {
        rightExists = true;
      } else if (end > t) {
        if (rightAgg === undefined) rightAgg = w;
        this.update(key, value, { start: w.start, end }, w, closeTime, t);
      } else if (end === t) {
        leftExists = true;
        this.update(key, value, { start: w.start, end }, w, closeTime, t);
        if (w.timestamp < t) previous = w.timestamp;
        else return;
      } else {
        leftAgg = w;
        previous = w.timestamp;
        break;
      }
    }
    if (previous !== undefined) {
      const start = previous + 1;
      if (!starts.has(start) && start + d >= t) this.update(key, value, { start, end: start + d }, undefined, closeTime, t);
    }
    if (!leftExists) {
      const seed = previous !== undefined && t - d <= previous && leftAgg !== undefined ? { value: leftAgg.value } : undefined;
      this.updateFrom(key, value, { start: t - d, end: t }, seed, closeTime, t);
    }
    if (!rightExists && rightAgg !== undefined && rightAgg.timestamp > t) this.createRight(key, t, rightAgg);
  }

  private processEarly(key: unknown, value: unknown, t: number, closeTime: number): void {
    const d = this.node.differenceMs;
    const starts = new Set<number>();
    let combined: WindowEntry<unknown, unknown> | undefined;
    let rightAgg: Agg | undefined;
    let rightExists = false;
    let previous: number | undefined;
    for (const w of this.store.fetchRange(key, 0, t + 1)) {
      starts.add(w.start);
      if (w.start === 0) {
        combined = w;
        if (w.timestamp < t) previous = w.timestamp;
      } else if (w.start <= t) {
        rightAgg = w;
        this.update(key, value, { start: w.start, end: w.start + d }, w, closeTime, t);
      } else if (w.start === t + 1) {
        rightExists = true;
      }
    }
    if (rightAgg === undefined && combined !== undefined && combined.timestamp > t) rightAgg = combined;
    if (!rightExists && rightAgg !== undefined && rightAgg.timestamp > t) this.createRight(key, t, rightAgg);
    if (previous !== undefined && !starts.has(previous + 1)) this.update(key, value, { start: previous + 1, end: previous + 1 + d }, undefined, closeTime, t);
    if (combined === undefined) this.update(key, value, { start: 0, end: d }, undefined, closeTime, t);
    else this.update(key, value, { start: 0, end: d }, combined, closeTime, t);
  }

  private createRight(key: unknown, t: number, agg: Agg): void {
    const window = { start: t + 1, end: t + 1 + this.node.differenceMs };
    if (!this.store.put(key, window.start, agg.value, agg.timestamp)) this.ctx.recordDropped('window store refused an expired window');
    if (this.node.emit === 'update') forwardWindow(this.out, this.current, key, window, agg.value, null, agg.timestamp);
  }

  /** Adds the value to an existing window (its timestamp carries over) or to a fresh one. */
  private update(key: unknown, value: unknown, window: Window, existing: Agg | undefined, closeTime: number, t: number): void {
    if (existing !== undefined) this.write(key, value, window, existing.value, existing, Math.max(t, existing.timestamp), closeTime);
    else this.write(key, value, window, undefined, undefined, t, closeTime);
  }

  /** A new window seeded with another window's aggregate (or the initializer); timestamp = record ts. */
  private updateFrom(key: unknown, value: unknown, window: Window, seed: { value: unknown } | undefined, closeTime: number, t: number): void {
    this.write(key, value, window, seed?.value, undefined, t, closeTime, seed !== undefined);
  }

  private write(key: unknown, value: unknown, window: Window, base: unknown, old: Agg | undefined, timestamp: number, closeTime: number, seeded = false): void {
    if (window.end < closeTime) {
      this.ctx.recordDropped(`sliding window [${window.start},${window.end}] is closed (close time ${closeTime})`);
      return;
    }
    const fields = this.node;
    // `from`: the aggregate this update starts from. Kafka forwards it as the old value even for a window it has
    // just created (the seed window's aggregate, or the initializer's value; reduce has none: null).
    let aggregate: unknown;
    let from: unknown = null;
    if (old !== undefined || seeded) {
      from = base;
      aggregate = fields.aggregator(key, value, base);
    } else if (fields.initializer === undefined) {
      aggregate = value;
    } else {
      from = fields.initializer();
      aggregate = fields.aggregator(key, value, from);
    }
    if (!this.store.put(key, window.start, aggregate, timestamp)) this.ctx.recordDropped('window store refused an expired window');
    if (fields.emit === 'update') forwardWindow(this.out, this.current, key, window, aggregate, this.sendOldValues ? from : null, timestamp);
  }

  private emitFinal(record: Record<unknown, unknown>, closeTime: number): void {
    if (this.lastEmitCloseTime !== -1 && this.lastEmitCloseTime >= closeTime) return;
    const d = this.node.differenceMs;
    const upper = closeTime - d - 1;
    if (upper < 0) return;
    const lower = this.lastEmitCloseTime === -1 ? 0 : Math.max(0, this.lastEmitCloseTime - d);
    if (lower > upper) return;
    for (const entry of this.store.fetchAll(lower, upper)) {
      forwardWindow(this.out, record, entry.key, { start: entry.start, end: entry.start + d }, entry.value, null, entry.timestamp);
    }
    this.lastEmitCloseTime = closeTime;
  }
}

export function slidingWindowAggregateProcessor(node: SlidingWindowAggregateNode, graph: CompiledGraphView): Processor<unknown, unknown, Windowed<unknown>, Change<unknown>> {
  return new SlidingWindowAggregateProcessor(node, graph.sendsOldValues(node.name), graph.childrenOf(node.name).map((c) => c.name));
}

export const slidingWindowAggregateHandler: NodeHandler<SlidingWindowAggregateNode> = {
  role: 'processor',
  createProcessor: slidingWindowAggregateProcessor,
  enableOldValues(node, pass) {
    pass.markSendsOldValues(node.name);
  },
};
