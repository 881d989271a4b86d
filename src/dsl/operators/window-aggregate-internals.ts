import { Change } from '../../runtime/change.js';
import type { ProcessorContext } from '../../runtime/processor.js';
import { Record } from '../../runtime/record.js';
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
}

/** Runs an aggregator from an existing aggregate or from the initializer (reduce: the value itself). */
export function aggregateInto(fields: WindowAggregateFields, key: unknown, value: unknown, existing: { value: unknown } | undefined): unknown {
  if (existing !== undefined) return fields.aggregator(key, value, existing.value);
  if (fields.initializer === undefined) return value;
  return fields.aggregator(key, value, fields.initializer());
}

/** Forwards a windowed update as `Change(new, old?)`, keeping the input record's headers. */
export function forwardWindow(
  ctx: ProcessorContext<Windowed<unknown>, Change<unknown>>,
  input: Record<unknown, unknown>,
  key: unknown,
  window: Window,
  newValue: unknown,
  oldValue: unknown,
  timestamp: number,
): void {
  ctx.forward(new Record(new Windowed(key, window), new Change(newValue, oldValue), timestamp, input.headers));
}
