import { auditTime, tap, type Observable, type Subscription } from 'rxjs';

/** Options of {@link liveView}. */
export interface LiveViewOptions<T> {
  /** Folds one update into the view's model (a table of rows, say). Called for every update. */
  readonly apply: (update: T) => void;
  /** Draws the model; called once per `everyMs` while updates arrive (after the last update too). */
  readonly render: () => void;
  /** Real-time redraw period (default 250 ms): the view is for people, so wall time is the right clock. */
  readonly everyMs?: number;
}

/**
 * Drives a live terminal (or any) view from an Observable of updates, such as `KStream.toObservable()`
 * or `tableChanges(table)`: every update is applied, drawing is throttled to the redraw period. The
 * clickstream demo can feed its per-window statistics table from `tableChanges(...)` with it instead of
 * polling an output topic.
 *
 * @example
 * import { Serdes, StreamsBuilder, liveView, tableChanges } from 'tributary-streams';
 * const builder = new StreamsBuilder();
 * const counts = builder.stream('clicks', { key: Serdes.string(), value: Serdes.string() }).groupByKey().count({ storeName: 'per-page' });
 * const rows = new Map<string, number>();
 * const view = liveView(tableChanges(counts), {
 *   apply: (r) => (r.value === null ? rows.delete(r.key) : rows.set(r.key, r.value)),
 *   render: () => console.log([...rows].map(([page, n]) => `${page} ${n}`).join('\n')),
 * });
 * // later: view.unsubscribe();
 */
export function liveView<T>(updates: Observable<T>, options: LiveViewOptions<T>): Subscription {
  const everyMs = options.everyMs ?? 250;
  if (!(everyMs > 0)) throw new RangeError(`everyMs must be positive, got ${everyMs}`);
  return updates
    .pipe(
      tap(options.apply),
      // A completing source still gets its last burst drawn: auditTime emits it when the period ends.
      auditTime(everyMs),
    )
    .subscribe(() => options.render());
}
