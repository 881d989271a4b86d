import { describe, expect, it } from 'vitest';
import type { OutgoingRecord } from '../errors.js';
import { Serdes } from '../serde/serdes.js';
import { InMemorySessionStore, SessionStoreChangelogger } from './session-store.js';
import { InMemoryWindowStore, RetentionClock, WindowStoreChangelogger } from './window-store.js';

const id = (k: string): string => k;

describe('retention clock', () => {
  it('hides entries at or below observed - retention, refuses writes of expired segments only', () => {
    const clock = new RetentionClock({ retentionMs: 10, segmentIntervalMs: 5 });
    expect(clock.accept(30)).toBe(true);
    expect(clock.visibleFrom).toBe(21);
    expect(clock.accept(20)).toBe(true); // segment 4 = segment of 20 (30 - 10): still live, but invisible
    expect(clock.accept(14)).toBe(false);
    expect(new RetentionClock({ retentionMs: 10, inclusiveRetentionEdge: true }).visibleFrom).toBe(-11);
  });
});

describe('InMemoryWindowStore', () => {
  it('replaces per (key, start), fetches ranges in both orders, scans all by start then key', () => {
    const store = new InMemoryWindowStore<string, number>('w', id, { retentionMs: 100 });
    store.put('b', 10, 1, 10);
    store.put('a', 10, 2, 11);
    store.put('a', 0, 3, 1);
    store.put('a', 10, 4, 12);
    expect(store.fetch('a', 10)).toEqual({ key: 'a', start: 10, value: 4, timestamp: 12 });
    expect(store.fetchRange('a', 0, 10).map((e) => e.value)).toEqual([3, 4]);
    expect(store.fetchRange('a', 0, 10, true).map((e) => e.value)).toEqual([4, 3]);
    expect(store.fetchAll(0, 10).map((e) => `${e.key}${e.start}`)).toEqual(['a0', 'a10', 'b10']);
    store.put('a', 0, null, 0);
    expect(store.fetch('a', 0)).toBeUndefined();
  });

  it('keeps duplicates in arrival order when asked (join stores)', () => {
    const store = new InMemoryWindowStore<string, string>('j', id, { retentionMs: 100 }, true);
    store.put('k', 5, 'x', 5);
    store.put('k', 5, 'y', 5);
    store.put('k', 3, 'z', 3);
    expect(store.fetchRange('k', 0, 10).map((e) => e.value)).toEqual(['z', 'x', 'y']);
  });

  it('logs changed windows in Kafka layout and restores them', () => {
    const store = new InMemoryWindowStore<string, number>('w', id, { retentionMs: 100 });
    const logger = new WindowStoreChangelogger(store, 'app-w-changelog', 0, Serdes.string(), Serdes.long());
    store.put('a', 10, 7, 12);
    store.put('a', 10, 8, 13);
    const out: OutgoingRecord[] = [];
    logger.drainChangelog(out);
    expect(out).toHaveLength(1);
    expect(out[0]!.key!.length).toBe(1 + 8 + 4);
    expect(out[0]!.value!.readBigInt64BE(0)).toBe(13n);
    const copy = new InMemoryWindowStore<string, number>('w', id, { retentionMs: 100 });
    new WindowStoreChangelogger(copy, 'app-w-changelog', 0, Serdes.string(), Serdes.long()).restore(out.map((r, offset) => ({ key: r.key, value: r.value, timestamp: r.timestamp, offset })));
    expect(copy.fetch('a', 10)).toEqual({ key: 'a', start: 10, value: 8, timestamp: 13 });
  });
});

describe('InMemorySessionStore', () => {
  it('finds overlapping sessions, removes them, and logs/restores with key + end + start', () => {
    const store = new InMemorySessionStore<string, number>('s', id, { retentionMs: 1000 });
    const logger = new SessionStoreChangelogger(store, 'app-s-changelog', 0, Serdes.string(), Serdes.long());
    store.put('u', 0, 5, 2);
    store.put('u', 20, 20, 1);
    store.put('v', 3, 3, 1);
    expect(store.findSessions('u', 8 - 5, 8 + 5).map((s) => [s.start, s.end])).toEqual([[0, 5]]);
    expect(store.findByEnd(0, 10).map((s) => `${s.key}${s.start}-${s.end}`)).toEqual(['v3-3', 'u0-5']);
    store.remove('u', 0, 5);
    const out: OutgoingRecord[] = [];
    logger.drainChangelog(out);
    expect(out.map((r) => r.value === null)).toEqual([false, false, true]); // in order of each session's last change
    const copy = new InMemorySessionStore<string, number>('s', id, { retentionMs: 1000 });
    new SessionStoreChangelogger(copy, 'app-s-changelog', 0, Serdes.string(), Serdes.long()).restore(out.map((r, offset) => ({ key: r.key, value: r.value, timestamp: r.timestamp, offset })));
    expect(copy.all().map((s) => `${s.key}${s.start}-${s.end}=${s.value}`)).toEqual(['v3-3=1', 'u20-20=1']);
  });
});
