import type { Logger } from 'pino';
import type { SchedulerLike } from 'rxjs';
import type { ConsumedBatch } from '../kafka/port.js';
import type { AtLeastOnceSender } from './at-least-once-sender.js';
import { collectCommit, type Committer } from './committer.js';
import type { PartitionPauser } from './partition-pauser.js';
import type { SerdePreparation } from './serde-preparation.js';
import type { StreamsMetricsHooks, StreamsState } from './streams-config.js';
import { tpKey, type RunningTask, type TaskManager } from './task-manager.js';
import type { InputRecord } from './task.js';

/** Store sizes are sampled at most this often: sizing a window store walks its keys. */
const STORE_SAMPLE_INTERVAL_MS = 1000;

/** What the loop needs of the instance it runs in; the getters are read per call, as they change over a run. */
export interface StreamLoopHost {
  readonly tasks: TaskManager;
  readonly pauser: PartitionPauser;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
  readonly commitIntervalMs: number;
  readonly metrics: StreamsMetricsHooks | undefined;
  state(): StreamsState;
  serdes(): SerdePreparation | undefined;
  /** At-least-once only: sends outputs ahead of the commit. */
  sender(): AtLeastOnceSender | undefined;
  committer(): Committer;
}

/**
 * The work of the stream thread, one step at a time: consumed batches into their tasks, processing,
 * wall-clock punctuation (stream-time punctuation runs inside processing) and the commit when its interval
 * has passed on the scheduler's clock. The runtime calls each step from its consumer and timers, one at a
 * time; `runOnce()` runs them in order, which lets a test drive the loop under a manual clock.
 */
export class StreamLoop {
  #processed = 0;
  #uncommitted = false;
  #lastCommit = 0;
  #lastStoreSample = -Infinity;

  constructor(private readonly host: StreamLoopHost) {}

  /** Records processed since start. */
  get processedRecords(): number {
    return this.#processed;
  }

  /** Whether a task holds work the next commit must cover (a kept task at a rebalance, say). */
  set uncommitted(value: boolean) {
    this.#uncommitted = value;
  }

  /** The commit interval counts from now (start of the run). */
  resetCommitClock(): void {
    this.#lastCommit = this.host.scheduler.now();
  }

  /**
   * One pass of the loop: the polled batches, each into its task and processed (with a commit if due after
   * each, as the consumer's handler does), then wall-clock punctuation, then the commit if due.
   */
  async runOnce(batches: readonly ConsumedBatch[] = []): Promise<void> {
    for (const batch of batches) await this.onBatch(batch);
    this.punctuateWallClock();
    await this.commitIfDue();
  }

  /**
   * A consumed batch: skips what the task already processed or what its changelog already holds, hands the
   * rest to the task, processes, pauses the partition when its task buffers too much, commits if due.
   */
  async onBatch(batch: ConsumedBatch): Promise<void> {
    const host = this.host;
    const state = host.state();
    if (state !== 'RUNNING' && state !== 'REBALANCING') return;
    // Fetched before a recovery rewound the partition: the re-read from the committed offset replaces it.
    if (batch.isStale?.() === true) return;
    const key = tpKey(batch.topic, batch.partition);
    const running = host.tasks.taskFor(batch.topic, batch.partition);
    // A batch fetched for a partition this instance no longer owns: the new owner reads it again.
    if (running === undefined) return;
    if (batch.records.length === 0) {
      // Only transaction markers or aborted records: no position to move (the batch may predate a seek),
      // but the partition may be caught up, which can let its task go on.
      if (batch.nextOffset !== undefined) running.task.updateFetchPosition(batch.topic, batch.partition, batch.nextOffset, batch.highWatermark);
      if (running.task.bufferedRecords > 0) this.processTask(running);
      return;
    }
    // Serdes fetch what they need (e.g. writer schemas by id) so that deserializing never waits.
    const prefetched = host.serdes()?.prefetch(batch.topic, batch.records);
    if (prefetched !== undefined && ((await prefetched), host.tasks.taskFor(batch.topic, batch.partition) !== running)) return;
    const appliedUpTo = running.appliedUpTo.get(key) ?? -1;
    const expected = running.position.get(key) ?? -1;
    const inputs: InputRecord[] = [];
    for (const r of batch.records) {
      if (r.offset < appliedUpTo || r.offset < expected) continue;
      inputs.push({ topic: batch.topic, partition: batch.partition, offset: r.offset, key: r.key, value: r.value, timestamp: r.timestamp, headers: r.headers });
    }
    const last = batch.records[batch.records.length - 1]!;
    running.position.set(key, last.offset + 1);
    // The fetch position passes trailing transaction markers too (nextOffset), which the records do not show.
    const fetchPosition = Math.max(batch.nextOffset ?? 0, last.offset + 1);
    running.task.updateFetchPosition(batch.topic, batch.partition, fetchPosition, batch.highWatermark);
    host.metrics?.lag?.(batch.topic, batch.partition, Math.max(0, batch.highWatermark - fetchPosition));
    if (inputs.length > 0) running.task.addRecords(inputs);
    if (running.task.bufferedRecords === 0) return;
    this.processTask(running);
    host.pauser.pauseIfFull(running.task, batch.topic, batch.partition);
    await this.commitIfDue();
  }

