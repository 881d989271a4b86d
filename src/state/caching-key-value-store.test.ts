import { describe, expect, it } from 'vitest';
import type { OutgoingRecord } from '../errors.js';
import type { Headers } from '../processor/record.js';
import { Serdes } from '../serde/serdes.js';
import { CachingKeyValueStore } from './caching-key-value-store.js';
import { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.js';
import { InMemoryKeyValueStore } from './in-memory-key-value-store.js';
import type { KeyValueStore } from './key-value-store.js';
import { CACHE_ENTRY_OVERHEAD_BYTES, estimateBytes, RecordCache } from './record-cache.js';
import { buildKeyValueStore, keyIdentityFor } from './store-builder.js';

type Flushed = [key: string, newValue: number | null, oldValue: number | null, timestamp: number, headers: Headers];

const identity = keyIdentityFor<string>(Serdes.string());

/** A caching store over an in-memory one, with a settable record context and a recording listener. */
function cachingStore(options: { maxBytes?: number; sendOldValues?: boolean; below?: KeyValueStore<string, number> } = {}) {
  const cache = new RecordCache(options.maxBytes ?? 1_000_000);
  const below = options.below ?? new InMemoryKeyValueStore<string, number>('s', identity);
  const store = new CachingKeyValueStore<string, number>(below, identity, cache);
  const now = { timestamp: 0, headers: {} as Headers, origin: undefined as unknown };
  const forwardedIn: unknown[] = [];
  store.init({
    applicationId: 'app',
    partition: 0,
    currentTimestamp: () => now.timestamp,
    currentHeaders: () => now.headers,
    currentOrigin: () => now.origin,
    forwardInRecordContext: (_store, _ts, _headers, origin, forward) => {
      forwardedIn.push(origin);
      forward();
    },
  });
  const flushed: Flushed[] = [];
  store.setFlushListener((key, newValue, oldValue, timestamp, headers) => flushed.push([key, newValue, oldValue, timestamp, headers]), options.sendOldValues ?? true);
  return { store, below, cache, now, flushed, forwardedIn };
}

const pairs = (flushed: readonly Flushed[]) => flushed.map(([k, n, o]) => [k, n, o]);

describe('caching key-value store', () => {
  it('merges the updates of a key until a flush, then forwards the latest with the value before the first update', () => {
    const { store, below, flushed } = cachingStore();
    store.put('a', 1, 1);
    store.put('a', 2, 2);
    store.put('a', 3, 3);
    expect(flushed).toEqual([]);
    expect(below.get('a')).toBeUndefined();
    store.flushCache();
    expect(pairs(flushed)).toEqual([['a', 3, null]]);
    expect(below.getWithTimestamp('a')).toEqual({ value: 3, timestamp: 3 });

    store.put('a', 4, 4);
    store.put('a', 5, 5);
    store.flushCache();
    expect(pairs(flushed)).toEqual([['a', 3, null], ['a', 5, 3]]);
    store.flushCache();
    expect(flushed).toHaveLength(2);
  });

  it('forwards with the timestamp, headers and input record of the latest update', () => {
    const { store, now, flushed, forwardedIn } = cachingStore();
    now.headers = { h: 'first' };
    now.origin = { offset: 1 };
    store.put('a', 1, 10);
    now.headers = { h: 'second' };
    now.origin = { offset: 2 };
    now.timestamp = 20;
    store.put('a', 2);
    store.flushCache();
    expect(flushed).toEqual([['a', 2, null, 20, { h: 'second' }]]);
    expect(forwardedIn).toEqual([{ offset: 2 }]);
  });

  it('without old values forwards a null old value, still merging', () => {
    const { store, flushed } = cachingStore({ sendOldValues: false });
    store.put('a', 1, 1);
    store.flushCache();
    store.put('a', 2, 2);
    store.put('a', 3, 3);
    store.flushCache();
    expect(pairs(flushed)).toEqual([['a', 1, null], ['a', 3, null]]);
  });

  it('forwards a delete of a flushed key as a tombstone change and removes it below', () => {
    for (const sendOldValues of [true, false]) {
      const { store, below, flushed } = cachingStore({ sendOldValues });
      store.put('a', 1, 1);
      store.flushCache();
      store.put('a', 2, 2);
      expect(store.delete('a', 3)).toBe(2);
      expect(store.get('a')).toBeUndefined();
      expect(below.get('a')).toBe(1);
      store.flushCache();
      expect(flushed.slice(1).map(([k, n, o, ts]) => [k, n, o, ts])).toEqual([['a', null, sendOldValues ? 1 : null, 3]]);
      expect(below.get('a')).toBeUndefined();
    }
  });

  it('forwards nothing for a key created and deleted between two flushes, nor for a delete of a missing key', () => {
    const { store, below, flushed } = cachingStore();
    store.put('a', 1, 1);
    store.put('a', null, 2);
    store.put('b', null, 3);
    expect(store.delete('c', 4)).toBeUndefined();
    store.flushCache();
    expect(flushed).toEqual([]);
    expect(below.approximateNumEntries()).toBe(0);
    expect(store.dirtyEntries).toBe(0);
  });

  it('flushes in the order keys were first updated since the last flush', () => {
    const { store, flushed } = cachingStore();
    store.put('b', 1, 1);
    store.put('a', 1, 2);
    store.put('c', 1, 3);
    store.put('b', 2, 4);
    store.get('a');
    store.flushCache();
    expect(flushed.map(([k]) => k)).toEqual(['b', 'a', 'c']);
  });

  it('over budget evicts the least recently used entry first, forwarding it and then the rest of its dirty entries', () => {
    const probe = cachingStore();
    for (const k of ['a', 'b', 'c']) probe.store.put(k, 1, 1);
    const threeEntries = probe.store.sizeBytes;
    expect(threeEntries).toBeGreaterThan(0);

    const { store, cache, flushed, below } = cachingStore({ maxBytes: threeEntries });
    store.put('a', 1, 1);
    store.put('b', 1, 2);
    store.put('c', 1, 3);
    store.put('a', 2, 4); // a becomes the most recently used
    expect(flushed).toEqual([]);
    expect(cache.sizeBytes).toBe(threeEntries);
    store.put('d', 1, 5);
    expect(pairs(flushed)).toEqual([['b', 1, null], ['a', 2, null], ['c', 1, null], ['d', 1, null]]);
    expect(cache.evictions).toBe(1);
    expect(cache.sizeBytes).toBe(0);
    expect(store.dirtyEntries).toBe(0);
    expect([...below.all()].sort()).toEqual([['a', 2], ['b', 1], ['c', 1], ['d', 1]]);
  });

  it('a read counts as a use for eviction', () => {
    const probe = cachingStore();
    for (const k of ['a', 'b']) probe.store.put(k, 1, 1);
    const { store, flushed } = cachingStore({ maxBytes: probe.store.sizeBytes });
    store.put('a', 1, 1);
    store.put('b', 1, 2);
    expect(store.getWithTimestamp('a')).toEqual({ value: 1, timestamp: 1 });
    store.put('c', 1, 3);
    expect(flushed.map(([k]) => k)).toEqual(['b', 'a', 'c']);
  });

  it('a budget smaller than one entry forwards every update at once', () => {
    const { store, flushed } = cachingStore({ maxBytes: 1 });
    store.put('a', 1, 1);
    store.put('a', 2, 2);
    store.delete('a', 3);
    expect(pairs(flushed)).toEqual([['a', 1, null], ['a', 2, 1], ['a', null, 2]]);
  });

  it('reads see the cache first: get, all and the entry count include unflushed updates and deletes', () => {
    const { store } = cachingStore();
    store.put('a', 1, 1);
    store.put('b', 2, 2);
    store.flushCache();
    store.put('a', 10, 3);
    store.delete('b', 4);
    store.put('c', 30, 5);
    expect(store.get('a')).toBe(10);
    expect(store.getWithTimestamp('a')).toEqual({ value: 10, timestamp: 3 });
    expect(store.get('b')).toBeUndefined();
    expect(store.putIfAbsent('b', 20, 6)).toBeUndefined();
    expect(store.putIfAbsent('c', 31, 6)).toBe(30);
    expect([...store.all()].sort()).toEqual([['a', 10], ['b', 20], ['c', 30]]);
    expect(store.approximateNumEntries()).toBe(3);
    store.delete('a', 7);
    expect(store.approximateNumEntries()).toBe(2);
  });

  it('close drops unflushed updates without forwarding and gives their bytes back to the shared budget', () => {
    const { store, below, cache, flushed } = cachingStore();
    store.put('a', 1, 1);
    expect(cache.sizeBytes).toBeGreaterThan(0);
    store.close();
    expect(flushed).toEqual([]);
    expect(cache.sizeBytes).toBe(0);
    expect(below.get('a')).toBeUndefined();
  });

  it('stores share the budget; the store whose write goes over it evicts its own entries', () => {
    const probe = cachingStore();
    probe.store.put('a', 1, 1);
    const oneEntry = probe.store.sizeBytes;
    const shared = new RecordCache(oneEntry * 2);
    const one = new CachingKeyValueStore<string, number>(new InMemoryKeyValueStore('one', identity), identity, shared);
    const two = new CachingKeyValueStore<string, number>(new InMemoryKeyValueStore('two', identity), identity, shared);
    const seen: string[] = [];
    one.setFlushListener((k) => seen.push(`one:${k}`), false);
    two.setFlushListener((k) => seen.push(`two:${k}`), false);
    one.put('a', 1, 1);
    two.put('b', 1, 1);
    expect(seen).toEqual([]);
    two.put('c', 1, 1);
    expect(seen).toEqual(['two:b', 'two:c']);
    expect(one.dirtyEntries).toBe(1);
    expect(shared.sizeBytes).toBe(one.sizeBytes);
  });

  it('above the changelogging layer: the changelog holds only what was flushed', () => {
    const spec = { type: 'key-value', name: 'counts', keySerde: Serdes.string(), valueSerde: Serdes.long(), logging: true, caching: true } as const;
    const cache = new RecordCache(1_000_000);
    const { store, logged, cached } = buildKeyValueStore<string, number>(spec, { applicationId: 'app', partition: 0, cache });
    expect(cached).toBeInstanceOf(CachingKeyValueStore);
    store.init?.({ applicationId: 'app', partition: 0, currentTimestamp: () => 0 });
    store.put('a', 1, 1);
    store.put('a', 2, 2);
    const before: OutgoingRecord[] = [];
    logged!.drainChangelog(before);
    expect(before).toEqual([]);
    store.flush();
    const after: OutgoingRecord[] = [];
    logged!.drainChangelog(after);
    expect(after.map((r) => [r.key?.toString(), Serdes.long().deserialize(r.value!, ''), r.timestamp])).toEqual([['a', 2, 2]]);
  });

  it('is built only when the spec asks for caching and the cache has a budget', () => {
    const spec = { type: 'key-value', name: 'counts', keySerde: Serdes.string(), valueSerde: Serdes.long(), logging: false } as const;
    const on = new RecordCache(1024);
    expect(buildKeyValueStore(spec, { applicationId: 'app', partition: 0, cache: on }).cached).toBeUndefined();
    expect(buildKeyValueStore({ ...spec, caching: true }, { applicationId: 'app', partition: 0, cache: new RecordCache(0) }).cached).toBeUndefined();
    expect(buildKeyValueStore({ ...spec, caching: true }, { applicationId: 'app', partition: 0 }).cached).toBeUndefined();
    expect(buildKeyValueStore({ ...spec, caching: true }, { applicationId: 'app', partition: 0, cache: on }).cached).toBeDefined();
  });

  it('the logged layer below sees the delete of a flushed key with the delete timestamp', () => {
    const identityOf = keyIdentityFor<string>(Serdes.string());
    const inner = new InMemoryKeyValueStore<string, number>('s', identityOf);
    const logging = new ChangeLoggingKeyValueStore(inner, 'app-s-changelog', 0, identityOf, Serdes.string(), Serdes.long());
    const { store } = cachingStore({ below: logging });
    store.put('a', 1, 1);
    store.flushCache();
    logging.drainChangelog([]);
    store.delete('a', 9);
    store.flushCache();
    const out: OutgoingRecord[] = [];
    logging.drainChangelog(out);
    expect(out.map((r) => [r.key?.toString(), r.value, r.timestamp])).toEqual([['a', null, 9]]);
  });
});

describe('record cache sizing', () => {
  it('rejects a negative or fractional budget', () => {
    expect(() => new RecordCache(-1)).toThrow(/cacheMaxBytes must be an integer of at least 0/);
    expect(() => new RecordCache(1.5)).toThrow(RangeError);
  });

  it('estimates bytes from what a value holds', () => {
    expect(estimateBytes(42)).toBe(8);
    expect(estimateBytes('abcd')).toBe(4);
    expect(estimateBytes(Buffer.alloc(100))).toBe(100);
    expect(estimateBytes({ n: 1 })).toBe(16 + 8 + 1 + 8);
    expect(estimateBytes([1, 2])).toBe(16 + 2 * (8 + 8));
    expect(estimateBytes(null)).toBe(0);
    const deep: { next?: unknown } = {};
    let cursor = deep;
    for (let i = 0; i < 100; i++) cursor = (cursor.next = {}) as typeof deep;
    expect(estimateBytes(deep)).toBeLessThan(1000);
  });

  it('an entry counts its overhead, key and value', () => {
    const { store } = cachingStore();
    store.put('key', 1, 1);
    expect(store.sizeBytes).toBe(CACHE_ENTRY_OVERHEAD_BYTES + 3 + 8 + estimateBytes({}));
    store.put('key', 2, 2);
    expect(store.sizeBytes).toBe(CACHE_ENTRY_OVERHEAD_BYTES + 3 + 8 + estimateBytes({}));
  });
});
