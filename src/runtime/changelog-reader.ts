import type { Logger } from 'pino';
import type { AdminPort, KafkaPort } from '../kafka/port.js';
import { restoreStore, type RestoreProgress } from '../state/restore.js';
import type { ChangelogRecord } from '../state/state-store.js';
import { CHANGELOG_OFFSETS_HEADER } from './streams-config.js';
import type { Task } from './task.js';

/** A task to restore, and where to note the input offsets its changelog says are already applied. */
export interface RestoringTask {
  readonly name: string;
  readonly task: Task;
  /**
   * Input positions (next offset, key `topic\u0000partition`) recovered from the changelog headers: input
   * records below are already in the stores (at-least-once wrote the changelog, then crashed before the
   * offset commit), so they are not applied twice.
   */
  readonly appliedUpTo: Map<string, number>;
}

export interface RestoreOptions {
  readonly kafka: KafkaPort;
  readonly admin: AdminPort;
  /** Exactly-once reads only committed changelog records. */
  readonly readCommitted: boolean;
  readonly logger: Logger;
  readonly onProgress?: (progress: RestoreProgress & { task: string }) => void;
  readonly onRestored?: (info: { task: string; records: number; durationMs: number }) => void;
}

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * The changelog reader (Kafka Streams' `StoreChangelogReader`): replays every changelog partition of the
 * given tasks from its start to the end offset it had when the restore began, in one read, into the tasks'
 * stores, and notes from each record's offsets header which input the stores already hold.
 *
 * @example
 * await restoreTasks([{ name: '0_0', task, appliedUpTo: new Map() }], { kafka, admin, readCommitted: true, logger });
 */
export async function restoreTasks(tasks: readonly RestoringTask[], options: RestoreOptions): Promise<void> {
  const started = Date.now();
  const wanted = tasks.flatMap((running) => running.task.changelogPartitions().map((changelog) => ({ running, changelog })));
  if (wanted.length === 0) return;
  const ends = new Map<string, { low: number; high: number }>();
  for (const topic of new Set(wanted.map((w) => w.changelog.topic))) {
    for (const o of await options.admin.offsets(topic)) ends.set(tpKey(topic, o.partition), o);
  }
  const byPartition = new Map<string, { running: RestoringTask; batches: (readonly ChangelogRecord[])[]; endOffset: number }>();
  for (const { running, changelog } of wanted) {
    const range = ends.get(tpKey(changelog.topic, changelog.partition));
    if (range === undefined || range.high <= range.low) continue;
    byPartition.set(tpKey(changelog.topic, changelog.partition), { running, batches: [], endOffset: range.high });
  }
  const requests = wanted
    .filter((w) => byPartition.has(tpKey(w.changelog.topic, w.changelog.partition)))
    .map((w) => ({ topic: w.changelog.topic, partition: w.changelog.partition, endOffset: byPartition.get(tpKey(w.changelog.topic, w.changelog.partition))!.endOffset }));
  options.logger.info({ partitions: requests.map((r) => `${r.topic}-${r.partition}@${r.endOffset}`) }, `restoring ${requests.length} changelog partitions`);
  await options.kafka.readToEnd(
    requests,
    (batch) => {
      const target = byPartition.get(tpKey(batch.topic, batch.partition));
      if (target === undefined) return;
      for (const r of batch.records) noteAppliedOffsets(target.running, r.headers[CHANGELOG_OFFSETS_HEADER]);
      target.batches.push(batch.records);
    },
    { readCommitted: options.readCommitted },
  );
  let total = 0;
  const perTask = new Map<string, number>();
  for (const { running, changelog } of wanted) {
    const target = byPartition.get(tpKey(changelog.topic, changelog.partition));
    if (target === undefined) continue;
    const task = running.name;
    const endOffset = target.endOffset;
    const restored = await restoreStore(changelog.store, target.batches, {
      endOffset,
      onProgress: (progress) => options.onProgress?.({ ...progress, task }),
    });
    total += restored;
    perTask.set(task, (perTask.get(task) ?? 0) + restored);
    options.logger.info({ task, store: changelog.storeName, restored, appliedUpTo: Object.fromEntries(running.appliedUpTo) }, `restored ${changelog.storeName} of task ${task} up to offset ${endOffset}`);
  }
  const durationMs = Date.now() - started;
  options.logger.info({ records: total, durationMs, tasks: tasks.map((t) => t.name) }, `restore done: ${total} records`);
  for (const t of tasks) options.onRestored?.({ task: t.name, records: perTask.get(t.name) ?? 0, durationMs });
}

/** Reads a changelog record's offsets header (`[[topic, partition, nextOffset], ...]`); a malformed one is ignored. */
function noteAppliedOffsets(running: RestoringTask, header: unknown): void {
  if (header === undefined) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.isBuffer(header) ? header.toString('utf8') : String(header));
  } catch {
    return;
  }
  if (!Array.isArray(parsed)) return;
  for (const entry of parsed as [string, number, number][]) {
    const [topic, partition, offset] = entry;
    const key = tpKey(topic, partition);
    if ((running.appliedUpTo.get(key) ?? -1) < offset) running.appliedUpTo.set(key, offset);
  }
}
