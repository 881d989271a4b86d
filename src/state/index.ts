export type { StateStore, StoreContext, ValueAndTimestamp, ChangelogRecord, LoggedStore } from './state-store.js';
export { changelogTopicName, isLoggedStore } from './state-store.js';
export type { KeyValueStore, ReadOnlyKeyValueStore, KeyIdentity } from './key-value-store.js';
export { InMemoryKeyValueStore } from './in-memory-key-value-store.js';
export { ChangeLoggingKeyValueStore } from './change-logging-key-value-store.js';
export { TypedKeyValueStore } from './typed-key-value-store.js';
export type { StoreSpec, KeyValueStoreSpec, StoreType } from './store-spec.js';
export { buildStore, buildKeyValueStore, keyIdentityFor, type BuiltStore, type StoreBuildOptions } from './store-builder.js';
export { restoreStore, type RestoreProgress, type RestoreOptions } from './restore.js';
