import { Observable, type OperatorFunction } from 'rxjs';
import type { Record } from '../processor/record.js';
import type { Serde } from '../serde/serde.js';
import type { KeyValueStoreSpec } from '../state/store-spec.js';
import { OPERATOR_STORES } from './operator-stores.js';
import { currentPipeRuntime } from './pipe-runtime.js';

/** Where {@link scanWithStore} keeps its per-key accumulators. */
export interface ScanStore<K, A> {
  /** Store name; its changelog topic is `<applicationId>-<storeName>-changelog`. */
  readonly storeName: string;
  readonly key: Serde<NonNullable<K>>;
  readonly value: Serde<NonNullable<A>>;
  /** Back the store with a changelog topic (default true). Without it the state does not survive either. */
  readonly logging?: boolean;
}

/**
 * A per-key `scan` whose accumulators live in a changelogged key-value store of the task, for use inside
 * `KStream.pipe(...)`. Each record's new accumulator is written to the store while the record is
 * processed, so it is committed with the record's offset: after a crash, a restart or a rebalance the
 * task restores the store and continues from the committed accumulators (exact under exactly-once; under
 * at-least-once, records replayed after a crash are accumulated again, as with any store).
 *
 * Plain RxJS operators (`scan`, `reduce`, `bufferCount`, `distinctUntilChanged`, ...) keep their state in
 * memory only: it is rebuilt from scratch whenever the task starts (restart, rebalance, error recovery).
 * Use this operator when that is not acceptable.
 *
 * Records with a null key are accumulated under no key: they fail with an error (processing error policy).
 *
 * @example
 * import { Serdes, scanWithStore } from 'tributary-streams';
 * // clicks: a KStream<string, string>
 * const totals = clicks.pipe(
 *   scanWithStore({ storeName: 'click-totals', key: Serdes.string(), value: Serdes.long() }, (total: number, click) => total + click.value.length, () => 0),
 * );
 */
export function scanWithStore<K, V, A>(
  store: ScanStore<K, A>,
  accumulator: (accumulated: A, record: Record<K, V>) => A,
  seed: (key: K) => A,
): OperatorFunction<Record<K, V>, Record<K, A>> {
  if (typeof accumulator !== 'function' || typeof seed !== 'function') throw new TypeError('scanWithStore takes an accumulator and a seed function');
  const spec: KeyValueStoreSpec = { type: 'key-value', name: store.storeName, keySerde: store.key, valueSerde: store.value, logging: store.logging ?? true, caching: false };
  const operator: OperatorFunction<Record<K, V>, Record<K, A>> = (source) =>
    new Observable<Record<K, A>>((subscriber) => {
      // Subscribed while the pipe of one task connects its chain: this is that task's store.
      const kv = currentPipeRuntime('scanWithStore').store<K, A>(store.storeName);
      return source.subscribe({
        next(record) {
          if (record.key === null || record.key === undefined) {
            subscriber.error(new TypeError(`scanWithStore ${store.storeName}: a record with a null key cannot be accumulated`));
            return;
          }
          let next: A;
          try {
            next = accumulator(kv.get(record.key) ?? seed(record.key), record);
            kv.put(record.key, next, record.timestamp);
          } catch (error) {
            subscriber.error(error);
            return;
          }
          subscriber.next(record.withValue(next));
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
  return Object.assign(operator, { [OPERATOR_STORES]: [spec] });
}
