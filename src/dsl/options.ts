import type { Serde } from '../serde/serde.js';
import type { KeyValueStoreType } from '../state/store-spec.js';
import type { StreamPartitioner, TimestampExtractor } from './types.js';

/** Serde slot for a type that may include null: serdes never see null (it is a null payload). */
export type SerdeOf<T> = Serde<NonNullable<T>>;

/** Names the processor a DSL call adds (instead of a generated `KSTREAM-...-0000000007`). */
export interface Named {
  readonly name?: string;
}

/**
 * How a source topic is read.
 *
 * @example
 * builder.stream('clicks', { key: Serdes.string(), value: Serdes.json<Click>(), timestamp: (r) => Date.parse(r.value.at) });
 */
export interface Consumed<K, V> extends Named {
  readonly key: SerdeOf<K>;
  readonly value: SerdeOf<V>;
  /** Event time of each record; default: the Kafka record timestamp. */
  readonly timestamp?: TimestampExtractor<K, V>;
}

/** How a KTable source topic is read and stored. */
export interface TableConsumed<K, V> extends Consumed<K, V> {
  /** Materializes (and names) the table's store, making it queryable. */
  readonly storeName?: string;
  /** Back the store with a changelog topic (default true). */
  readonly logging?: boolean;
  /** Put the record cache in front of the table's store when it is materialized (default true); see {@link Materialized.caching}. */
  readonly caching?: boolean;
}

/** How records are written by `to()`. Serdes default to the stream's own when it still knows them. */
export interface Produced<K, V> extends Named {
  readonly key?: SerdeOf<K>;
  readonly value?: SerdeOf<V>;
  readonly partitioner?: StreamPartitioner<K, V>;
}

/** Serdes and name for a grouping; the name also names the repartition topic (`<app>-<name>-repartition`). */
export interface Grouped<K, V> extends Named {
  readonly key?: SerdeOf<K>;
  readonly value?: SerdeOf<V>;
}

/** Options of `repartition()`. */
export interface Repartitioned<K, V> extends Named {
  readonly key?: SerdeOf<K>;
  readonly value?: SerdeOf<V>;
  /** Partition count of the topic; default: the max of the upstream source topics. */
  readonly partitions?: number;
  readonly partitioner?: StreamPartitioner<K, V>;
}

/** How the store of a stateful operation is named, serialized and logged. */
export interface Materialized<K, V> extends Named {
  /** Store name (queryable via the test driver and interactive queries); default: generated. */
  readonly storeName?: string;
  readonly key?: SerdeOf<K>;
  readonly value?: SerdeOf<V>;
  /** Back the store with `<applicationId>-<storeName>-changelog` (default true). */
  readonly logging?: boolean;
  /**
   * Put the record cache in front of the store (default true, Kafka Streams' `withCachingEnabled()`).
   * The cache exists only when the engine's `cacheMaxBytes` is above 0 (Tributary's default is 0, cache
   * off). With it, updates of a key between two commits are merged and forwarded once, at commit or when
   * the cache is full; `caching: false` (`Materialized.withCachingDisabled()`) forwards every update of
   * this store at once. Only key-value stores behind KTables are cached.
   *
   * @example
   * // Every count update reaches the output even with cacheMaxBytes set for the application.
   * stream.groupByKey().count({ storeName: 'counts', caching: false });
   */
  readonly caching?: boolean;
  /**
   * Where a key-value store keeps its entries: `'persistent'` (LMDB on disk in the task's folder of the
   * state directory, Kafka Streams' `Stores.persistentKeyValueStore`) or `'in-memory'` (Kafka Streams'
   * `Stores.inMemoryKeyValueStore`). Default: the runtime's `defaultStoreType` (in-memory unless set).
   * Window and session stores are in memory whatever this says (persistent ones are not built yet).
   *
   * @example
   * // A count over many keys kept on disk instead of the heap.
   * stream.groupByKey().count({ storeName: 'counts', storeType: 'persistent' });
   */
  readonly storeType?: KeyValueStoreType;
}

/** The store options of a key-value store spec a Materialized sets (logging and caching on by default). */
export function keyValueStoreOptions<K, V>(materialized: Materialized<K, V>): { logging: boolean; caching: boolean; storeType?: KeyValueStoreType } {
  return { logging: materialized.logging ?? true, caching: materialized.caching ?? true, ...(materialized.storeType === undefined ? {} : { storeType: materialized.storeType }) };
}

/** Options of one split() branch. */
export interface Branched<K, V> {
  /** Suffix of the branch name: the branch is named `<split name><name>` (default: its position, from 1). */
  readonly name?: string;
  /** Builds the branch's downstream; its return value (if a stream) is what the result map holds. */
  readonly chain?: (branch: import('./kstream.js').KStream<K, V>) => unknown;
}
