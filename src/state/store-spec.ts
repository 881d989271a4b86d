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
}

export type StoreSpec = KeyValueStoreSpec;
export type StoreType = StoreSpec['type'];
