import type { Headers } from '../processor/record.js';
import type { KeyIdentity, KeyValueStore } from './key-value-store.js';
import { CACHE_ENTRY_OVERHEAD_BYTES, estimateBytes, type RecordCache } from './record-cache.js';
import type { StateStore, StoreContext, ValueAndTimestamp } from './state-store.js';

const NO_HEADERS: Headers = Object.freeze({});

/**
 * Receives a flushed cache entry: the key, its latest value (null = deleted), the value it had before
 * its first unflushed update (null unless old values were asked for), and the timestamp and headers of
 * its latest update.
 */
export type CacheFlushListener<K, V> = (key: K, newValue: V | null, oldValue: V | null, timestamp: number, headers: Headers) => void;

/** A store that may hold updates back and forward them itself when it flushes. */
export interface CacheFlushingStore<K, V> {
  /**
   * Makes the store forward its flushed entries to `listener`. Returns true when the store caches (the
   * writer must then not forward its updates itself), false when every write reaches the store at once.
   */
  setFlushListener(listener: CacheFlushListener<K, V>, sendOldValues: boolean): boolean;
}

/**
 * Sets the flush listener of a store that can cache; false when the store does not cache, so the
 * writing processor forwards every update itself (Kafka Streams' TimestampedTupleForwarder).
 */
export function setCacheFlushListener<K, V>(store: StateStore, listener: CacheFlushListener<K, V>, sendOldValues: boolean): boolean {
  const flushing = store as Partial<CacheFlushingStore<K, V>>;
  return typeof flushing.setFlushListener === 'function' ? flushing.setFlushListener(listener, sendOldValues) : false;
}

interface CacheEntry<K, V> {
  readonly id: string;
  readonly key: K;
  /** Latest value; null when the latest update deleted the key. */
  value: V | null;
  timestamp: number;
  headers: Headers;
  origin: unknown;
  size: number;
}

/**
 * Caching layer (Kafka Streams' CachingKeyValueStore over a NamedCache): holds the latest update of each
 * key written since the last flush, above the changelogging layer, so consecutive updates of a key
 * between two commits reach the store below, the changelog and the downstream processors once.
 *
 * - Reads see the cache first: `get`, interactive queries and joins see the latest value.
 * - `flushCache()` (at every task commit, before outputs and changelog are collected) writes each dirty
 *   entry below, in the order the keys were first updated since the last flush, and forwards
 *   `(key, latest, old)` with the timestamp, headers and input record of the latest update. `old` is the
 *   value below before the write, i.e. before the first unflushed update. A key created and deleted
 *   between two flushes forwards nothing (both sides null), as in Kafka Streams.
 * - When a write takes the shared {@link RecordCache} over its budget, the least recently used entry of
 *   this store is evicted: it is forwarded first, then the rest of this store's dirty entries (Kafka's
 *   NamedCache flushes all of its dirty entries on evicting a dirty one).
 * - `close()` drops the entries without forwarding: a task closed without a commit loses its
 *   uncommitted state with them.
 *
 * Unlike Kafka Streams, the cache holds only dirty entries: the store below is in memory, so caching
 * clean entries for reads would gain nothing. Entries are sized by {@link estimateBytes} plus
 * {@link CACHE_ENTRY_OVERHEAD_BYTES}.
 */
export class CachingKeyValueStore<K, V> implements KeyValueStore<K, V>, CacheFlushingStore<K, V> {
  /** Dirty entries in the order their keys were first updated since the last flush. */
  readonly #dirty = new Map<string, CacheEntry<K, V>>();
  /** The same entries, least recently used first. */
  readonly #lru = new Map<string, CacheEntry<K, V>>();
  #context: StoreContext | undefined;
  #listener: CacheFlushListener<K, V> | undefined;
  #sendOldValues = false;
  #sizeBytes = 0;
  #flushing = false;

  constructor(
    private readonly inner: KeyValueStore<K, V>,
    private readonly identity: KeyIdentity<K>,
    private readonly cache: RecordCache,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get persistent(): boolean {
    return this.inner.persistent;
  }

  /** Entries not yet written to the store below. */
  get dirtyEntries(): number {
    return this.#dirty.size;
  }

  /** Estimated bytes held by this store's entries. */
  get sizeBytes(): number {
    return this.#sizeBytes;
  }

  init(context: StoreContext): void {
    this.#context = context;
    this.inner.init?.(context);
  }

  setFlushListener(listener: CacheFlushListener<K, V>, sendOldValues: boolean): boolean {
    this.#listener = listener;
    this.#sendOldValues = sendOldValues;
    return true;
  }

  #touch(entry: CacheEntry<K, V>): void {
    this.#lru.delete(entry.id);
    this.#lru.set(entry.id, entry);
  }

  get(key: K): V | undefined {
    const entry = this.#dirty.get(this.identity(key));
    if (entry === undefined) return this.inner.get(key);
    this.#touch(entry);
    return entry.value ?? undefined;
  }

