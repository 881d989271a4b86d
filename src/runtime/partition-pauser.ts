import type { Logger } from 'pino';
import type { ConsumerPort, TopicPartition } from '../kafka/port.js';
import { MAX_BUFFERED_RECORDS_PER_PARTITION } from './streams-config.js';
import type { Task } from './task.js';

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * Pauses the fetching of a partition whose task holds {@link MAX_BUFFERED_RECORDS_PER_PARTITION} of its
 * records unprocessed (the task waits for another input), and resumes it once the task worked them off, as
 * Kafka Streams' `buffered.records.per.partition`. Only a partition with buffered records is paused, and a
 * task only ever waits for a partition with none: a paused partition is never the one its task waits for.
 *
 * @example
 * const pauser = new PartitionPauser(() => consumer, logger);
 * pauser.pauseIfFull(task, 'clicks', 0);
 * pauser.resumeWorkedOff(task);
 */
export class PartitionPauser {
  readonly #paused = new Map<string, { readonly tp: TopicPartition; readonly task: Task }>();

  constructor(
    private readonly consumer: () => ConsumerPort | undefined,
    private readonly logger: Logger,
  ) {}

  /** Pauses `topic`-`partition` if its task buffers too many of its records. */
  pauseIfFull(task: Task, topic: string, partition: number): void {
    const key = tpKey(topic, partition);
    if (task.bufferedRecordsOf(topic, partition) < MAX_BUFFERED_RECORDS_PER_PARTITION || this.#paused.has(key)) return;
    const tp = { topic, partition };
    this.#paused.set(key, { tp, task });
    this.consumer()?.pause([tp]);
    this.logger.debug({ task: task.id, topic, partition }, 'partition paused: its task waits for another input');
  }

  /** Resumes the paused partitions of `task` that it worked off. */
  resumeWorkedOff(task: Task): void {
    if (this.#paused.size === 0) return;
    const resumed: TopicPartition[] = [];
    for (const [key, paused] of this.#paused) {
      if (paused.task !== task || task.bufferedRecordsOf(paused.tp.topic, paused.tp.partition) >= MAX_BUFFERED_RECORDS_PER_PARTITION) continue;
      this.#paused.delete(key);
      resumed.push(paused.tp);
    }
    if (resumed.length > 0) this.consumer()?.resume(resumed);
  }

  /** New or rebuilt tasks start with nothing buffered: every paused partition is fetched again. */
  resumeAll(): void {
    if (this.#paused.size === 0) return;
    const all = [...this.#paused.values()].map((p) => p.tp);
    this.#paused.clear();
    try {
      this.consumer()?.resume(all);
    } catch (error) {
      this.logger.warn({ err: error }, 'cannot resume paused partitions');
    }
  }
}
