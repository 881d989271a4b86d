import type { Logger } from 'pino';
import type { AdminPort, ConsumerPort } from '../kafka/port.js';
import type { TransactionFailedError } from '../kafka/transaction-errors.js';
import type { Assignments } from './assignments.js';
import type { PartitionPauser } from './partition-pauser.js';
import { RecoveryBudget } from './recovery-budget.js';
import type { StreamLoop } from './stream-loop.js';
import type { RecoveryInfo, StreamsState } from './streams-config.js';
import { tpKey, type TaskManager } from './task-manager.js';

/** What a recovery needs of the instance it recovers; the instance keeps owning its clients and state. */
export interface TransactionRecoveryHost {
  readonly logger: Logger;
  readonly transactionalId: string;
  readonly groupId: string;
  readonly maxAttempts: number;
  readonly windowMs: number;
  readonly tasks: TaskManager;
  readonly pauser: PartitionPauser;
  readonly loop: StreamLoop;
  readonly assignments: Assignments;
  admin(): AdminPort;
  consumer(): ConsumerPort;
  state(): StreamsState;
  setState(next: StreamsState): void;
  /** Closes the failed producer and opens a new one with the same transactional id (which fences a zombie). */
  replaceProducer(): Promise<void>;
  /** The task ids before the recovery, for the log and the event. */
  taskIds(): string[];
  recovered(info: RecoveryInfo): void;
}

/**
 * Recovers an instance from an aborted transaction as Kafka Streams does from a corrupted or migrated task:
 * closes every task dirty (its uncommitted state is dropped), re-creates the producer (its InitProducerId also
 * fences a zombie transaction of ours), rewinds the input to the committed offsets and rebuilds the tasks from
 * their changelogs (read_committed). Gives up (throws a fatal error) when the recovery budget is spent, e.g.
 * when another live instance keeps fencing this one with the same transactional id.
 *
 * @example
 * const recovery = new TransactionRecovery(host);
 * await recovery.recover(failure); // the instance is REBALANCING until its tasks are restored again
 */
export class TransactionRecovery {
  readonly #host: TransactionRecoveryHost;
  readonly #budget: RecoveryBudget;

  constructor(host: TransactionRecoveryHost) {
    this.#host = host;
    this.#budget = new RecoveryBudget(host.maxAttempts, host.windowMs, host.transactionalId);
  }

  async recover(failure: TransactionFailedError): Promise<void> {
    const host = this.#host;
    const attempt = this.#budget.admit(failure);
    const generation = host.assignments.generation;
    const tasks = host.taskIds();
    host.logger.warn({ err: failure, kind: failure.kind, attempt, tasks }, `transaction failed; recovering (attempt ${attempt} of ${this.#budget.maxAttempts})`);
    host.setState('REBALANCING');
    host.tasks.closeAll();
    host.pauser.resumeAll();
    host.loop.uncommitted = false;
    await host.replaceProducer();
    const assigned = host.assignments.assigned;
    const committed = await host.admin().committedOffsets(host.groupId, [...new Set(assigned.map((tp) => tp.topic))]);
    // A rebalance while the producer was re-created: the new assignment rebuilds the tasks itself.
    if (generation !== host.assignments.generation || host.state() !== 'REBALANCING') return;
    const next = new Map(committed.map((o) => [tpKey(o.topic, o.partition), o.offset]));
    host.consumer().seek(assigned.map((tp) => ({ topic: tp.topic, partition: tp.partition, offset: next.get(tpKey(tp.topic, tp.partition)) ?? 'earliest' })));
    await host.assignments.createTasks(assigned, generation, next);
    const info: RecoveryInfo = { kind: failure.kind, reason: failure.message, tasks, attempt };
    host.logger.warn(info, `recovered from a failed transaction: ${tasks.length} tasks rebuilt, input rewound to the committed offsets`);
    host.recovered(info);
  }
}
