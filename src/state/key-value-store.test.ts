import { describe, expect, it } from 'vitest';
import type { OutgoingRecord } from '../errors.js';
import { StateStoreError } from '../errors.js';
import { Serdes } from '../serde/serdes.js';
import { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.js';
import { InMemoryKeyValueStore } from './in-memory-key-value-store.js';
import { restoreStore, type RestoreProgress } from './restore.js';
import { buildKeyValueStore, keyIdentityFor } from './store-builder.js';
import type { LoggedStore } from './state-store.js';

const context = (ts = 0) => ({ applicationId: 'app', partition: 3, currentTimestamp: () => ts });
const spec = { type: 'key-value', name: 'counts', keySerde: Serdes.string(), valueSerde: Serdes.long(), logging: true } as const;

describe('in-memory key-value store', () => {
  it('puts, gets with timestamp, deletes on null, and keeps value objects without reserializing', () => {
    const store = new InMemoryKeyValueStore<string, { n: number }>('s', keyIdentityFor(Serdes.string()));
    store.init(context(7));
    const value = { n: 1 };
    store.put('a', value);
    expect(store.get('a')).toBe(value);
    expect(store.getWithTimestamp('a')).toEqual({ value, timestamp: 7 });
    store.put('a', { n: 2 }, 9);
    expect(store.getWithTimestamp('a')).toEqual({ value: { n: 2 }, timestamp: 9 });
    expect(store.putIfAbsent('a', { n: 3 })).toEqual({ n: 2 });
    store.put('a', null);
    expect(store.get('a')).toBeUndefined();
    expect(store.approximateNumEntries()).toBe(0);
  });

  it('indexes non-string keys by their serialized bytes, so equal keys share an entry', () => {
    const keySerde = Serdes.json<{ id: number }>();
    const store = new InMemoryKeyValueStore<{ id: number }, string>('s', keyIdentityFor(keySerde));
    store.put({ id: 1 }, 'x', 1);
    store.put({ id: 1 }, 'y', 2);
    expect(store.get({ id: 1 })).toBe('y');
    expect([...store.all()]).toEqual([[{ id: 1 }, 'y']]);
  });
});

describe('changelogging layer', () => {
  it('emits the latest value or a tombstone per key changed since the last drain, to <app>-<store>-changelog', () => {
    const { store, logged } = buildKeyValueStore<string, number>(spec, { applicationId: 'app', partition: 3 });
    store.init?.(context(5));
    store.put('a', 1, 10);
    store.put('a', 2, 11);
    store.put('b', 1, 12);
    store.delete('b', 13);
    store.put('c', 7);
    const out: OutgoingRecord[] = [];
    logged!.drainChangelog(out);
    expect(out.map((r) => [r.topic, r.partition, r.key?.toString(), r.value === null ? null : Serdes.long().deserialize(r.value, ''), r.timestamp])).toEqual([
      ['app-counts-changelog', 3, 'a', 2, 11],
      ['app-counts-changelog', 3, 'b', null, 13],
      ['app-counts-changelog', 3, 'c', 7, 5],
    ]);
    const again: OutgoingRecord[] = [];
    logged!.drainChangelog(again);
    expect(again).toEqual([]);
  });

  it('restores from changelog bytes so a new store has the same content', async () => {
    const first = buildKeyValueStore<string, number>(spec, { applicationId: 'app', partition: 0 });
    first.store.put('a', 1, 1);
    first.store.put('b', 2, 2);
    const log1: OutgoingRecord[] = [];
    first.logged!.drainChangelog(log1);
    first.store.delete('a', 3);
    first.store.put('b', 5, 4);
    const log2: OutgoingRecord[] = [];
    first.logged!.drainChangelog(log2);
    const all = [...log1, ...log2].map((r, offset) => ({ key: r.key, value: r.value, timestamp: r.timestamp, offset }));

    const second = buildKeyValueStore<string, number>(spec, { applicationId: 'app', partition: 0 });
    const progress: RestoreProgress[] = [];
    const restored = await restoreStore(second.logged as LoggedStore, [all.slice(0, 2), all.slice(2)], { endOffset: 4, onProgress: (p) => progress.push(p) });
    expect(restored).toBe(4);
    expect(second.store.get('a')).toBeUndefined();
    expect(second.store.getWithTimestamp('b')).toEqual({ value: 5, timestamp: 4 });
    expect(progress.map((p) => [p.restored, p.lastOffset, p.endOffset, p.topic])).toEqual([
      [2, 1, 4, 'app-counts-changelog'],
      [4, 3, 4, 'app-counts-changelog'],
    ]);
  });

  it('rejects a changelog record without a key with the store and partition in the error', () => {
    const inner = new InMemoryKeyValueStore<string, number>('s', keyIdentityFor(Serdes.string()));
    const logged = new ChangeLoggingKeyValueStore(inner, 'app-s-changelog', 2, keyIdentityFor(Serdes.string()), Serdes.string(), Serdes.long());
    let error: unknown;
    try {
      logged.restore([{ key: null, value: null, timestamp: 0, offset: 17 }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateStoreError);
    expect(error).toMatchObject({ storeName: 's', partition: 2 });
    expect((error as Error).message).toMatch(/offset 17/);
  });
});

describe('typed layer', () => {
  it('rejects null keys with an error that names the store and says what to do', () => {
    const { store } = buildKeyValueStore<string | null, number>({ ...spec, logging: false }, { applicationId: 'app', partition: 1 });
    store.init?.(context());
    expect(() => store.put(null, 1)).toThrow(/store counts: put with a null key; filter null keys/);
  });

  it('a logged store without serdes cannot be built', () => {
    expect(() => buildKeyValueStore({ ...spec, valueSerde: undefined }, { applicationId: 'app', partition: 0 })).toThrow(/no key\/value serdes/);
  });
});
