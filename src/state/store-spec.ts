import type { Serde } from '../serde/serde.js';

/**
 * The graph's description of a key-value store: what the task needs to build it. Window and session
 * stores get sibling specs (`type: 'window' | 'session'`) in the same union.
 */
export interface KeyValueStoreSpec {
  readonly type: 'key-value';
  readonly name: string;
  /** Undefined until the topology knows it; build() rejects a logged store without serdes. */
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  /** Back the store with `<applicationId>-<name>-changelog` (default true). */
  readonly logging: boolean;
  /**
   * Put the record cache in front of the store when the task has one (`cacheMaxBytes` > 0). The DSL
   * sets it for the stores behind KTables unless `caching: false`; absent = not cached.
   */
  readonly caching?: boolean;
  /**
   * Where the store keeps its entries: `'persistent'` (an LMDB database in the task's state directory) or
   * `'in-memory'` (a Map); absent = the runtime's default (`defaultStoreType`).
   */
  readonly storeType?: KeyValueStoreType;
}

/** Where a key-value store keeps its entries (Kafka Streams' `Stores.persistentKeyValueStore` / `inMemoryKeyValueStore`). */
export type KeyValueStoreType = 'persistent' | 'in-memory';

/** A window store (key, window start): windowed aggregations and stream-stream join sides. */
export interface WindowStoreSpec {
  readonly type: 'window';
  readonly name: string;
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  readonly logging: boolean;
  /** Windows older than this (by start, against the store's observed time) expire. */
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  /** Join stores keep every record, not the latest per window. */
  readonly retainDuplicates: boolean;
  /** Time-ordered layout used for emit-on-window-close: reads include the retention edge. */
  readonly timeOrdered: boolean;
  /** Changelog topic configs (`cleanup.policy=compact,delete`, `retention.ms`). */
  readonly changelogConfig: { readonly [name: string]: string };
}

/** A session store (key, start, end). */
export interface SessionStoreSpec {
  readonly type: 'session';
  readonly name: string;
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  readonly logging: boolean;
  /** gap + grace by default; sessions expire by their end. */
  readonly retentionMs: number;
  readonly timeOrdered: boolean;
  readonly changelogConfig: { readonly [name: string]: string };
}

export type StoreSpec = KeyValueStoreSpec | WindowStoreSpec | SessionStoreSpec;
export type StoreType = StoreSpec['type'];
