import type { OutgoingRecord } from '../errors.js';
import type { Headers } from '../processor/record.js';
import type { Serde } from '../serde/serde.js';

/** Anything a processor can own: key-value stores now; window and session stores are siblings. */
export interface StateStore {
  readonly name: string;
  /** False for the in-memory stores: their content lives only in the changelog. */
  readonly persistent: boolean;
  /** Called once by the task before any processor runs. */
  init?(context: StoreContext): void;
  flush(): void;
  close(): void;
}

/** What a store needs from its task. */
export interface StoreContext {
  readonly applicationId: string;
  readonly partition: number;
  /** Timestamp of the record being processed; stores use it when a put gives none. */
  currentTimestamp(): number;
  /** Headers of the record being processed; a caching store forwards a flushed entry with them. */
  currentHeaders?(): Headers;
  /** The input record being processed (opaque to stores); a caching store keeps it with its entry. */
  currentOrigin?(): unknown;
  /**
   * Runs `forward` as if the record an entry came from were being processed again (its timestamp,
   * headers and input record), so a cache flushed at commit or on eviction forwards with the context of
   * the entry's latest update. A failure goes through the task's processing error policy.
   */
  forwardInRecordContext?(store: string, timestamp: number, headers: Headers, origin: unknown, forward: () => void): void;
}

/** A value together with the timestamp of the update that produced it (Kafka's ValueAndTimestamp). */
export interface ValueAndTimestamp<V> {
  readonly value: V;
  readonly timestamp: number;
}

/** One changelog record as read back from Kafka during restore. */
export interface ChangelogRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly offset: number;
}

/**
 * A store whose content is backed by a changelog topic partition. The task drains its pending changelog
 * records at commit, and the runtime replays the topic into it on restore.
 */
export interface LoggedStore extends StateStore {
  readonly changelogTopic: string;
  readonly changelogPartition: number;
  /** Appends the changelog records pending since the last drain (latest value or tombstone per dirty key). */
  drainChangelog(into: OutgoingRecord[]): void;
  /** Applies changelog records (bytes) directly to the inner store; no processors run. */
  restore(records: Iterable<ChangelogRecord>): void;
  /**
   * Lets the store's serdes fetch what they need to deserialize these records (see `Serde.prefetch`), awaited
   * before `restore`; undefined when there is nothing to wait for.
   */
  prefetch?(records: readonly ChangelogRecord[]): Promise<void> | undefined;
}

/**
 * Calls the serdes' `prefetch` with the serde-encoded parts of changelog keys and values; undefined when
 * neither serde prefetches.
 */
export function prefetchChangelog(
  keySerde: Serde<unknown>,
  valueSerde: Serde<unknown>,
  topic: string,
  records: readonly ChangelogRecord[],
  keyBytes: (key: Buffer) => Buffer,
  valueBytes: (value: Buffer) => Buffer,
): Promise<void> | undefined {
  if (keySerde.prefetch === undefined && valueSerde.prefetch === undefined) return undefined;
  const pending: Promise<void>[] = [];
  if (keySerde.prefetch !== undefined) pending.push(keySerde.prefetch(records.flatMap((r) => (r.key === null ? [] : [keyBytes(r.key)])), topic));
  if (valueSerde.prefetch !== undefined) pending.push(valueSerde.prefetch(records.flatMap((r) => (r.value === null ? [] : [valueBytes(r.value)])), topic));
  return Promise.all(pending).then(() => undefined);
}

export function isLoggedStore(store: StateStore): store is LoggedStore {
  return typeof (store as Partial<LoggedStore>).drainChangelog === 'function';
}

/** `<applicationId>-<storeName>-changelog`: part of the compatibility contract of a running application. */
export function changelogTopicName(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`;
}
