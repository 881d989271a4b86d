import type { ChangelogRecord, LoggedStore } from './state-store.js';

/** Progress of one store's restore, reported after each applied batch. */
export interface RestoreProgress {
  readonly storeName: string;
  readonly topic: string;
  readonly partition: number;
  /** Records applied so far. */
  readonly restored: number;
  /** Offset to restore up to (exclusive), when known. */
  readonly endOffset: number | undefined;
  /** Offset of the last applied record. */
  readonly lastOffset: number;
}

export interface RestoreOptions {
  /** High watermark of the changelog partition at the start of restore. */
  readonly endOffset?: number;
  readonly onProgress?: (progress: RestoreProgress) => void;
}

/**
 * Replays changelog batches (as the Kafka port reads them) into a logged store and reports progress.
 * Resolves with the number of records applied.
 *
 * @example
 * await restoreStore(store, readChangelog(topic, partition), { endOffset, onProgress: (p) => log.info(p) });
 */
export async function restoreStore(
  store: LoggedStore,
  batches: AsyncIterable<readonly ChangelogRecord[]> | Iterable<readonly ChangelogRecord[]>,
  options: RestoreOptions = {},
): Promise<number> {
  let restored = 0;
  let lastOffset = -1;
  for await (const batch of batches) {
    if (batch.length === 0) continue;
    // Serdes fetch what they need (e.g. writer schemas of older versions) so that restoring never waits.
    const prefetched = store.prefetch?.(batch);
    if (prefetched !== undefined) await prefetched;
    store.restore(batch);
    restored += batch.length;
    lastOffset = batch[batch.length - 1]!.offset;
    options.onProgress?.({
      storeName: store.name,
      topic: store.changelogTopic,
      partition: store.changelogPartition,
      restored,
      endOffset: options.endOffset,
      lastOffset,
    });
  }
  return restored;
}
