import type { Logger } from 'pino';
import type { SchedulerLike } from 'rxjs';
import type { ErrorPolicies } from '../errors.js';
import type { Topology } from '../graph/topology.js';
import type { AdminPort, TopicPartition, TopicPartitionOffset } from '../kafka/port.js';
import type { RecordCache } from '../state/record-cache.js';
import type { StateStore } from '../state/state-store.js';
import { taskOf, type SubtopologyTopics } from './copartition-assignor.js';
import { taskIdToString, type TaskId } from '../processor/processor.js';
import { Task } from './task.js';
import type { TaskStorage } from './task-types.js';

/** A task of this instance and what the runtime knows of its input partitions (keys: `topic\u0000partition`). */
export interface RunningTask {
  readonly task: Task;
  readonly name: string;
  /** Input positions (next offset) recovered from the changelog headers: records below are already applied. */
  readonly appliedUpTo: Map<string, number>;
  /** Next offset to process per input partition (-1 until the first record). */
  readonly position: Map<string, number>;
  /**
   * The group's committed offset per input partition as this instance last knew it: read at assignment, then
   * set by each commit of its own. A later assignment keeps the task only if the group's offsets are still
   * these, i.e. no other instance committed work on its partitions in between.
   */
  readonly committed: Map<string, number>;
}

export const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export interface TaskManagerOptions {
  readonly topology: Topology;
  readonly applicationId: string;
  readonly scheduler: SchedulerLike;
  readonly policies: ErrorPolicies;
  readonly logger: Logger;
  readonly cache: RecordCache;
  readonly maxTaskIdleMs: number;
  /** State directory, default store type and lock owner of the tasks' stores. */
  readonly storage?: TaskStorage;
  /** The sub-topologies and their input topics, known once the internal topics are planned. */
  readonly subtopologies: () => readonly SubtopologyTopics[];
  /** The global stores, known once the global tables are loaded. */
  readonly globalStores: () => ReadonlyMap<string, StateStore> | undefined;
  /** Partition count of a topic the tasks write to (full name), for StreamPartitioners; undefined = unknown. */
  readonly partitionCount?: (topic: string) => number | undefined;
}

/**
 * The tasks of one instance (Kafka Streams' `TaskManager`): which task an input partition belongs to, which
 * tasks an assignment keeps (with their state) and which it closes, and building the new ones. Restoring
 * them and the lifecycle around it are the runtime's.
 *
 * @example
 * const tasks = new TaskManager(options);
 * const { kept, dropped } = tasks.retain(partitions, true, committed);
 * const created = tasks.build(partitions, committed);
 * // restore `created` from their changelogs, then:
 * tasks.activate(created);
 */
export class TaskManager {
  readonly #tasks = new Map<string, RunningTask>();
  readonly #byPartition = new Map<string, RunningTask>();

  constructor(private readonly options: TaskManagerOptions) {}

