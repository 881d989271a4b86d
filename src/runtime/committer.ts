import type { Logger } from 'pino';
import { StreamsError, asStreamsError, type ErrorPolicy, type OutgoingRecord } from '../errors.js';
import type { ConsumerPort, GroupMetadata, ProducerPort, TopicPartitionOffset } from '../kafka/port.js';
import type { TransactionFailedError } from '../kafka/transaction-errors.js';
import type { AtLeastOnceSender } from './at-least-once-sender.js';
import { commitTransaction } from './exactly-once-transaction.js';
import { requireAllDelivered } from './production-errors.js';
import { CHANGELOG_OFFSETS_HEADER, type CommitInfo } from './streams-config.js';
import type { RunningTask, TaskManager } from './task-manager.js';

/** What the tasks hand over at one commit, gathered over all tasks of the instance. */
export interface CollectedCommit {
  readonly records: readonly OutgoingRecord[];
  /** Changelog records, each with the input offsets of its task in the {@link CHANGELOG_OFFSETS_HEADER}. */
  readonly changelog: readonly OutgoingRecord[];
  readonly offsets: readonly TopicPartitionOffset[];
  /** Wall-clock start of the commit (Date.now()), for the reported duration. */
  readonly started: number;
}

/**
 * Commits each task (`task.commit()`) and gathers the results. A changelog record carries its task's input
 * offsets, so that a restore knows which input the store already holds and skips it.
 */
export function collectCommit(tasks: Iterable<RunningTask>, started: number): CollectedCommit {
  const records: OutgoingRecord[] = [];
  const changelog: OutgoingRecord[] = [];
  const offsets: TopicPartitionOffset[] = [];
  for (const t of tasks) {
    const result = t.task.commit();
    records.push(...result.records);
    offsets.push(...result.offsets);
    if (result.changelog.length > 0) {
      const header = JSON.stringify(result.offsets.map((o) => [o.topic, o.partition, o.offset]));
      for (const c of result.changelog) changelog.push({ ...c, headers: { ...c.headers, [CHANGELOG_OFFSETS_HEADER]: header } });
    }
  }
  return { records, changelog, offsets, started };
}

/**
 * Writes one collected commit to Kafka under the instance's guarantee. The stream loop collects, the
 * committer delivers: the two guarantees differ only here.
 */
export interface Committer {
  /** A commit still delivering after `commit()` returned (at-least-once); the next commit, a rebalance and closing wait for it. */
  readonly inFlight: Promise<void> | undefined;
  commit(collected: CollectedCommit): Promise<void>;
}

/** What a committer needs of the instance it commits for. */
export interface CommitterHost {
  readonly logger: Logger;
  readonly tasks: TaskManager;
  producer(): ProducerPort;
  consumer(): ConsumerPort;
  /** Reports a commit done (event, metrics, repartition purge). */
  committed(info: CommitInfo, offsets: readonly TopicPartitionOffset[]): void;
  /** Stops the instance on a failure of a commit that finished in the background. */
  fail(error: StreamsError): void;
  /** Whether the instance is closing or stopped, when a failed background commit is only logged. */
  stopping(): boolean;
  /** Hands what the tasks produced to the sender (at-least-once). */
  sendAhead(): void;
}

/**
 * At-least-once: the outputs already go out as they are produced (see AtLeastOnceSender); a commit
 * 1. hands the outputs of the commit to the sender and notes how many were handed out up to here,
 * 2. returns at once when there is nothing to commit,
 * 3. in the background: waits until those outputs are acknowledged, sends the changelog records, then
 *    commits the offsets, and reports the commit.
 * Tasks go on processing during step 3; the next commit waits for it (`inFlight`), so commits stay in order.
 */
export class AtLeastOnceCommitter implements Committer {
  /** Outputs handed out at the previous commit (the commit reports the outputs since). */
  #handedOutAtCommit = 0;
  #committing: Promise<void> | undefined;

  constructor(
    private readonly host: CommitterHost,
    private readonly sender: AtLeastOnceSender,
  ) {}