  /** Processes what the task may process now (it may wait for another input partition). */
  processTask(running: RunningTask): void {
    const host = this.host;
    const t0 = performance.now();
    const processed = running.task.processAll();
    host.pauser.resumeWorkedOff(running.task);
    if (processed === 0) return;
    this.#processed += processed;
    host.logger.debug({ task: running.name, processed, ms: performance.now() - t0 }, 'records processed');
    this.#uncommitted = true;
    host.metrics?.recordsProcessed?.(running.name, processed, performance.now() - t0);
    this.sendAhead();
  }

  /** At-least-once: hands what the tasks produced to the sender, which sends it ahead of the commit. */
  sendAhead(): void {
    const sender = this.host.sender();
    if (sender === undefined || sender.failed) return;
    // Closing still sends what the final commit collected.
    const state = this.host.state();
    if (state !== 'RUNNING' && state !== 'REBALANCING' && state !== 'PENDING_SHUTDOWN') return;
    for (const t of this.host.tasks.all()) if (t.task.collector.size > 0) sender.handOut(t.task.collector.drain());
    sender.pump();
  }

  /** Fires due wall-clock punctuations; a task waiting for another input partition goes on here once its wait is over. */
  punctuateWallClock(): void {
    if (this.host.state() !== 'RUNNING') return;
    for (const t of this.host.tasks.all()) {
      if (t.task.bufferedRecords > 0) this.processTask(t);
      if (t.task.punctuateWallClock()) this.#uncommitted = true;
    }
    this.sendAhead();
  }

  async commitIfDue(): Promise<void> {
    if (this.host.scheduler.now() - this.#lastCommit < this.host.commitIntervalMs) return;
    await this.commit();
  }

  /**
   * Commits every task:
   * 1. the commit interval starts again, and the task metrics are reported;
   * 2. nothing more when no task did anything since the last commit;
   * 3. waits for the previous commit still in flight (at-least-once), so commits stay in order;
   * 4. each task commits (`task.commit()`): its outputs, changelog records and input offsets;
   * 5. the committer writes them under the instance's guarantee.
   */
  async commit(): Promise<void> {
    const host = this.host;
    // 1.
    this.#lastCommit = host.scheduler.now();
    this.#reportTaskMetrics();
    // 2.
    if (!this.#uncommitted || host.tasks.size === 0) return;
    // 3.
    const committer = host.committer();
    await committer.inFlight;
    // 4.
    const collected = collectCommit(host.tasks.all(), Date.now());
    this.#uncommitted = false;
    // 5.
    await committer.commit(collected);
  }

  /** Hands each task's counts (and, at most once a second, its store sizes) to the metrics hook. */
  #reportTaskMetrics(): void {
    const hook = this.host.metrics?.taskMetrics;
    if (hook === undefined) return;
    const now = this.host.scheduler.now();
    const sampleStores = now - this.#lastStoreSample >= STORE_SAMPLE_INTERVAL_MS;
    if (sampleStores) this.#lastStoreSample = now;
    for (const t of this.host.tasks.all()) hook({ task: t.name, ...t.task.drainMetrics(sampleStores) });
  }
}
