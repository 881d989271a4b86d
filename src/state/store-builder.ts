import { StateStoreError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import { CachingKeyValueStore } from './caching-key-value-store.js';
import { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.js';
import { InMemoryKeyValueStore } from './in-memory-key-value-store.js';
import type { KeyIdentity, KeyValueStore } from './key-value-store.js';
import type { RecordCache } from './record-cache.js';
import { changelogTopicName, type LoggedStore, type StateStore } from './state-store.js';
import { InMemorySessionStore, SessionStoreChangelogger } from './session-store.js';
import { join } from 'node:path';
import { PersistentKeyValueStore } from './persistent-key-value-store.js';
import type { KeyValueStoreSpec, KeyValueStoreType, SessionStoreSpec, StoreSpec, StoreType, WindowStoreSpec } from './store-spec.js';
import { InMemoryWindowStore, WindowStoreChangelogger } from './window-store.js';
import { TypedKeyValueStore } from './typed-key-value-store.js';

export interface StoreBuildOptions {
  readonly applicationId: string;
  readonly partition: number;
  /** The record cache of the task; stores whose spec asks for caching get the caching layer when it is enabled. */
  readonly cache?: RecordCache;
  /** Store type of the key-value stores whose spec names none; default `'in-memory'`. */
  readonly defaultStoreType?: KeyValueStoreType;
  /** The task's folder in the state directory; persistent stores live in `<taskDir>/<store name>`. */
  readonly taskDir?: string;
}

/**
 * Identity of a key inside an in-memory store: strings index themselves; every other key is indexed by
 * its serialized bytes, so keys equal by value (e.g. two equal objects) share one entry.
 */
export function keyIdentityFor<K>(keySerde: Serde<K> | undefined): KeyIdentity<K> {
  if (keySerde === undefined || keySerde === (Serdes.string() as Serde<unknown>)) {
    return (key: K) => (typeof key === 'string' ? key : `\u0000${JSON.stringify(key)}`);
  }
  return (key: K) => (typeof key === 'string' ? key : keySerde.serialize(key, '').toString('latin1'));
}

/**
 * A built store and, when it is logged, the layer the task drains at commit and restores into; when it
 * caches, the layer the task flushes at commit.
 */
export interface BuiltStore<S extends StateStore = StateStore> {
  readonly store: S;
  readonly logged: LoggedStore | undefined;
  readonly cached?: CachingKeyValueStore<any, any>;
}

/**
 * typed(caching?(changelogging?(in-memory))), as Kafka's KeyValueStoreBuilder composes
 * metered(caching(logging(inner))): the changelog sees only what the cache flushes.
 */
export function buildKeyValueStore<K, V>(spec: KeyValueStoreSpec, options: StoreBuildOptions): BuiltStore<KeyValueStore<K, V>> {
  const keySerde = spec.keySerde as Serde<K> | undefined;
  const valueSerde = spec.valueSerde as Serde<V> | undefined;
  const identity = keyIdentityFor(keySerde);
  let store: KeyValueStore<K, V> = innerKeyValueStore(spec, options, identity);
  let logged: LoggedStore | undefined;
  if (spec.logging) {
    if (keySerde === undefined || valueSerde === undefined) {
      throw new StateStoreError(`store ${spec.name} is logged but has no key/value serdes; pass them in Materialized`, { store: spec.name, partition: options.partition });
    }
    const logging = new ChangeLoggingKeyValueStore(store, changelogTopicName(options.applicationId, spec.name), options.partition, identity, keySerde, valueSerde);
    store = logging;
    logged = logging;
  }
  let cached: CachingKeyValueStore<K, V> | undefined;
  if (spec.caching === true && options.cache?.enabled === true) store = cached = new CachingKeyValueStore(store, identity, options.cache);
  return { store: new TypedKeyValueStore(store), logged, ...(cached === undefined ? {} : { cached }) };
}

/** The bottom layer the spec (or the runtime default) asks for. */
function innerKeyValueStore<K, V>(spec: KeyValueStoreSpec, options: StoreBuildOptions, identity: (key: K) => string): KeyValueStore<K, V> {
  if ((spec.storeType ?? options.defaultStoreType ?? 'in-memory') === 'in-memory') return new InMemoryKeyValueStore<K, V>(spec.name, identity);
  if (spec.keySerde === undefined || spec.valueSerde === undefined) {
    throw new StateStoreError(`persistent store ${spec.name} needs key/value serdes (its entries are stored as bytes); pass them in Materialized`, { store: spec.name, partition: options.partition });
  }
  if (options.taskDir === undefined) {
    throw new StateStoreError(`persistent store ${spec.name} needs a state directory; this runtime gives none`, { store: spec.name, partition: options.partition });
  }
  return new PersistentKeyValueStore<K, V>(spec.name, join(options.taskDir, spec.name), identity, spec.keySerde as Serde<K>, spec.valueSerde as Serde<V>, options.partition);
}

const builders: { readonly [T in StoreType]: (spec: Extract<StoreSpec, { type: T }>, options: StoreBuildOptions) => BuiltStore } = {
  'key-value': buildKeyValueStore,
  window: buildWindowStore,
  session: buildSessionStore,
};

/** In-memory window store, plus its changelogger when logged. */
export function buildWindowStore(spec: WindowStoreSpec, options: StoreBuildOptions): BuiltStore<InMemoryWindowStore<any, any>> {
  const store = new InMemoryWindowStore<any, any>(spec.name, keyIdentityFor(spec.keySerde), { retentionMs: spec.retentionMs, inclusiveRetentionEdge: spec.timeOrdered }, spec.retainDuplicates);
  if (!spec.logging) return { store, logged: undefined };
  if (spec.keySerde === undefined || spec.valueSerde === undefined) {
    throw new StateStoreError(`window store ${spec.name} is logged but has no key/value serdes; pass them in Materialized`, { store: spec.name, partition: options.partition });
  }
  return { store, logged: new WindowStoreChangelogger(store, changelogTopicName(options.applicationId, spec.name), options.partition, spec.keySerde, spec.valueSerde) };
}

/** In-memory session store, plus its changelogger when logged. */
export function buildSessionStore(spec: SessionStoreSpec, options: StoreBuildOptions): BuiltStore<InMemorySessionStore<any, any>> {
  // Kafka's time-ordered session store keeps the exclusive retention edge for lookups (unlike time-ordered window stores).
  const store = new InMemorySessionStore<any, any>(spec.name, keyIdentityFor(spec.keySerde), { retentionMs: spec.retentionMs });
  if (!spec.logging) return { store, logged: undefined };
  if (spec.keySerde === undefined || spec.valueSerde === undefined) {
    throw new StateStoreError(`session store ${spec.name} is logged but has no key/value serdes; pass them in Materialized`, { store: spec.name, partition: options.partition });
  }
  return { store, logged: new SessionStoreChangelogger(store, changelogTopicName(options.applicationId, spec.name), options.partition, spec.keySerde, spec.valueSerde) };
}

/** Builds the layered store a spec describes; new store types register here. */
export function buildStore(spec: StoreSpec, options: StoreBuildOptions): BuiltStore {
  return (builders[spec.type] as (spec: StoreSpec, options: StoreBuildOptions) => BuiltStore)(spec, options);
}

