import { StateStoreError } from '../errors.js';
import { setCacheFlushListener, type CacheFlushingStore, type CacheFlushListener } from './caching-key-value-store.js';
import type { KeyValueStore } from './key-value-store.js';
import type { StoreContext, ValueAndTimestamp } from './state-store.js';

/**
 * The outer layer processors and the test driver talk to: rejects null/undefined keys with a clear
 * error (a null key has no identity in a store) and turns `put(key, undefined)` into a delete.
 */
export class TypedKeyValueStore<K, V> implements KeyValueStore<K, V>, CacheFlushingStore<K, V> {
  #partition: number | undefined;

  constructor(readonly inner: KeyValueStore<K, V>) {}

  get name(): string {
    return this.inner.name;
  }

  get persistent(): boolean {
    return this.inner.persistent;
  }

  init(context: StoreContext): void {
    this.#partition = context.partition;
    this.inner.init?.(context);
  }

  setFlushListener(listener: CacheFlushListener<K, V>, sendOldValues: boolean): boolean {
    return setCacheFlushListener(this.inner, listener, sendOldValues);
  }

  #checkKey(key: K, operation: string): void {
    if (key === null || key === undefined) {
      throw new StateStoreError(`store ${this.name}: ${operation} with a null key; filter null keys before a stateful operator`, { store: this.name, partition: this.#partition });
    }
  }

  get(key: K): V | undefined {
    this.#checkKey(key, 'get');
    return this.inner.get(key);
  }

  getWithTimestamp(key: K): ValueAndTimestamp<V> | undefined {
    this.#checkKey(key, 'get');
    return this.inner.getWithTimestamp(key);
  }

  all(): IterableIterator<readonly [K, V]> {
    return this.inner.all();
  }

  approximateNumEntries(): number {
    return this.inner.approximateNumEntries();
  }

  put(key: K, value: V | null, timestamp?: number): void {
    this.#checkKey(key, 'put');
    this.inner.put(key, value === undefined ? null : value, timestamp);
  }

  putIfAbsent(key: K, value: V, timestamp?: number): V | undefined {
    this.#checkKey(key, 'putIfAbsent');
    return this.inner.putIfAbsent(key, value, timestamp);
  }

  delete(key: K, timestamp?: number): V | undefined {
    this.#checkKey(key, 'delete');
    return this.inner.delete(key, timestamp);
  }

  flush(): void {
    this.inner.flush();
  }

  close(): void {
    this.inner.close();
  }
}
