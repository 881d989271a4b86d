import type { SchedulerLike } from 'rxjs';
import type { Record } from '../processor/record.js';
import type { ProcessorNode } from './processor-node.js';
import type { CommitOffset, InputRecord } from './task-types.js';

/** A deserialized input record waiting in its partition's queue, with the source node it enters at. */
export interface PendingRecord {
  readonly record: Record<unknown, unknown>;
  readonly raw: InputRecord;
  readonly source: ProcessorNode;
}

/** One input partition of a task: its buffered records and what the task knows of its position. */
export interface PartitionQueue {
  readonly topic: string;
  readonly partition: number;
  readonly records: PendingRecord[];
  head: number;
  /** Max timestamp extracted from this partition so far (-1 before the first). */
  partitionTime: number;
  /** Offset to commit (last consumed + 1), or -1 when nothing was consumed since the last commit. */
  commitOffset: number;
  /** High watermark minus the fetch position, as last reported; undefined while unknown. */
  fetchedLag: number | undefined;
  /** Wall-clock time after which an empty queue stops holding processing back; set when the wait starts. */
  idleDeadline: number | undefined;
}

/**
 * The input queues of one task (Kafka Streams' PartitionGroup): which partition's head is processed next
 * (smallest timestamp), whether the task must wait for an empty partition first (`max.task.idle.ms`), and
 * the offsets to commit. Kept apart from the task so the choice and the wait can be read on their own.
 */
export class PartitionQueues {
  /** Input queues by topic, then partition: no per-record string keys on the hot path. */
  readonly #byTopic = new Map<string, Map<number, PartitionQueue>>();
  readonly #queues: PartitionQueue[] = [];
  #enforcedProcessing = 0;

  constructor(
    readonly scheduler: SchedulerLike,
    readonly maxTaskIdleMs: number,
    readonly maxLagWaitMs: number,
  ) {}

  /** The queue of an input partition, created empty on first use. */
  queueFor(topic: string, partition: number): PartitionQueue {
    let byPartition = this.#byTopic.get(topic);
    if (byPartition === undefined) this.#byTopic.set(topic, (byPartition = new Map()));
    let queue = byPartition.get(partition);
    if (queue === undefined) {
      queue = { topic, partition, records: [], head: 0, partitionTime: -1, commitOffset: -1, fetchedLag: undefined, idleDeadline: undefined };
      byPartition.set(partition, queue);
      this.#queues.push(queue);
    }
    return queue;
  }

  /** Records buffered and not yet processed. */
  get buffered(): number {
    let n = 0;
    for (const q of this.#queues) n += q.records.length - q.head;
    return n;
  }

  /** Records buffered and not yet processed for one input partition. */
  bufferedOf(topic: string, partition: number): number {
    const queue = this.#byTopic.get(topic)?.get(partition);
    return queue === undefined ? 0 : queue.records.length - queue.head;
  }

  /** How often processing went ahead although a partition's wait was not satisfied (time-out of the wait). */
  get enforcedProcessing(): number {
    return this.#enforcedProcessing;
  }

  /** Buffers a deserialized record; the partition stops being waited for. */
  push(queue: PartitionQueue, pending: PendingRecord): void {
    if (pending.record.timestamp > queue.partitionTime) queue.partitionTime = pending.record.timestamp;
    queue.records.push(pending);
    queue.idleDeadline = undefined;
  }

  /** See {@link Task.updateFetchPosition}. */
  updateFetchPosition(topic: string, partition: number, position: number, highWatermark: number): void {
    const queue = this.queueFor(topic, partition);
    const lag = Math.max(0, highWatermark - position);
    // The kind of wait changes (data on the broker vs. caught up): its deadline starts again, as in Kafka Streams.
    if (queue.fetchedLag === undefined || (queue.fetchedLag > 0) !== (lag > 0)) queue.idleDeadline = undefined;
    queue.fetchedLag = lag;
  }

  /**
   * Takes the buffered record with the smallest timestamp across the partitions, or returns undefined when
   * nothing is buffered or the task must wait for an input partition.
   */
  take(): { readonly queue: PartitionQueue; readonly pending: PendingRecord } | undefined {
    let chosen: PartitionQueue | undefined;
    let chosenTs = Infinity;
    const queues = this.#queues;
    for (let i = 0; i < queues.length; i++) {
      const queue = queues[i]!;
      if (queue.head < queue.records.length) {
        const ts = queue.records[queue.head]!.record.timestamp;
        if (chosen === undefined || ts < chosenTs) {
          chosen = queue;
          chosenTs = ts;
        }
      }
    }
    // Only a task with something buffered starts waiting (as Kafka Streams' StreamTask.isProcessable).
    if (chosen === undefined || (this.maxTaskIdleMs >= 0 && !this.#readyToProcess())) return undefined;
    const pending = chosen.records[chosen.head]!;
    chosen.records[chosen.head++] = undefined as never;
    if (chosen.head === chosen.records.length) {
      chosen.records.length = 0;
      chosen.head = 0;
    }
    return { queue: chosen, pending };
  }

  /**
   * Kafka Streams' PartitionGroup.readyToProcess: false while an input partition has nothing buffered and
   * either has data on the broker (or an unknown lag, bounded by `maxLagWaitMs`) or is caught up and its
   * `maxTaskIdleMs` has not passed yet.
   */
  #readyToProcess(): boolean {
    if (this.maxTaskIdleMs < 0) return true;
    let now: number | undefined;
    let enforced = false;
    const queues = this.#queues;
    for (let i = 0; i < queues.length; i++) {
      const queue = queues[i]!;
      if (queue.head < queue.records.length) continue;
      const lagging = queue.fetchedLag === undefined || queue.fetchedLag > 0;
      now ??= this.scheduler.now();
      queue.idleDeadline ??= now + (lagging ? Math.max(this.maxLagWaitMs, this.maxTaskIdleMs) : this.maxTaskIdleMs);
      if (now < queue.idleDeadline) return false;
      if (lagging || this.maxTaskIdleMs > 0) enforced = true;
    }
    if (enforced) this.#enforcedProcessing++;
    return true;
  }

  /** The offsets consumed since the last call, one per partition that moved; they are forgotten here. */
  drainCommitOffsets(): CommitOffset[] {
    const offsets: CommitOffset[] = [];
    for (const queue of this.#queues) {
      if (queue.commitOffset < 0) continue;
      offsets.push({ topic: queue.topic, partition: queue.partition, offset: queue.commitOffset });
      queue.commitOffset = -1;
    }
    return offsets;
  }
}
