import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutgoingRecord } from '../errors.js';
import { StateStoreError } from '../errors.js';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { Serdes } from '../serde/serdes.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import { PersistentKeyValueStore } from './persistent-key-value-store.js';
import { buildKeyValueStore, keyIdentityFor } from './store-builder.js';

const context = (ts = 0) => ({ applicationId: 'app', partition: 0, currentTimestamp: () => ts });
const dirs: string[] = [];
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-pkv-test-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function bytesStore(dir = freshDir()): PersistentKeyValueStore<Buffer, string> {
  const store = new PersistentKeyValueStore<Buffer, string>('s', join(dir, 's'), keyIdentityFor(Serdes.bytes()), Serdes.bytes(), Serdes.string(), 0);
  store.init(context(5));
  return store;
}

describe('persistent key-value store (LMDB)', () => {
  it('puts, gets with timestamp, deletes and reads its own pending writes before and after flush', () => {
    const store = new PersistentKeyValueStore<string, number>('s', join(freshDir(), 's'), keyIdentityFor(Serdes.string()), Serdes.string(), Serdes.long(), 0);
    store.init(context(7));
    store.put('a', 1);
    expect(store.getWithTimestamp('a')).toEqual({ value: 1, timestamp: 7 });
    store.flush();
    expect(store.getWithTimestamp('a')).toEqual({ value: 1, timestamp: 7 });
    store.put('a', 2, 9);
    expect(store.putIfAbsent('a', 3)).toBe(2);
    store.flush();
    expect(store.getWithTimestamp('a')).toEqual({ value: 2, timestamp: 9 });
    expect(store.delete('a')).toBe(2);
    expect(store.get('a')).toBeUndefined();
    store.flush();
    expect(store.get('a')).toBeUndefined();
    expect(store.approximateNumEntries()).toBe(0);
    store.close();
  });

  it('iterates in unsigned lexicographic byte order of the serialized keys, a shorter key before its extensions', () => {
    const store = bytesStore();
    const keys = [Buffer.from([0x80]), Buffer.from([0x7f]), Buffer.from([0x01, 0x00]), Buffer.from([0x01]), Buffer.from([0xff, 0x00]), Buffer.from([])];
    for (const [i, key] of keys.entries()) store.put(key, `v${i}`);
    const order = [...store.all()].map(([k]) => [...k]);
    // Signed bytes would put 0x80 and 0xff first; a string compare of UTF-8 text would not see 0x00 vs end.
    expect(order).toEqual([[], [0x01], [0x01, 0x00], [0x7f], [0x80], [0xff, 0x00]]);
    store.close();
  });

  it('range is inclusive at both ends and prefixScan stops at the first key without the prefix', () => {
    const store = new PersistentKeyValueStore<string, number>('s', join(freshDir(), 's'), keyIdentityFor(Serdes.string()), Serdes.string(), Serdes.long(), 0);
    store.init(context());
    for (const [i, key] of ['a', 'ab', 'abc', 'b', 'ba', 'c'].entries()) store.put(key, i);
    expect([...store.range('ab', 'b')].map(([k]) => k)).toEqual(['ab', 'abc', 'b']);
    expect([...store.range(undefined, 'ab')].map(([k]) => k)).toEqual(['a', 'ab']);
    expect([...store.prefixScan('b', Serdes.string())]).toEqual([
      ['b', 3],
      ['ba', 4],
    ]);
    store.close();
  });

  it('writes in batches when many updates gather between flushes, and keeps every update', () => {
    const store = new PersistentKeyValueStore<string, number>('s', join(freshDir(), 's'), keyIdentityFor(Serdes.string()), Serdes.string(), Serdes.long(), 0);
    store.init(context());
    for (let i = 0; i < 25_000; i++) store.put(`k${i}`, i);
    for (let i = 0; i < 25_000; i += 5_000) expect(store.get(`k${i}`)).toBe(i);
    store.flush();
    expect(store.approximateNumEntries()).toBe(25_000);
    expect([...store.all()].length).toBe(25_000);
    store.close();
  });

  it('fails a write of a key longer than LMDB allows with a StateStoreError naming the store', () => {
    const store = bytesStore();
    store.put(Buffer.alloc(4000, 1), 'x');
    expect(() => store.flush()).toThrow(StateStoreError);
    store.close();
  });

  it('refuses reads after close with a clear error', () => {
    const dir = freshDir();
    const store = bytesStore(dir);
    store.put(Buffer.from('kept'), 'x');
    store.flush();
    store.put(Buffer.from('dropped'), 'y');
    store.close();
    expect(() => store.get(Buffer.from('kept'))).toThrow(/not open/);
  });

  it('restores changelog records through the changelogging layer and logs its own updates', () => {
    const built = buildKeyValueStore<string, number>(
      { type: 'key-value', name: 'counts', keySerde: Serdes.string(), valueSerde: Serdes.long(), logging: true, storeType: 'persistent' },
      { applicationId: 'app', partition: 0, taskDir: freshDir() },
    );
    built.store.init?.(context(3));
    expect(built.store.persistent).toBe(true);
    built.logged!.restore([
      { key: Buffer.from('a'), value: Serdes.long().serialize(4, 't'), timestamp: 1, offset: 0 },
      { key: Buffer.from('b'), value: Serdes.long().serialize(5, 't'), timestamp: 2, offset: 1 },
      { key: Buffer.from('b'), value: null, timestamp: 3, offset: 2 },
    ]);
    expect(built.store.getWithTimestamp('a')).toEqual({ value: 4, timestamp: 1 });
    expect(built.store.get('b')).toBeUndefined();
    built.store.put('c', 6);
    const changelog: OutgoingRecord[] = [];
    built.logged!.drainChangelog(changelog);
    expect(changelog.map((r) => [r.key?.toString(), r.value && Serdes.long().deserialize(r.value, 't')])).toEqual([['c', 6]]);
    built.store.close();
  });

  it('is the in-memory store unless the spec or the default asks for persistent; persistent needs serdes and a folder', () => {
    const base = { type: 'key-value', name: 'counts', keySerde: Serdes.string(), valueSerde: Serdes.long(), logging: false } as const;
    expect(buildKeyValueStore(base, { applicationId: 'app', partition: 0 }).store.persistent).toBe(false);
    expect(buildKeyValueStore(base, { applicationId: 'app', partition: 0, defaultStoreType: 'persistent', taskDir: freshDir() }).store.persistent).toBe(true);
    expect(buildKeyValueStore({ ...base, storeType: 'in-memory' }, { applicationId: 'app', partition: 0, defaultStoreType: 'persistent', taskDir: freshDir() }).store.persistent).toBe(false);
    expect(() => buildKeyValueStore({ ...base, storeType: 'persistent' }, { applicationId: 'app', partition: 0 })).toThrow(/needs a state directory/);
    expect(() => buildKeyValueStore({ ...base, keySerde: undefined, storeType: 'persistent' }, { applicationId: 'app', partition: 0, taskDir: freshDir() })).toThrow(StateStoreError);
  });
});