  getWithTimestamp(key: K): ValueAndTimestamp<V> | undefined {
    const entry = this.#dirty.get(this.identity(key));
    if (entry === undefined) return this.inner.getWithTimestamp(key);
    this.#touch(entry);
    return entry.value === null ? undefined : { value: entry.value, timestamp: entry.timestamp };
  }

  *all(): IterableIterator<readonly [K, V]> {
    for (const pair of this.inner.all()) if (!this.#dirty.has(this.identity(pair[0]))) yield pair;
    for (const entry of [...this.#dirty.values()]) if (entry.value !== null) yield [entry.key, entry.value] as const;
  }

  approximateNumEntries(): number {
    let n = this.inner.approximateNumEntries();
    for (const entry of this.#dirty.values()) {
      const below = this.inner.get(entry.key) !== undefined;
      if (entry.value !== null && !below) n++;
      else if (entry.value === null && below) n--;
    }
    return n;
  }

  put(key: K, value: V | null, timestamp?: number): void {
    const context = this.#context;
    const ts = timestamp ?? context?.currentTimestamp() ?? 0;
    const headers = context?.currentHeaders?.() ?? NO_HEADERS;
    const origin = context?.currentOrigin?.();
    const id = this.identity(key);
    const size = CACHE_ENTRY_OVERHEAD_BYTES + id.length + estimateBytes(value) + (origin === undefined ? estimateBytes(headers) : estimateBytes(origin));
    let entry = this.#dirty.get(id);
    let delta: number;
    if (entry === undefined) {
      entry = { id, key, value, timestamp: ts, headers, origin, size };
      this.#dirty.set(id, entry);
      this.#lru.set(id, entry);
      delta = size;
    } else {
      delta = size - entry.size;
      entry.value = value;
      entry.timestamp = ts;
      entry.headers = headers;
      entry.origin = origin;
      entry.size = size;
      this.#touch(entry);
    }
    this.#resize(delta);
    if (this.cache.overBudget && !this.#flushing) this.#evict();
  }

  putIfAbsent(key: K, value: V, timestamp?: number): V | undefined {
    const existing = this.get(key);
    if (existing === undefined) this.put(key, value, timestamp);
    return existing;
  }

  delete(key: K, timestamp?: number): V | undefined {
    const previous = this.get(key);
    if (previous !== undefined) this.put(key, null, timestamp);
    return previous;
  }

  #resize(delta: number): void {
    this.#sizeBytes += delta;
    this.cache.resize(delta);
  }

  /** Forwards the least recently used entry, then the rest of this store's dirty entries. */
  #evict(): void {
    while (this.cache.overBudget && this.#lru.size > 0) {
      const eldest = this.#lru.values().next().value!;
      this.cache.countEviction();
      this.#flushEntries([eldest, ...[...this.#dirty.values()].filter((e) => e !== eldest)]);
    }
  }

  /** Writes every dirty entry to the store below and forwards it; see the class comment. */
  flushCache(): void {
    if (this.#dirty.size === 0 || this.#flushing) return;
    this.#flushEntries([...this.#dirty.values()]);
  }

  #flushEntries(entries: readonly CacheEntry<K, V>[]): void {
    this.#flushing = true;
    try {
      for (const entry of entries) {
        // Unflushed entries stay readable in the cache while earlier ones are forwarded; a flushed one is
        // already below when downstream reads it.
        if (this.#dirty.get(entry.id) !== entry) continue;
        this.#dirty.delete(entry.id);
        this.#lru.delete(entry.id);
        this.#resize(-entry.size);
        this.#writeBelow(entry);
      }
    } finally {
      this.#flushing = false;
    }
  }

  #writeBelow(entry: CacheEntry<K, V>): void {
    const { key, value, timestamp } = entry;
    const listener = this.#listener;
    const needOld = listener !== undefined && (this.#sendOldValues || value === null);
    const old = needOld ? (this.inner.get(key) ?? null) : null;
    if (value === null) {
      // Created and deleted since the last flush (or a delete of a missing key): nothing below, nothing to tell.
      if (listener !== undefined && old === null) return;
      this.inner.delete(key, timestamp);
    } else this.inner.put(key, value, timestamp);
    if (listener === undefined) return;
    const forwarded = this.#sendOldValues ? old : null;
    const context = this.#context;
    if (context?.forwardInRecordContext === undefined) listener(key, value, forwarded, timestamp, entry.headers);
    else context.forwardInRecordContext(this.name, timestamp, entry.headers, entry.origin, () => listener(key, value, forwarded, timestamp, entry.headers));
  }

  flush(): void {
    this.flushCache();
    this.inner.flush();
  }

  /** Drops the cached entries unforwarded (a close without commit discards uncommitted work). */
  close(): void {
    this.#dirty.clear();
    this.#lru.clear();
    this.#resize(-this.#sizeBytes);
    this.inner.close();
  }
}
