import { Change } from '../../processor/change.js';
import type { ProcessorContext } from '../../processor/processor.js';
import { Record } from '../../processor/record.js';
import type { Aggregator, Initializer } from '../types.js';
import { Windowed, type Window } from '../windows.js';

/**
 * When a windowed aggregation forwards results.
 * - `update` (default, Spark's *update* output mode): every change of a window is forwarded at once.
 * - `final` (Spark's *append* mode): nothing is forwarded until the window closes (stream time passes its
 *   end + grace, sessions: + gap); then its final value is forwarded once.
 * Spark's *complete* mode is the materialized window store itself (query it; it is the whole result table).
 */
export type EmitStrategy = 'update' | 'final';

/** Fields shared by the windowed aggregation nodes. */
export interface WindowAggregateFields {
  readonly storeName: string;
  /** Undefined for reduce: the first value of a window is its aggregate. */
  readonly initializer: Initializer<any> | undefined;
  readonly aggregator: Aggregator<any, any, any>;
  readonly emit: EmitStrategy;
  /**
   * Name of the sink child that receives records too late for every window they belong to (the
   * late-records policy); undefined = late records are only dropped and counted.
   */
  readonly lateRecordsSink?: string | undefined;
}

/**
 * Forwards results to the regular children, and late records (unchanged) to the late-records sink when
 * the policy routes them there. Routed records are still counted as dropped: they left the aggregation.
 */
export class WindowForwarder {
  readonly #regular: readonly string[] | undefined;

  constructor(
    private readonly ctx: ProcessorContext<any, any>,
    children: readonly string[],
    private readonly lateSink: string | undefined,
  ) {
    this.#regular = lateSink === undefined ? undefined : children.filter((c) => c !== lateSink);
  }

  forward(record: Record<unknown, unknown>): void {
    if (this.#regular === undefined) this.ctx.forward(record);
    else for (const child of this.#regular) this.ctx.forward(record, child);
  }

  late(record: Record<unknown, unknown>, reason: string): void {
    this.ctx.recordDropped(reason);
    this.routeLate(record);
  }

  /** Sends a record that updated no window to the late-records sink (drops were counted per window). */
  routeLate(record: Record<unknown, unknown>): void {
    if (this.lateSink !== undefined) this.ctx.forward(record, this.lateSink);
  }
}

/** Runs an aggregator from an existing aggregate or from the initializer (reduce: the value itself). */
export function aggregateInto(fields: WindowAggregateFields, key: unknown, value: unknown, existing: { value: unknown } | undefined): unknown {
  if (existing !== undefined) return fields.aggregator(key, value, existing.value);
  if (fields.initializer === undefined) return value;
  return fields.aggregator(key, value, fields.initializer());
}

/** Forwards a windowed update as `Change(new, old?)`, keeping the input record's headers. */
export function forwardWindow(
  ctx: WindowForwarder,
  input: Record<unknown, unknown>,
  key: unknown,
  window: Window,
  newValue: unknown,
  oldValue: unknown,
  timestamp: number,
): void {
  ctx.forward(new Record(new Windowed(key, window), new Change(newValue, oldValue), timestamp, input.headers));
}