  /** Names of the running tasks, e.g. `0_1`, sorted. */
  get ids(): string[] {
    return [...this.#tasks.keys()].sort();
  }

  get size(): number {
    return this.#tasks.size;
  }

  all(): IterableIterator<RunningTask> {
    return this.#tasks.values();
  }

  /** The running task that reads `topic`-`partition`. */
  taskFor(topic: string, partition: number): RunningTask | undefined {
    return this.#byPartition.get(tpKey(topic, partition));
  }

  /** The tasks (by name) that `partitions` belong to. */
  taskIdsOf(partitions: readonly TopicPartition[]): Map<string, TaskId> {
    const ids = new Map<string, TaskId>();
    for (const tp of partitions) {
      const id = taskOf(this.options.subtopologies(), tp);
      if (id !== undefined) ids.set(taskIdToString(id), id);
    }
    return ids;
  }

  /**
   * Keeps the running tasks that the assignment of `partitions` still gives this instance, provided the
   * member was continuous (took part in every generation since) and the group's committed offsets of the
   * task's partitions are the ones it last knew; closes the others.
   */
  retain(partitions: readonly TopicPartition[], continuous: boolean, committed: ReadonlyMap<string, number> | undefined): { kept: string[]; dropped: string[] } {
    const wanted = this.taskIdsOf(partitions);
    const kept: string[] = [];
    const dropped: string[] = [];
    for (const [name, running] of [...this.#tasks]) {
      if (wanted.has(name) && continuous && committed !== undefined && committedAsKnown(running, committed)) {
        kept.push(name);
        continue;
      }
      dropped.push(name);
      this.close(running);
    }
    return { kept, dropped };
  }

  /**
   * Builds the tasks of `partitions` this instance does not run yet (not yet routed to: restore them, then
   * {@link activate}). `committed` holds the group's committed offsets as read for this assignment.
   */
  build(partitions: readonly TopicPartition[], committed: ReadonlyMap<string, number> | undefined): RunningTask[] {
    const ids = this.taskIdsOf(partitions);
    this.options.logger.info({ tasks: [...ids.keys()].sort(), partitions: partitions.length }, 'assignment received');
    const created: RunningTask[] = [];
    for (const [name, id] of [...ids].sort()) {
      if (this.#tasks.has(name)) continue;
      const task = new Task({
        id,
        topology: this.options.topology,
        applicationId: this.options.applicationId,
        scheduler: this.options.scheduler,
        errorPolicies: this.options.policies,
        logger: this.options.logger,
        globalStores: this.options.globalStores(),
        maxTaskIdleMs: this.options.maxTaskIdleMs,
        cache: this.options.cache,
        ...(this.options.storage === undefined ? {} : { storage: this.options.storage }),
        ...(this.options.partitionCount === undefined ? {} : { partitionCount: this.options.partitionCount }),
      });
      const known = new Map<string, number>();
      for (const topic of task.inputTopics) {
        const offset = committed?.get(tpKey(topic, id.partition));
        if (offset !== undefined) known.set(tpKey(topic, id.partition), offset);
      }
      created.push({ task, name, appliedUpTo: new Map(), position: new Map(), committed: known });
    }
    return created;
  }

  /** Starts restored tasks and routes their input partitions to them. */
  activate(created: readonly RunningTask[]): void {
    for (const running of created) {
      running.task.initialize();
      this.#tasks.set(running.name, running);
      for (const topic of running.task.inputTopics) this.#byPartition.set(tpKey(topic, running.task.id.partition), running);
    }
  }

  /** Closes a task (its uncommitted state is dropped) and stops routing its partitions. */
  close(running: RunningTask): void {
    try {
      running.task.close();
    } catch (error) {
      this.options.logger.warn({ err: error, task: running.name }, 'task close failed');
    }
    this.#tasks.delete(running.name);
    for (const topic of running.task.inputTopics) {
      const key = tpKey(topic, running.task.id.partition);
      if (this.#byPartition.get(key) === running) this.#byPartition.delete(key);
    }
  }

  closeAll(): void {
    for (const t of [...this.#tasks.values()]) this.close(t);
  }

  /** Remembers the offsets this instance committed, per task (see {@link RunningTask.committed}). */
  noteCommitted(offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets) this.#byPartition.get(tpKey(o.topic, o.partition))?.committed.set(tpKey(o.topic, o.partition), o.offset);
  }

  /**
   * Gives each task the lag of its input partitions at assignment (high watermark minus the committed
   * offset, or minus the log start without a commit), so a partition that is empty on the broker does not
   * hold its task back until the wait on an unknown lag runs out: the client reports no empty fetch.
   */
  async noteInitialLags(admin: AdminPort, tasks: readonly RunningTask[], partitions: readonly TopicPartition[], committed: ReadonlyMap<string, number> | undefined): Promise<void> {
    if (this.options.maxTaskIdleMs < 0 || tasks.every((t) => t.task.inputTopics.length < 2)) return;
    if (committed === undefined) {
      this.options.logger.warn('no committed offsets at assignment; tasks wait for the first fetch of each partition (bounded)');
      return;
    }
    const topics = [...new Set(partitions.map((tp) => tp.topic))];
    try {
      const ends = new Map<string, { low: number; high: number }>();
      for (const topic of topics) for (const o of await admin.offsets(topic)) ends.set(tpKey(topic, o.partition), o);
      for (const running of tasks) {
        for (const topic of running.task.inputTopics) {
          const key = tpKey(topic, running.task.id.partition);
          const end = ends.get(key);
          if (end === undefined) continue;
          running.task.updateFetchPosition(topic, running.task.id.partition, Math.max(committed.get(key) ?? end.low, end.low), end.high);
        }
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'cannot read the input lags at assignment; tasks wait for the first fetch of each partition (bounded)');
    }
  }
}

/** True when the group's committed offsets of the task's input partitions are the ones it last knew. */
function committedAsKnown(running: RunningTask, committed: ReadonlyMap<string, number>): boolean {
  for (const topic of running.task.inputTopics) {
    const key = tpKey(topic, running.task.id.partition);
    if (committed.get(key) !== running.committed.get(key)) return false;
  }
  return true;
}
