import type { StateStore, ValueAndTimestamp } from './state-store.js';

/** Read access to a key-value store, e.g. for interactive queries and the test driver. */
export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): V | undefined;
  getWithTimestamp(key: K): ValueAndTimestamp<V> | undefined;
  /** Every entry, in no particular order. */
  all(): IterableIterator<readonly [K, V]>;
  approximateNumEntries(): number;
}

/**
 * A key-value store. Every layer (in-memory, changelogging, typed) implements this one interface, so
 * layers compose freely (a caching layer can be slotted in later).
 *
 * `put(key, null)` deletes. A missing timestamp means "the timestamp of the record being processed".
 */
export interface KeyValueStore<K, V> extends StateStore, ReadOnlyKeyValueStore<K, V> {
  put(key: K, value: V | null, timestamp?: number): void;
  putIfAbsent(key: K, value: V, timestamp?: number): V | undefined;
  /** Removes the key and returns the previous value. */
  delete(key: K, timestamp?: number): V | undefined;
}

/** Maps a key to the string a Map can index by; keys equal by value must map to equal strings. */
export type KeyIdentity<K> = (key: K) => string;
