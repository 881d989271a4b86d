import { mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { RootDatabase } from 'lmdb';
import { StateStoreError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import type { KeyIdentity, KeyValueStore } from './key-value-store.js';
import type { StoreContext, ValueAndTimestamp } from './state-store.js';

/** A write not yet in the database: the typed key and value (null = delete) with its timestamp. */
interface Pending<K, V> {
  readonly key: K;
  readonly value: V | null;
  readonly timestamp: number;
}

/**
 * Pending writes are written in one transaction when this many have gathered (besides at every flush), so a
 * restore or a long commit interval does not hold the whole update set in the heap.
 */
const MAX_PENDING = 10_000;

/**
 * The native binding loads when the first persistent store opens, not when the package is imported: an
 * application with only in-memory stores never loads it (and a platform without a prebuilt binary only
 * fails where a persistent store is asked for).
 */
let lmdb: typeof import('lmdb') | undefined;
function loadLmdb(): typeof import('lmdb') {
  lmdb ??= createRequire(import.meta.url)('lmdb') as typeof import('lmdb');
  return lmdb;
}

/**
 * LMDB rejects an empty key, and Kafka keys may be empty (the empty string): every stored key gets this one
 * byte in front, which keeps the byte order of the keys themselves.
 */
const KEY_PREFIX = Buffer.from([0]);
const storedKey = (serialized: Buffer): Buffer => Buffer.concat([KEY_PREFIX, serialized]);

/**
 * The bottom layer of a persistent key-value store: an LMDB database (lmdb-js) in its own folder of the
 * task's state directory. Keys are stored as their serialized bytes, so `all()` iterates in unsigned
 * lexicographic byte order, the order of Kafka Streams' RocksDB stores (LMDB compares keys with memcmp,
 * a shorter key before its extensions; one constant byte in front of every key, as LMDB rejects empty keys).
 * LMDB limits a key to 1978 bytes: a longer serialized key fails the write with a StateStoreError. A value is stored as Kafka Streams' timestamped format: the 8-byte
 * big-endian timestamp, then the serialized value.
 *
 * The engine was chosen by measurement (bench/store-engines.ts, bench/RESULTS.md "Storage engine"): LMDB
 * reads are synchronous memory-mapped lookups, which the synchronous store interface needs; the RocksDB
 * binding on npm reads only through promises and was slower per get+put on the W2 pattern.
 *
 * Writes gather in a pending map (typed objects, as the in-memory store keeps them) and go to the database
 * in one transaction at `flush()` (the task's commit) or every {@link MAX_PENDING} writes; reads look at the
 * pending map first. This batch is not the record cache: it forwards nothing and changes no output.
 *
 * Until the state directory keeps checkpoints, the folder is wiped when the store opens and the changelog
 * restores the whole content, as for the in-memory store.
 */
export class PersistentKeyValueStore<K, V> implements KeyValueStore<K, V> {
  readonly persistent = true;
  readonly #pending = new Map<string, Pending<K, V>>();
  #db: RootDatabase<Buffer, Buffer> | undefined;
  #context: StoreContext | undefined;

  /**
   * @param path the store's own folder (created; wiped first, see the class comment)
   * @param identity the key identity of the layers above, used for the pending map
   */
  constructor(
    readonly name: string,
    private readonly path: string,
    private readonly identity: KeyIdentity<K>,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly partition: number,
  ) {}

  init(context: StoreContext): void {
    this.#context = context;
    try {
      rmSync(this.path, { recursive: true, force: true });
      mkdirSync(this.path, { recursive: true });
      // noSync: a crash may lose the last transactions; the store is rebuilt from the changelog anyway.
      this.#db = loadLmdb().open<Buffer, Buffer>({ path: this.path, keyEncoding: 'binary', encoding: 'binary', noSync: true });
    } catch (cause) {
      throw new StateStoreError(`opening persistent store ${this.name} in ${this.path} failed: ${(cause as Error).message}`, { store: this.name, partition: this.partition, cause });
    }
  }

  #database(): RootDatabase<Buffer, Buffer> {
    if (this.#db === undefined) throw new StateStoreError(`persistent store ${this.name} is not open (init() not called or already closed)`, { store: this.name, partition: this.partition });
    return this.#db;
  }

  #topic(): string {
    return this.#context === undefined ? this.name : `${this.#context.applicationId}-${this.name}-changelog`;
  }

  #read(key: K): Pending<K, V> | undefined {
    const pending = this.#pending.get(this.identity(key));
    if (pending !== undefined) return pending;
    const bytes = this.#database().getBinary(storedKey(this.keySerde.serialize(key, this.#topic())));
    if (bytes === undefined || bytes === null) return undefined;
    return { key, value: this.valueSerde.deserialize(bytes.subarray(8), this.#topic()), timestamp: Number(bytes.readBigInt64BE(0)) };
  }

  get(key: K): V | undefined {
    return this.#read(key)?.value ?? undefined;
  }

  getWithTimestamp(key: K): ValueAndTimestamp<V> | undefined {
    const entry = this.#read(key);
    return entry === undefined || entry.value === null ? undefined : { value: entry.value, timestamp: entry.timestamp };
  }

  put(key: K, value: V | null, timestamp?: number): void {
    this.#pending.set(this.identity(key), { key, value, timestamp: timestamp ?? this.#context?.currentTimestamp() ?? 0 });
    if (this.#pending.size >= MAX_PENDING) this.flush();
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

  /** Every entry in unsigned lexicographic order of the serialized keys (pending writes are written first). */
  *all(): IterableIterator<readonly [K, V]> {
    yield* this.range(undefined, undefined);
  }

  /**
   * Entries whose serialized key lies in [from, to] (both inclusive, as Kafka Streams' `range`), in byte
   * order; an undefined bound is open.
   */
  *range(from: K | undefined, to: K | undefined): IterableIterator<readonly [K, V]> {
    this.flush();
    const topic = this.#topic();
    const end = to === undefined ? undefined : storedKey(this.keySerde.serialize(to, topic));
    const options = from === undefined ? {} : { start: storedKey(this.keySerde.serialize(from, topic)) };
    for (const { key, value } of this.#database().getRange(options)) {
      if (end !== undefined && Buffer.compare(key, end) > 0) return;
      yield [this.keySerde.deserialize(key.subarray(1), topic), this.valueSerde.deserialize(value.subarray(8), topic)] as const;
    }
  }

  /** Entries whose serialized key starts with the serialized `prefix`, in byte order (Kafka Streams' `prefixScan`). */
  *prefixScan<P>(prefix: P, prefixSerde: Serde<P>): IterableIterator<readonly [K, V]> {
    this.flush();
    const topic = this.#topic();
    const start = storedKey(prefixSerde.serialize(prefix, topic));
    for (const { key, value } of this.#database().getRange({ start })) {
      if (key.length < start.length || key.compare(start, 0, start.length, 0, start.length) !== 0) return;
      yield [this.keySerde.deserialize(key.subarray(1), topic), this.valueSerde.deserialize(value.subarray(8), topic)] as const;
    }
  }

  approximateNumEntries(): number {
    // Counting pending writes exactly would need a lookup per key; the database count plus pending is an upper bound.
    return (this.#database().getStats() as { entryCount: number }).entryCount + this.#pending.size;
  }

  /** Writes the pending writes in one transaction. */
  flush(): void {
    if (this.#pending.size === 0) return;
    const db = this.#database();
    const topic = this.#topic();
    const writes: [Buffer, Buffer | null][] = [];
    for (const entry of this.#pending.values()) {
      const key = storedKey(this.keySerde.serialize(entry.key, topic));
      if (entry.value === null) {
        writes.push([key, null]);
        continue;
      }
      const value = this.valueSerde.serialize(entry.value, topic);
      const stored = Buffer.allocUnsafe(8 + value.length);
      stored.writeBigInt64BE(BigInt(entry.timestamp), 0);
      value.copy(stored, 8);
      writes.push([key, stored]);
    }
    try {
      db.transactionSync(() => {
        for (const [key, value] of writes) {
          if (value === null) db.removeSync(key);
          else db.putSync(key, value);
        }
      });
    } catch (cause) {
      throw new StateStoreError(`writing to persistent store ${this.name} failed: ${(cause as Error).message}`, { store: this.name, partition: this.partition, cause });
    }
    this.#pending.clear();
  }

  close(): void {
    if (this.#db === undefined) return;
    // Pending writes are dropped, as the in-memory store drops its content: a clean close commits (and so
    // flushes) first, a close after a failure must not write updates that were never committed.
    this.#pending.clear();
    const db = this.#db;
    this.#db = undefined;
    // lmdb-js closes asynchronously; nothing reads the store after close.
    void db.close();
  }
}
