import type { ReadOnlyKeyValueStore } from '../state/key-value-store.js';
import type { StateStore } from '../state/state-store.js';

/**
 * A read-only view of one key-value store across the stores that hold its partitions on this instance
 * (interactive queries). `stores` is asked at each call: tasks come and go with rebalances, and a key lives
 * in exactly one partition, so the first store that has it answers.
 *
 * @example
 * const counts = keyValueStoreView<string, number>(() => tasks.map((t) => t.stores.get('counts')!));
 * counts.get('hello');
 */
export function keyValueStoreView<K, V>(stores: () => readonly (StateStore | undefined)[]): ReadOnlyKeyValueStore<K, V> {
  const present = (): ReadOnlyKeyValueStore<K, V>[] => stores().filter((s): s is StateStore & ReadOnlyKeyValueStore<K, V> => s !== undefined);
  return {
    get: (key) => {
      for (const s of present()) {
        const v = s.get(key);
        if (v !== undefined) return v;
      }
      return undefined;
    },
    getWithTimestamp: (key) => {
      for (const s of present()) {
        const v = s.getWithTimestamp(key);
        if (v !== undefined) return v;
      }
      return undefined;
    },
    all: function* () {
      for (const s of present()) yield* s.all();
    },
    approximateNumEntries: () => present().reduce((n, s) => n + s.approximateNumEntries(), 0),
  };
}
