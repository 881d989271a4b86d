import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { CompiledGraphView, NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import type { Change } from '../../processor/change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { InMemorySessionStore } from '../../state/session-store.js';
import type { SessionWindows, Windowed } from '../windows.js';
import { forwardWindow, WindowForwarder, type WindowAggregateFields } from './window-aggregate-internals.js';

/** Combines two session aggregates when a record bridges their sessions. */
export type Merger<K, VA> = (key: K, aggregate1: VA, aggregate2: VA) => VA;

/**
 * Session aggregation (Kafka's KStreamSessionWindowAggregate).
 *
 * Semantics, decided explicitly:
 * - Processor-local stream time; close time = streamTime - grace - gap; a record whose merged session
 *   ends before the close time is dropped (counted).
 * - A record at t merges every session of its key overlapping `[t - gap, t + gap]`: aggregate =
 *   merger folded over their aggregates from the initializer, then the aggregator. Unless the merged
 *   session is exactly `[t, t]`, every absorbed session is removed and retracted downstream
 *   (`Change(null, old?)`, timestamp = that session's end), even when it equals the merged window.
 * - Result timestamp: the session end. Null key: dropped (counted); a null value is aggregated (as Kafka).
 * - emit `final`: sessions whose end fell below the close time since the last emission are forwarded once.
 */
export interface SessionWindowAggregateNode extends NodeBase<'SessionWindowAggregate'>, WindowAggregateFields {
  readonly gapMs: number;
  readonly graceMs: number;
  /** Undefined for reduce (sessions merge with the reducer). */
  readonly merger: Merger<any, any>;
}

export function createSessionWindowAggregateNode(
  builder: GraphBuilder,
  parent: string,
  name: string,
  fields: WindowAggregateFields,
  merger: Merger<any, any>,
  windows: SessionWindows,
): SessionWindowAggregateNode {
  return builder.addNode<SessionWindowAggregateNode>({
    kind: 'SessionWindowAggregate',
    name,
    parents: [parent],
    stores: [fields.storeName],
    ...fields,
    merger,
    gapMs: windows.gapMs,
    graceMs: windows.graceMs,
  });
}

class SessionWindowAggregateProcessor implements Processor<unknown, unknown, Windowed<unknown>, Change<unknown>> {
  private ctx!: ProcessorContext<Windowed<unknown>, Change<unknown>>;
  private store!: InMemorySessionStore<unknown, unknown>;
  private out!: WindowForwarder;
  private observedStreamTime = -1;
  private lastEmitCloseTime = -1;

  constructor(
    private readonly node: SessionWindowAggregateNode,
    private readonly sendOldValues: boolean,
    private readonly children: readonly string[] = [],
  ) {}

  init(context: ProcessorContext<Windowed<unknown>, Change<unknown>>): void {
    this.ctx = context;
    this.store = context.getStateStore(this.node.storeName);
    this.out = new WindowForwarder(context, this.children, this.node.lateRecordsSink);
  }

  process(record: Record<unknown, unknown>): void {
    const { key } = record;
    if (key === null || key === undefined) {
      this.ctx.recordDropped('null key in session aggregation');
      return;
    }
    const t = record.timestamp;
    const { gapMs, graceMs } = this.node;
    if (t > this.observedStreamTime) this.observedStreamTime = t;
    const closeTime = this.observedStreamTime - graceMs - gapMs;
    const found = this.store.findSessions(key, t - gapMs, t + gapMs);
    let start = t;
    let end = t;
    let aggregate: unknown = this.node.initializer === undefined ? undefined : this.node.initializer();
    let first = true;
    for (const session of found) {
      start = Math.min(start, session.start);
      end = Math.max(end, session.end);
      aggregate = first && this.node.initializer === undefined ? session.value : this.node.merger(key, aggregate, session.value);
      first = false;
    }
    if (end < closeTime) {
      this.out.late(record, `record at ${t}: session [${start},${end}] is closed (close time ${closeTime})`);
      this.emitFinal(record, closeTime);
      return;
    }
    aggregate = found.length === 0 && this.node.initializer === undefined ? record.value : this.node.aggregator(key, record.value, aggregate);
    if (start !== t || end !== t) {
      for (const session of found) {
        if (!this.store.remove(key, session.start, session.end)) this.ctx.recordDropped('session store refused an expired session');
        if (this.node.emit === 'update') forwardWindow(this.out, record, key, { start: session.start, end: session.end }, null, this.sendOldValues ? session.value : null, session.end);
      }
    }
    if (!this.store.put(key, start, end, aggregate)) this.ctx.recordDropped('session store refused an expired session');
    if (this.node.emit === 'update') forwardWindow(this.out, record, key, { start, end }, aggregate, null, end);
    this.emitFinal(record, closeTime);
  }

  private emitFinal(record: Record<unknown, unknown>, closeTime: number): void {
    if (this.node.emit !== 'final') return;
    if (this.lastEmitCloseTime !== -1 && this.lastEmitCloseTime >= closeTime) return;
    const upper = closeTime - 1;
    if (upper < 0) return;
    const lower = Math.max(0, this.lastEmitCloseTime);
    if (lower > upper) return;
    for (const s of this.store.findByEnd(lower, upper)) forwardWindow(this.out, record, s.key, { start: s.start, end: s.end }, s.value, null, s.end);
    this.lastEmitCloseTime = closeTime;
  }
}

export function sessionWindowAggregateProcessor(node: SessionWindowAggregateNode, graph: CompiledGraphView): Processor<unknown, unknown, Windowed<unknown>, Change<unknown>> {
  return new SessionWindowAggregateProcessor(node, graph.sendsOldValues(node.name), graph.childrenOf(node.name).map((c) => c.name));
}

export const sessionWindowAggregateHandler: NodeHandler<SessionWindowAggregateNode> = {
  role: 'processor',
  createProcessor: sessionWindowAggregateProcessor,
  enableOldValues(node, pass) {
    pass.markSendsOldValues(node.name);
  },
};