describe('persistent key-value store against a Map model', () => {
  it('any sequence of puts, deletes and flushes reads back like a Map, and all() is the model sorted by key bytes', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), key: fc.string({ maxLength: 4 }), value: fc.integer({ min: -1000, max: 1000 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.string({ maxLength: 4 }) }),
      fc.record({ kind: fc.constant('flush' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const store = new PersistentKeyValueStore<string, number>('s', join(freshDir(), 's'), keyIdentityFor(Serdes.string()), Serdes.string(), Serdes.long(), 0);
        store.init(context());
        const model = new Map<string, number>();
        try {
          for (const o of ops) {
            if (o.kind === 'put') {
              store.put(o.key, o.value);
              model.set(o.key, o.value);
            } else if (o.kind === 'delete') {
              expect(store.delete(o.key)).toBe(model.get(o.key));
              model.delete(o.key);
            } else store.flush();
          }
          for (const key of new Set(ops.flatMap((o) => ('key' in o ? [o.key] : [])))) expect(store.get(key)).toBe(model.get(key));
          const sorted = [...model].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
          expect([...store.all()]).toEqual(sorted);
        } finally {
          store.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('Materialized storeType through the test driver', () => {
  it('a count materialized as persistent keeps its entries in LMDB, in key byte order, and the driver removes its folder on close', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('words', { key: Serdes.string(), value: Serdes.string() })
      .groupByKey()
      .count({ storeName: 'counts', storeType: 'persistent' })
      .toStream()
      .to('counts-out', { key: Serdes.string(), value: Serdes.long() });
    const before = new Set(readdirSync(tmpdir()).filter((f) => f.startsWith('tributary-test-driver-')));
    const driver = new TopologyTestDriver(builder.build(), { initialWallClockTime: 0 });
    const created = readdirSync(tmpdir()).filter((f) => f.startsWith('tributary-test-driver-') && !before.has(f));
    expect(created).toHaveLength(1);
    const input = driver.createInputTopic<string, string>('words', Serdes.string(), Serdes.string());
    const output = driver.createOutputTopic<string, number>('counts-out', Serdes.string(), Serdes.long());
    for (const word of ['b', 'a', 'b', 'c', 'b']) input.pipeInput(word, word, 1);
    expect(output.readKeyValuesToList().at(-1)).toEqual(['b', 3]);
    const store = driver.getKeyValueStore<string, number>('counts');
    expect(store.persistent).toBe(true);
    expect([...store.all()]).toEqual([
      ['a', 1],
      ['b', 3],
      ['c', 1],
    ]);
    driver.close();
    expect(existsSync(join(tmpdir(), created[0]!))).toBe(false);
  });
});
