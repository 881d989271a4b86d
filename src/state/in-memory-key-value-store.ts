import type { KeyIdentity, KeyValueStore } from './key-value-store.js';
import type { StoreContext, ValueAndTimestamp } from './state-store.js';

interface Entry<K, V> {
  key: K;
  value: V;
  timestamp: number;
}

/**
 * The bottom layer: typed values in a Map indexed by key identity. Values are kept as objects (never
 * re-serialized on get); serialization happens only when the changelogging layer drains at commit.
 */
export class InMemoryKeyValueStore<K, V> implements KeyValueStore<K, V> {
  readonly persistent = false;
  readonly #entries = new Map<string, Entry<K, V>>();
  #context: StoreContext | undefined;
  // Aggregations read a key and then write it: remembering the last entry looked up saves the second
  // hash lookup on the hot path.
  #lastId: string | undefined;
  #lastEntry: Entry<K, V> | undefined;

  #lookup(id: string): Entry<K, V> | undefined {
    if (id === this.#lastId) return this.#lastEntry;
    const entry = this.#entries.get(id);
    this.#lastId = id;
    this.#lastEntry = entry;
    return entry;
  }

  constructor(
    readonly name: string,
    private readonly identity: KeyIdentity<K>,
  ) {}

  init(context: StoreContext): void {
    this.#context = context;
  }

  get(key: K): V | undefined {
    return this.#lookup(this.identity(key))?.value;
  }

  getWithTimestamp(key: K): ValueAndTimestamp<V> | undefined {
    const entry = this.#lookup(this.identity(key));
    return entry === undefined ? undefined : { value: entry.value, timestamp: entry.timestamp };
  }

  put(key: K, value: V | null, timestamp?: number): void {
    const id = this.identity(key);
    if (value === null) {
      this.#remove(id);
      return;
    }
    const ts = timestamp ?? this.#context?.currentTimestamp() ?? 0;
    const entry = this.#lookup(id);
    if (entry === undefined) {
      const created = { key, value, timestamp: ts };
      this.#entries.set(id, created);
      this.#lastEntry = created;
    } else {
      entry.value = value;
      entry.timestamp = ts;
    }
  }

  putIfAbsent(key: K, value: V, timestamp?: number): V | undefined {
    const existing = this.get(key);
    if (existing === undefined) this.put(key, value, timestamp);
    return existing;
  }

  delete(key: K): V | undefined {
    const id = this.identity(key);
    const entry = this.#lookup(id);
    if (entry === undefined) return undefined;
    this.#remove(id);
    return entry.value;
  }

  #remove(id: string): void {
    this.#entries.delete(id);
    if (id === this.#lastId) this.#lastEntry = undefined;
  }

  *all(): IterableIterator<readonly [K, V]> {
    for (const entry of this.#entries.values()) yield [entry.key, entry.value] as const;
  }

  approximateNumEntries(): number {
    return this.#entries.size;
  }

  flush(): void {}

  close(): void {
    this.#entries.clear();
    this.#lastId = undefined;
    this.#lastEntry = undefined;
  }
}
