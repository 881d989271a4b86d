import type { OutgoingRecord } from '../errors.js';
import type { Topology } from '../graph/topology.js';
import type { CachingKeyValueStore } from '../state/caching-key-value-store.js';
import type { RecordCache } from '../state/record-cache.js';
import type { StateStore, StoreContext } from '../state/state-store.js';
import { join } from 'node:path';
import { taskIdToString, type TaskId } from '../processor/processor.js';
import { buildStore, type StoreBuildOptions } from '../state/store-builder.js';
import type { KeyValueStoreType, StoreSpec } from '../state/store-spec.js';
import { TaskDirectoryLock } from './state-directory.js';
import type { ChangelogPartition, TaskStorage } from './task-types.js';

/** What the stores of one task need of its storage: the default store type, the task's own folder, the lock owner. */
export type TaskStoreStorage = Pick<StoreBuildOptions, 'defaultStoreType' | 'taskDir'> & { readonly owner?: string };

/** The storage of the task `id`: its folder is `<stateDir>/<task id>`. */
export function taskStoreOptions(storage: TaskStorage | undefined, id: TaskId): TaskStoreStorage {
  return {
    ...(storage?.defaultStoreType === undefined ? {} : { defaultStoreType: storage.defaultStoreType }),
    ...(storage?.stateDir === undefined ? {} : { taskDir: join(storage.stateDir, taskIdToString(id)) }),
    ...(storage?.owner === undefined ? {} : { owner: storage.owner }),
  };
}

/** Whether the spec's store will be persistent (and so needs the task folder). */
function persistentSpec(spec: StoreSpec, defaultStoreType: KeyValueStoreType | undefined): boolean {
  return spec.type === 'key-value' && (spec.storeType ?? defaultStoreType ?? 'in-memory') === 'persistent';
}

/**
 * The state stores of one task and what a commit does to them: flush the record caches (which forwards
 * the updates they held back), flush the stores, and collect their changelog records. Kept apart from the
 * task so the order of those steps is stated in one place.
 */
export class TaskStores {
  readonly #stores = new Map<string, StateStore>();
  readonly #logged: ChangelogPartition[] = [];
  /** Caching layers of this task's stores, flushed at every commit. */
  readonly #cached: CachingKeyValueStore<unknown, unknown>[] = [];
  /** The lock of the task folder, held while the task has persistent stores open. */
  readonly #lock: TaskDirectoryLock | undefined;

  /** Builds and inits the stores named; `context` is what they see of the task while it processes. */
  constructor(
    topology: Topology,
    names: readonly string[],
    applicationId: string,
    partition: number,
    cache: RecordCache | undefined,
    context: StoreContext,
    storage: TaskStoreStorage = {},
  ) {
    const persistent = names.find((name) => persistentSpec(topology.stores.get(name)!, storage.defaultStoreType));
    if (persistent !== undefined && storage.taskDir !== undefined) {
      // Lock before any persistent store opens: opening wipes the store's folder.
      this.#lock = new TaskDirectoryLock(storage.taskDir, storage.owner ?? 'tributary');
      this.#lock.acquire(persistent, partition);
    }
    const { owner: _owner, ...build } = storage;
    for (const name of names) {
      const spec = topology.stores.get(name)!;
      const built = buildStore(spec, { applicationId, partition, ...build, ...(cache === undefined ? {} : { cache }) });
      built.store.init?.(context);
      this.#stores.set(name, built.store);
      if (built.cached) this.#cached.push(built.cached);
      if (built.logged) this.#logged.push({ storeName: name, topic: built.logged.changelogTopic, partition: built.logged.changelogPartition, store: built.logged });
    }
  }

  /** Stores by name. */
  get all(): ReadonlyMap<string, StateStore> {
    return this.#stores;
  }

  /** Changelog partitions backing the stores. */
  get changelogPartitions(): readonly ChangelogPartition[] {
    return this.#logged;
  }

  /**
   * Commit of the stores, in this order: caches flushed (their forwards run now, so the outputs belong to
   * this commit), stores flushed, then the changelog records of every logged store appended to `changelog`.
   */
  commit(changelog: OutgoingRecord[]): void {
    this.#flushCaches();
    for (const store of this.#stores.values()) store.flush();
    for (const logged of this.#logged) logged.store.drainChangelog(changelog);
  }

  /**
   * Flushes every caching store. A flush forwards downstream, which may fill the cache of a store further
   * down in this task, so flushing repeats until no cache holds anything (stores form a DAG: at most one
   * pass per store).
   */
  #flushCaches(): void {
    const cached = this.#cached;
    for (let pass = 0; pass <= cached.length; pass++) {
      let flushed = false;
      for (const store of cached) {
        if (store.dirtyEntries === 0) continue;
        store.flushCache();
        flushed = true;
      }
      if (!flushed) return;
    }
  }

  /** Approximate entry count of every store that can tell it (sizing a window store walks its keys). */
  sizes(): { store: string; entries: number }[] {
    const sizes: { store: string; entries: number }[] = [];
    for (const [name, store] of this.#stores) {
      const sized = store as StateStore & { approximateNumEntries?: () => number };
      if (typeof sized.approximateNumEntries === 'function') sizes.push({ store: name, entries: sized.approximateNumEntries() });
    }
    return sizes;
  }

  close(): void {
    try {
      for (const store of this.#stores.values()) store.close();
    } finally {
      this.#lock?.release();
    }
  }
}
