import type { OutgoingRecord } from '../errors.js';
import { StateStoreError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import type { KeyIdentity } from './key-value-store.js';
import { prefetchChangelog, type ChangelogRecord, type LoggedStore, type StateStore, type StoreContext } from './state-store.js';
import { RetentionClock, type RetentionOptions } from './window-store.js';

/** One session of one key: `[start, end]`, both inclusive. */
export interface SessionEntry<K, V> {
  readonly key: K;
  readonly start: number;
  readonly end: number;
  readonly value: V;
}

interface Session<V> {
  start: number;
  end: number;
  value: V;
}

/**
 * Session store: aggregates per (key, start, end), in memory, with the retention rules of window stores
 * keyed on the session end ({@link RetentionOptions}). Sessions of a key iterate by end, then start.
 */
export class InMemorySessionStore<K, V> implements StateStore {
  readonly persistent = false;
  readonly clock: RetentionClock;
  readonly #keys = new Map<string, { key: K; id: string; sessions: Session<V>[] }>();
  readonly changes: { key: K; start: number; end: number }[] = [];
  trackChanges = false;

  constructor(
    readonly name: string,
    private readonly identity: KeyIdentity<K>,
    retention: RetentionOptions,
  ) {
    this.clock = new RetentionClock(retention);
  }

  init(_context: StoreContext): void {}

  /** Sessions of `key` with `end >= earliestEnd` and `start <= latestStart`, by end then start. */
  findSessions(key: K, earliestEnd: number, latestStart: number): SessionEntry<K, V>[] {
    const entry = this.#keys.get(this.identity(key));
    if (entry === undefined) return [];
    const lower = Math.max(earliestEnd, this.clock.visibleFrom);
    return entry.sessions.filter((s) => s.end >= lower && s.start <= latestStart).map((s) => ({ key: entry.key, start: s.start, end: s.end, value: s.value }));
  }

  /**
   * Sessions of every key whose end lies in `[from, to]`, by end, then start, then key (Kafka's time-first session layout). Used by emit-on-close,
   * which must see a session that closes in the same step that made it invisible to lookups (Kafka's
   * time-ordered session store scans by end without the retention cut).
   */
  findByEnd(from: number, to: number): SessionEntry<K, V>[] {
    const lower = from;
    const found: (SessionEntry<K, V> & { id: string })[] = [];
    for (const entry of this.#keys.values()) {
      for (const s of entry.sessions) if (s.end >= lower && s.end <= to) found.push({ key: entry.key, id: entry.id, start: s.start, end: s.end, value: s.value });
    }
    found.sort((a, b) => a.end - b.end || a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return found.map(({ key, start, end, value }) => ({ key, start, end, value }));
  }

  fetchSession(key: K, start: number, end: number): V | undefined {
    if (end < this.clock.visibleFrom) return undefined;
    return this.#keys.get(this.identity(key))?.sessions.find((s) => s.start === start && s.end === end)?.value;
  }

  /** Writes (or with null removes) a session; false when refused because its segment expired. */
  put(key: K, start: number, end: number, value: V | null): boolean {
    if (!this.clock.accept(end)) return false;
    this.#apply(key, start, end, value);
    if (this.trackChanges) this.changes.push({ key, start, end });
    return true;
  }

  remove(key: K, start: number, end: number): boolean {
    return this.put(key, start, end, null);
  }

  #apply(key: K, start: number, end: number, value: V | null): void {
    const id = this.identity(key);
    let entry = this.#keys.get(id);
    if (entry === undefined) {
      if (value === null) return;
      this.#keys.set(id, (entry = { key, id, sessions: [] }));
    }
    const sessions = entry.sessions;
    const i = sessions.findIndex((s) => s.start === start && s.end === end);
    if (value === null) {
      if (i >= 0) sessions.splice(i, 1);
      if (sessions.length === 0) this.#keys.delete(id);
      return;
    }
    if (i >= 0) {
      sessions[i]!.value = value;
      return;
    }
    let j = sessions.length;
    while (j > 0 && (sessions[j - 1]!.end > end || (sessions[j - 1]!.end === end && sessions[j - 1]!.start > start))) j--;
    sessions.splice(j, 0, { start, end, value });
  }

  /** @internal Restore path. */
  restoreSession(key: K, start: number, end: number, value: V | null): void {
    this.clock.accept(end);
    this.#apply(key, start, end, value);
  }

  all(): SessionEntry<K, V>[] {
    return this.findByEnd(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }

  approximateNumEntries(): number {
    let n = 0;
    for (const e of this.#keys.values()) n += e.sessions.length;
    return n;
  }

  flush(): void {}

  close(): void {
    this.#keys.clear();
  }
}

/**
 * Changelogging for session stores, Kafka's layout: key `[key bytes][8-byte end][8-byte start]`, value =
 * aggregate bytes, null = removed session.
 */
export class SessionStoreChangelogger<K, V> implements LoggedStore {
  constructor(
    readonly store: InMemorySessionStore<K, V>,
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
    const out: OutgoingRecord[] = [];
    for (let i = this.store.changes.length - 1; i >= 0; i--) {
      const { key, start, end } = this.store.changes[i]!;
      const keyBytes = this.keySerde.serialize(key, topic);
      const storeKey = Buffer.allocUnsafe(keyBytes.length + 16);
      keyBytes.copy(storeKey, 0);
      storeKey.writeBigInt64BE(BigInt(end), keyBytes.length);
      storeKey.writeBigInt64BE(BigInt(start), keyBytes.length + 8);
      const id = storeKey.toString('latin1');
      if (seen.has(id)) continue;
      seen.add(id);
      const current = this.store.fetchSession(key, start, end);
      out.push({ topic, partition: this.changelogPartition, key: storeKey, value: current === undefined ? null : this.valueSerde.serialize(current, topic), timestamp: end, headers: {} });
    }
    into.push(...out.reverse());
    this.store.changes.length = 0;
  }

  prefetch(records: readonly ChangelogRecord[]): Promise<void> | undefined {
    return prefetchChangelog(this.keySerde as Serde<unknown>, this.valueSerde as Serde<unknown>, this.changelogTopic, records, (k) => k.subarray(0, Math.max(0, k.length - 16)), (v) => v);
  }

  restore(records: Iterable<ChangelogRecord>): void {
    for (const record of records) {
      if (record.key === null || record.key.length < 16) {
        throw new StateStoreError(`session changelog record at offset ${record.offset} of ${this.changelogTopic} has no session key`, { store: this.name, partition: this.changelogPartition });
      }
      const k = record.key;
      const key = this.keySerde.deserialize(k.subarray(0, k.length - 16), this.changelogTopic);
      const end = Number(k.readBigInt64BE(k.length - 16));
      const start = Number(k.readBigInt64BE(k.length - 8));
      this.store.restoreSession(key, start, end, record.value === null ? null : this.valueSerde.deserialize(record.value, this.changelogTopic));
    }
    this.store.changes.length = 0;
  }

  flush(): void {}
  close(): void {}
}
