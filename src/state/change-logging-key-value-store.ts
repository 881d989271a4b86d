import type { OutgoingRecord } from '../errors.js';
import { StateStoreError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import type { KeyIdentity, KeyValueStore } from './key-value-store.js';
import { prefetchChangelog, type ChangelogRecord, type LoggedStore, type StoreContext, type ValueAndTimestamp } from './state-store.js';

const NO_HEADERS = Object.freeze({});

/**
 * Changelogging layer. Instead of logging every put, it remembers which keys changed since the last
 * commit and, when drained, logs the latest value (or a tombstone) of each: the changelog is compacted,
 * so only the last write per key between two commits matters for restore. Record timestamp = the
 * value's timestamp (Kafka's timestamped KV changelog layout: raw value bytes, ts on the record).
 */
export class ChangeLoggingKeyValueStore<K, V> implements KeyValueStore<K, V>, LoggedStore {
  readonly #dirty = new Map<string, { key: K; deletedAt: number }>();
  #context: StoreContext | undefined;

  constructor(
    private readonly inner: KeyValueStore<K, V>,
    readonly changelogTopic: string,
    readonly changelogPartition: number,
    private readonly identity: KeyIdentity<K>,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  get persistent(): boolean {
    return this.inner.persistent;
  }

  init(context: StoreContext): void {
    this.#context = context;
    this.inner.init?.(context);
  }

  get(key: K): V | undefined {
    return this.inner.get(key);
  }

  getWithTimestamp(key: K): ValueAndTimestamp<V> | undefined {
    return this.inner.getWithTimestamp(key);
  }

  all(): IterableIterator<readonly [K, V]> {
    return this.inner.all();
  }

  approximateNumEntries(): number {
    return this.inner.approximateNumEntries();
  }

  put(key: K, value: V | null, timestamp?: number): void {
    this.inner.put(key, value, timestamp);
    this.#markDirty(key, timestamp);
  }

  putIfAbsent(key: K, value: V, timestamp?: number): V | undefined {
    const existing = this.inner.putIfAbsent(key, value, timestamp);
    if (existing === undefined) this.#markDirty(key, timestamp);
    return existing;
  }

  delete(key: K, timestamp?: number): V | undefined {
    const previous = this.inner.delete(key, timestamp);
    if (previous !== undefined) this.#markDirty(key, timestamp);
    return previous;
  }

  #markDirty(key: K, timestamp: number | undefined): void {
    const deletedAt = timestamp ?? this.#context?.currentTimestamp() ?? 0;
    const id = this.identity(key);
    const pending = this.#dirty.get(id);
    if (pending === undefined) this.#dirty.set(id, { key, deletedAt });
    else pending.deletedAt = deletedAt;
  }

  /** Number of keys changed since the last drain. */
  get pendingChanges(): number {
    return this.#dirty.size;
  }

  drainChangelog(into: OutgoingRecord[]): void {
    const topic = this.changelogTopic;
    for (const { key, deletedAt } of this.#dirty.values()) {
      const current = this.inner.getWithTimestamp(key);
      into.push({
        topic,
        partition: this.changelogPartition,
        key: this.keySerde.serialize(key, topic),
        value: current === undefined ? null : this.valueSerde.serialize(current.value, topic),
        timestamp: current === undefined ? deletedAt : current.timestamp,
        headers: NO_HEADERS,
      });
    }
    this.#dirty.clear();
  }

  prefetch(records: readonly ChangelogRecord[]): Promise<void> | undefined {
    return prefetchChangelog(this.keySerde as Serde<unknown>, this.valueSerde as Serde<unknown>, this.changelogTopic, records, (k) => k, (v) => v);
  }

  restore(records: Iterable<ChangelogRecord>): void {
    const topic = this.changelogTopic;
    for (const record of records) {
      if (record.key === null) {
        throw new StateStoreError(`changelog record at offset ${record.offset} of ${topic} has a null key`, { store: this.name, partition: this.changelogPartition });
      }
      const key = this.keySerde.deserialize(record.key, topic);
      if (record.value === null) this.inner.delete(key, record.timestamp);
      else this.inner.put(key, this.valueSerde.deserialize(record.value, topic), record.timestamp);
    }
  }

  flush(): void {
    this.inner.flush();
  }

  close(): void {
    this.inner.close();
  }
}
