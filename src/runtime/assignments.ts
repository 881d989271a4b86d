import type { Logger } from 'pino';
import type { AdminPort, GroupMetadata, TopicPartition } from '../kafka/port.js';
import type { Committer } from './committer.js';
import type { PartitionPauser } from './partition-pauser.js';
import type { StreamLoop } from './stream-loop.js';
import type { StreamsMetricsHooks, StreamsState } from './streams-config.js';
import { tpKey, type RunningTask, type TaskManager } from './task-manager.js';

/** What an assignment needs of the instance; the getters are read per call, as they change over a run. */
export interface AssignmentsHost {
  readonly applicationId: string;
  readonly tasks: TaskManager;
  readonly pauser: PartitionPauser;
  readonly loop: StreamLoop;
  readonly logger: Logger;
  readonly metrics: StreamsMetricsHooks | undefined;
  state(): StreamsState;
  setState(next: StreamsState): void;
  admin(): AdminPort;
  committer(): Committer | undefined;
  /** Restores the stores of new tasks from their changelogs. */
  restore(tasks: readonly RunningTask[]): Promise<void>;
}

/**
 * The group's assignments to this instance: which generation is current (work for an older one is dropped),
 * which tasks an assignment keeps, and building, restoring and starting the others. Kept apart from the
 * facade so the rules of a rebalance read in one place.
 */
export class Assignments {
  #generation = 0;
  /** The group generation the current tasks were assigned in; their transactional offsets go with it. */
  #groupMetadata: GroupMetadata | undefined;
  /** Partitions of the current assignment. */
  #assigned: readonly TopicPartition[] = [];

  constructor(private readonly host: AssignmentsHost) {}

  /** The current assignment's number; each new assignment increments it. */
  get generation(): number {
    return this.#generation;
  }

  get groupMetadata(): GroupMetadata | undefined {
    return this.#groupMetadata;
  }

  get assigned(): readonly TopicPartition[] {
    return this.#assigned;
  }

  /** Numbers a new assignment as it arrives, before its work is queued. */
  next(): number {
    return ++this.#generation;
  }

  /**
   * A new assignment. A task this instance keeps goes on with its state, as Kafka Streams keeps a task that
   * stays through a rebalance, provided no other instance committed work on its partitions meanwhile (its
   * committed offsets are still the ones it knows; else it is rebuilt). Its uncommitted work stays too: the
   * consumer re-reads its partitions from the committed offsets and the task skips what it already
   * processed (its position), so nothing is applied twice and the next commit covers that work. Other
   * tasks are closed, new ones are built and restored from their changelogs.
   */
  async onAssigned(partitions: readonly TopicPartition[], generation: number, groupMetadata: GroupMetadata | undefined): Promise<void> {
    const host = this.host;
    if (host.state() === 'PENDING_SHUTDOWN' || generation !== this.#generation) return;
    // A member that took part in every generation since the last assignment (same member id, next
    // generation) is the only one that can have owned its tasks meanwhile. A gap means it was expelled, or
    // missed a generation, and another member may have had the tasks: then none is kept.
    const previous = this.#groupMetadata;
    const continuous = previous === undefined || groupMetadata === undefined || (groupMetadata.memberId === previous.memberId && groupMetadata.generationId === previous.generationId + 1);
    this.#groupMetadata = groupMetadata;
    host.setState('REBALANCING');
    // The offsets of a commit in flight decide which tasks are kept.
    await host.committer()?.inFlight;
    host.pauser.resumeAll();
    this.#assigned = partitions;
    const committed = await this.#committedOffsets(partitions);
    if (generation !== this.#generation || host.state() !== 'REBALANCING') return;
    const { kept, dropped } = host.tasks.retain(partitions, continuous, committed);
    // A kept task may hold work to commit; a commit with nothing in it costs nothing.
    host.loop.uncommitted = kept.length > 0;
    if (kept.length > 0 || dropped.length > 0) host.logger.info({ kept, dropped, continuous, generation: groupMetadata?.generationId }, `rebalance: ${kept.length} tasks kept with their state, ${dropped.length} closed`);
    await this.createTasks(partitions, generation, committed);
  }

  /** The group's committed offsets of `partitions` (key: tpKey), or undefined when they cannot be read. */
  async #committedOffsets(partitions: readonly TopicPartition[]): Promise<Map<string, number> | undefined> {
    try {
      const offsets = await this.host.admin().committedOffsets(this.host.applicationId, [...new Set(partitions.map((tp) => tp.topic))]);
      return new Map(offsets.map((o) => [tpKey(o.topic, o.partition), o.offset]));
    } catch (error) {
      this.host.logger.warn({ err: error }, 'cannot read the committed offsets at assignment; every task is rebuilt from its changelogs');
      return undefined;
    }
  }

  /**
   * Builds the tasks of `partitions` this instance does not run yet, restores their stores and starts them
   * (state RUNNING). `committed` holds the group's committed offsets as read for this assignment (undefined
   * when they could not be read).
   */
  async createTasks(partitions: readonly TopicPartition[], generation: number, committed: ReadonlyMap<string, number> | undefined): Promise<void> {
    const host = this.host;
    const created = host.tasks.build(partitions, committed);
    await host.restore(created);
    await host.tasks.noteInitialLags(host.admin(), created, partitions, committed);
    if (generation !== this.#generation || host.state() !== 'REBALANCING') {
      for (const t of created) t.task.close();
      return;
    }
    host.tasks.activate(created);
    host.metrics?.tasksAssigned?.(host.tasks.ids, partitions);
    host.setState('RUNNING');
  }
}
