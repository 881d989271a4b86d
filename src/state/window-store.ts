import type { OutgoingRecord } from '../errors.js';
import { StateStoreError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import type { KeyIdentity } from './key-value-store.js';
import { prefetchChangelog, type ChangelogRecord, type LoggedStore, type StateStore, type StoreContext } from './state-store.js';

/** One window of one key, as a window store returns it. */
export interface WindowEntry<K, V> {
  readonly key: K;
  readonly start: number;
  readonly value: V;
  /** Timestamp of the update that produced the value (max record timestamp of the window). */
  readonly timestamp: number;
}

/**
 * Retention rules shared by window and session stores, as Kafka's segmented stores apply them:
 * - the store's own observed time is the max segment timestamp put (window start; session end);
 * - a put is refused (the caller counts a dropped record) when its segment (`ts / segmentInterval`) is older
 *   than the segment of `observed - retention`: expiry of writes is segment-granular;
 * - reads see an entry only while `ts > observed - retention` (`>=` for the time-ordered stores Kafka uses
 *   for emit-on-window-close).
 */
export interface RetentionOptions {
  readonly retentionMs: number;
  /** Kafka: max(retention / 2, 60 s). */
  readonly segmentIntervalMs?: number;
  /** Reads include entries at exactly `observed - retention` (time-ordered stores). */
  readonly inclusiveRetentionEdge?: boolean;
}

export class RetentionClock {
  observed = -1;
  readonly retentionMs: number;
  readonly segmentIntervalMs: number;
  readonly #edge: number;

  constructor(options: RetentionOptions) {
    this.retentionMs = options.retentionMs;
    this.segmentIntervalMs = options.segmentIntervalMs ?? Math.max(Math.floor(options.retentionMs / 2), 60_000);
    this.#edge = options.inclusiveRetentionEdge ? 0 : 1;
  }

  /** Advances observed time; false when the segment of `ts` is already expired. */
  accept(ts: number): boolean {
    if (ts > this.observed) this.observed = ts;
    const minLive = this.observed - this.retentionMs;
    return Math.trunc(ts / this.segmentIntervalMs) >= Math.trunc(minLive / this.segmentIntervalMs);
  }

  /** Smallest timestamp a read may return. */
  get visibleFrom(): number {
    return this.observed - this.retentionMs + this.#edge;
  }
}

interface Slot<V> {
  start: number;
  seq: number;
  value: V;
  timestamp: number;
}

interface KeySlots<K, V> {
  readonly key: K;
  readonly id: string;
  /** Sorted by (start, seq). */
  readonly slots: Slot<V>[];
}

/**
 * Window store: values per (key, window start), in memory, with Kafka's retention rules
 * ({@link RetentionOptions}). With `retainDuplicates` (stream-stream join stores) every put appends a new
 * entry (sequence number) instead of replacing. Emit-on-close range scans (`fetchAll`) iterate by window
 * start, then key.
 */
export class InMemoryWindowStore<K, V> implements StateStore {
  readonly persistent = false;
  readonly clock: RetentionClock;
  readonly #keys = new Map<string, KeySlots<K, V>>();
  #seq = 0;
  #puts = 0;
  /** Changes since the last drain, for the changelogging layer. */
  readonly changes: { key: K; start: number; seq: number }[] = [];
  trackChanges = false;

  constructor(
    readonly name: string,
    private readonly identity: KeyIdentity<K>,
    retention: RetentionOptions,
    readonly retainDuplicates = false,
  ) {
    this.clock = new RetentionClock(retention);
  }

  init(_context: StoreContext): void {}

  get retentionMs(): number {
    return this.clock.retentionMs;
  }

  /**
   * Writes (or with `value === null` deletes) the window; returns false when the write was refused because
   * its segment has expired (the caller counts it as a dropped record).
   */
  put(key: K, start: number, value: V | null, timestamp: number): boolean {
    if (!this.clock.accept(start)) return false;
    if (++this.#puts % 1024 === 0) this.#purge();
    const id = this.identity(key);
    let entry = this.#keys.get(id);
    if (value === null) {
      if (entry === undefined || this.retainDuplicates) return true;
      const i = entry.slots.findIndex((s) => s.start === start);
      if (i >= 0) {
        const [removed] = entry.slots.splice(i, 1);
        if (this.trackChanges) this.changes.push({ key, start, seq: removed!.seq });
      }
      return true;
    }
    if (entry === undefined) this.#keys.set(id, (entry = { key, id, slots: [] }));
    const slots = entry.slots;
    if (!this.retainDuplicates) {
      const existing = slots.find((s) => s.start === start);
      if (existing !== undefined) {
        existing.value = value;
        existing.timestamp = timestamp;
        if (this.trackChanges) this.changes.push({ key, start, seq: 0 });
        return true;
      }
    }
    const seq = this.retainDuplicates ? ++this.#seq : 0;
    let i = slots.length;
    while (i > 0 && slots[i - 1]!.start > start) i--;
    slots.splice(i, 0, { start, seq, value, timestamp });
    if (this.trackChanges) this.changes.push({ key, start, seq });
    return true;
  }

  /** The value of one window, or undefined (also when it is no longer retained). */
  fetch(key: K, start: number): WindowEntry<K, V> | undefined {
    if (start < this.clock.visibleFrom) return undefined;
    const entry = this.#keys.get(this.identity(key));
    const slot = entry?.slots.find((s) => s.start === start);
    return slot === undefined ? undefined : { key: entry!.key, start, value: slot.value, timestamp: slot.timestamp };
  }

  /** Windows of `key` with start in `[from, to]`, ascending by start (then insertion), or descending. */
  fetchRange(key: K, from: number, to: number, descending = false): WindowEntry<K, V>[] {
    const entry = this.#keys.get(this.identity(key));
    if (entry === undefined) return [];
    const lower = Math.max(from, this.clock.visibleFrom);
    const out: WindowEntry<K, V>[] = [];
    for (const s of entry.slots) if (s.start >= lower && s.start <= to) out.push({ key: entry.key, start: s.start, value: s.value, timestamp: s.timestamp });
    return descending ? out.reverse() : out;
  }

  /** Windows of every key with start in `[from, to]`, ordered by start, then key identity, then insertion. */
  fetchAll(from: number, to: number): WindowEntry<K, V>[] {
    const lower = Math.max(from, this.clock.visibleFrom);
    const found: (WindowEntry<K, V> & { id: string; seq: number })[] = [];
    for (const entry of this.#keys.values()) {
      for (const s of entry.slots) if (s.start >= lower && s.start <= to) found.push({ key: entry.key, id: entry.id, start: s.start, seq: s.seq, value: s.value, timestamp: s.timestamp });
    }
    found.sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || a.seq - b.seq);
    return found.map(({ key, start, value, timestamp }) => ({ key, start, value, timestamp }));
  }

  /** Every retained window. */
  all(): WindowEntry<K, V>[] {
    return this.fetchAll(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }

  /** @internal Raw slot lookup for the changelogging layer. */
  slot(key: K, start: number, seq: number): { value: V; timestamp: number } | undefined {
    const slot = this.#keys.get(this.identity(key))?.slots.find((s) => s.start === start && s.seq === seq);
    return slot === undefined ? undefined : { value: slot.value, timestamp: slot.timestamp };
  }

  /** @internal Restore path: puts a slot as logged, keeping its sequence number. */
  restoreSlot(key: K, start: number, seq: number, value: V | null, timestamp: number): void {
    this.clock.accept(start);
    const id = this.identity(key);
    let entry = this.#keys.get(id);
    if (entry === undefined) this.#keys.set(id, (entry = { key, id, slots: [] }));
    const i = entry.slots.findIndex((s) => s.start === start && s.seq === seq);
    if (i >= 0) entry.slots.splice(i, 1);
    if (value === null) return;
    if (seq > this.#seq) this.#seq = seq;
    let j = entry.slots.length;
    while (j > 0 && entry.slots[j - 1]!.start > start) j--;
    entry.slots.splice(j, 0, { start, seq, value, timestamp });
  }

  /** Drops windows whose whole segment has expired (they are invisible anyway). */
  #purge(): void {
    const interval = this.clock.segmentIntervalMs;
    const minLiveSegment = Math.trunc((this.clock.observed - this.clock.retentionMs) / interval);
    for (const [id, entry] of this.#keys) {
      let n = 0;
      while (n < entry.slots.length && Math.trunc(entry.slots[n]!.start / interval) < minLiveSegment) n++;
      if (n > 0) entry.slots.splice(0, n);
      if (entry.slots.length === 0) this.#keys.delete(id);
    }
  }

  approximateNumEntries(): number {
    let n = 0;
    for (const e of this.#keys.values()) n += e.slots.length;
    return n;
  }

  flush(): void {}

  close(): void {
    this.#keys.clear();
  }
}

/**
 * Changelogging for window stores: at commit, logs every window changed since the last drain as Kafka lays
 * it out: key `[key bytes][8-byte start][4-byte seqnum]`, value `[8-byte ts][value bytes]`, null = removed.
 * The changelog topic is `compact,delete` with retention = store retention (see {@link windowedChangelogConfig}).
 */
export class WindowStoreChangelogger<K, V> implements LoggedStore {
  constructor(
    readonly store: InMemoryWindowStore<K, V>,
    readonly changelogTopic: string,
    readonly changelogPartition: number,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {
    store.trackChanges = true;
  }

  get name(): string {
    return this.store.name;
  }
  get persistent(): boolean {
    return false;
  }

  drainChangelog(into: OutgoingRecord[]): void {
    const topic = this.changelogTopic;
    const seen = new Set<string>();
    for (let i = this.store.changes.length - 1; i >= 0; i--) {
      const { key, start, seq } = this.store.changes[i]!;
      const keyBytes = this.keySerde.serialize(key, topic);
      const storeKey = Buffer.allocUnsafe(keyBytes.length + 12);
      keyBytes.copy(storeKey, 0);
      storeKey.writeBigInt64BE(BigInt(start), keyBytes.length);
      storeKey.writeInt32BE(seq, keyBytes.length + 8);
      const id = storeKey.toString('latin1');
      if (seen.has(id)) continue;
      seen.add(id);
      const current = this.store.slot(key, start, seq);
      let value: Buffer | null = null;
      if (current !== undefined) {
        const v = this.valueSerde.serialize(current.value, topic);
        value = Buffer.allocUnsafe(v.length + 8);
        value.writeBigInt64BE(BigInt(current.timestamp), 0);
        v.copy(value, 8);
      }
      into.push({ topic, partition: this.changelogPartition, key: storeKey, value, timestamp: current?.timestamp ?? start, headers: {} });
    }
    this.store.changes.length = 0;
  }

  prefetch(records: readonly ChangelogRecord[]): Promise<void> | undefined {
    return prefetchChangelog(this.keySerde as Serde<unknown>, this.valueSerde as Serde<unknown>, this.changelogTopic, records, (k) => k.subarray(0, Math.max(0, k.length - 12)), (v) => v.subarray(8));
  }

  restore(records: Iterable<ChangelogRecord>): void {
    for (const record of records) {
      if (record.key === null || record.key.length < 12) {
        throw new StateStoreError(`window changelog record at offset ${record.offset} of ${this.changelogTopic} has no window key`, { store: this.name, partition: this.changelogPartition });
      }
      const k = record.key;
      const key = this.keySerde.deserialize(k.subarray(0, k.length - 12), this.changelogTopic);
      const start = Number(k.readBigInt64BE(k.length - 12));
      const seq = k.readInt32BE(k.length - 4);
      if (record.value === null) this.store.restoreSlot(key, start, seq, null, record.timestamp);
      else this.store.restoreSlot(key, start, seq, this.valueSerde.deserialize(record.value.subarray(8), this.changelogTopic), Number(record.value.readBigInt64BE(0)));
    }
    this.store.changes.length = 0;
  }

  flush(): void {}
  close(): void {}
}

/** Topic configs of a window or session store's changelog: `compact,delete`, retention = store retention + 1 day (Kafka's additional retention). */
export function windowedChangelogConfig(retentionMs: number): { readonly [name: string]: string } {
  return { 'cleanup.policy': 'compact,delete', 'retention.ms': String(retentionMs + 86_400_000), 'message.timestamp.type': 'CreateTime' };
}