  get inFlight(): Promise<void> | undefined {
    return this.#committing;
  }

  async commit({ records, changelog, offsets, started }: CollectedCommit): Promise<void> {
    const host = this.host;
    const producer = host.producer();
    // 1.
    this.sender.handOut(records);
    const upTo = this.sender.handedOut;
    const outputs = upTo - this.#handedOutAtCommit;
    this.#handedOutAtCommit = upTo;
    // 2.
    if (outputs === 0 && changelog.length === 0 && offsets.length === 0) return;
    host.sendAhead();
    // 3.
    const committing: Promise<void> = this.#finish(producer, upTo, changelog, offsets)
      .then(() => host.committed({ records: outputs, changelogRecords: changelog.length, offsets: offsets.length, durationMs: Date.now() - started, transactional: false }, offsets))
      .catch((error: unknown) => {
        if (host.stopping()) {
          host.logger.warn({ err: error }, 'commit failed while closing; uncommitted work will be redone by the next owner');
        } else host.fail(asStreamsError(error, (message, cause) => new StreamsError(`commit failed: ${message}`, { cause })));
      })
      .finally(() => {
        if (this.#committing === committing) this.#committing = undefined;
      });
    this.#committing = committing;
  }

  /** Once the outputs before the commit are acknowledged, sends the changelog, then commits the offsets. */
  async #finish(producer: ProducerPort, upTo: number, changelog: readonly OutgoingRecord[], offsets: readonly TopicPartitionOffset[]): Promise<void> {
    await this.sender.whenAcknowledged(upTo);
    requireAllDelivered(await producer.send(changelog), 'changelog');
    try {
      await this.host.consumer().commit(offsets);
      this.host.tasks.noteCommitted(offsets);
    } catch (error) {
      // A rebalance took the partitions: the next owner re-reads from the last committed offsets and the
      // changelog headers keep it from applying twice what the store already holds.
      this.host.logger.warn({ err: error }, 'offset commit failed; records since the last commit will be processed again');
    }
  }
}

/** What the exactly-once committer needs beyond the common host. */
export interface ExactlyOnceHost extends CommitterHost {
  readonly groupId: string;
  readonly transactionalId: string;
  readonly policy: ErrorPolicy;
  /** The group generation the current tasks were assigned in; their transactional offsets go with it. */
  groupMetadata(): GroupMetadata | undefined;
  /** Rebuilds the tasks after an aborted, recoverable transaction. */
  recover(failure: TransactionFailedError): Promise<void>;
  /** Whether close() began; a failed transaction then stops the shutdown's commit instead of recovering. */
  pendingShutdown(): boolean;
}

/**
 * Exactly-once: a commit
 * 1. returns at once when there is nothing to commit,
 * 2. writes outputs, changelog records and offsets in one transaction (see commitTransaction),
 * 3. on a failure: throws a fatal one (or any while closing), recovers from another and stops there,
 * 4. notes the committed offsets and reports the commit.
 */
export class ExactlyOnceCommitter implements Committer {
  readonly inFlight = undefined;

  constructor(private readonly host: ExactlyOnceHost) {}

  async commit({ records, changelog, offsets, started }: CollectedCommit): Promise<void> {
    const host = this.host;
    // 1.
    if (records.length === 0 && changelog.length === 0 && offsets.length === 0) return;
    // 2.
    const failure = await commitTransaction(
      host.producer(),
      { records, changelog, offsets, groupId: host.groupId, groupMetadata: host.groupMetadata() },
      { policy: host.policy, logger: host.logger, transactionalId: host.transactionalId },
    );
    // 3.
    if (failure !== undefined) {
      if (failure.kind === 'fatal' || host.pendingShutdown()) throw failure;
      await host.recover(failure);
      return;
    }
    // 4.
    host.tasks.noteCommitted(offsets);
    host.committed({ records: records.length, changelogRecords: changelog.length, offsets: offsets.length, durationMs: Date.now() - started, transactional: true }, offsets);
  }
}
