import type { Logger } from 'pino';
import { ProductionError, type ErrorPolicy, type OutgoingRecord } from '../errors.js';
import type { ProducerPort, SendReport } from '../kafka/port.js';
import { requireAllDelivered, resolveRejectedOutputs } from './production-errors.js';

/**
 * At-least-once sends outputs as they are produced, not at the commit, so that a record's result is visible
 * within one produce round trip instead of up to a commit interval later (Kafka Streams does the same). One
 * send is in flight at a time and takes everything handed out meanwhile, which keeps each partition's order
 * and batches under load. Outputs are counted as they are handed out; a commit waits until every output
 * before it is acknowledged ({@link whenAcknowledged}) before it commits offsets past them.
 *
 * A record the producer refuses for itself goes through the production policy alone, and its dead letter is
 * acknowledged before the send counts as done. A send that fails as a whole (or a policy that says fail)
 * stops the sender: every later {@link whenAcknowledged} rejects with that failure, so no offset moves past
 * what was not delivered.
 *
 * @example
 * const sender = new AtLeastOnceSender(() => producer, policies.production, logger);
 * sender.handOut(task.collector.drain());
 * sender.pump();
 * await sender.whenAcknowledged(sender.handedOut);
 */
export class AtLeastOnceSender {
  #sending: Promise<void> | undefined;
  #failure: unknown;
  /** Outputs handed out and not yet taken by a send. */
  #held: OutgoingRecord[] = [];
  #handedOut = 0;
  #acknowledged = 0;
  #waiters: { readonly upTo: number; readonly resolve: () => void; readonly reject: (error: unknown) => void }[] = [];

  constructor(
    private readonly producer: () => ProducerPort | undefined,
    private readonly policy: ErrorPolicy,
    private readonly logger: Logger,
  ) {}

  /** Outputs handed out since start (a commit waits for the acknowledgement of this many). */
  get handedOut(): number {
    return this.#handedOut;
  }

  /** True once a send failed for good: nothing more is sent. */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /** Queues outputs for the next send, in order. */
  handOut(records: readonly OutgoingRecord[]): void {
    if (records.length === 0) return;
    for (const r of records) this.#held.push(r);
    this.#handedOut += records.length;
  }

  /** Starts a send of everything queued, unless one is in flight (it starts the next when it is done). */
  pump(): void {
    const producer = this.producer();
    if (this.#sending !== undefined || this.#failure !== undefined || producer === undefined || this.#held.length === 0) return;
    const records = this.#held;
    this.#held = [];
    // Everything handed out so far is in this send or an earlier one.
    const covered = this.#handedOut;
    this.#sending = this.#send(producer, records).then(
      () => {
        this.#sending = undefined;
        this.#acknowledged = covered;
        this.#wake();
        this.pump();
      },
      (error: unknown) => {
        this.#sending = undefined;
        this.#failure = error;
        this.#wake();
      },
    );
  }

  /**
   * Resolves once the first `upTo` outputs handed out are acknowledged (sends complete in order); rejects with
   * the failure that stopped the sender.
   */
  whenAcknowledged(upTo: number): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#acknowledged >= upTo) return Promise.resolve();
    return new Promise((resolve, reject) => this.#waiters.push({ upTo, resolve, reject }));
  }

  #wake(): void {
    const failure = this.#failure;
    this.#waiters = this.#waiters.filter((waiter) => {
      if (failure !== undefined) waiter.reject(failure);
      else if (this.#acknowledged >= waiter.upTo) waiter.resolve();
      else return true;
      return false;
    });
  }

  /**
   * One send. A send that fails as a whole is not the records' fault and no policy can drop them: the
   * instance stops, and the input after the last commit is processed again by the next owner.
   */
  async #send(producer: ProducerPort, records: readonly OutgoingRecord[]): Promise<void> {
    let report: SendReport;
    try {
      report = await producer.send(records);
    } catch (error) {
      throw new ProductionError(`cannot produce ${records.length} records: ${error instanceof Error ? error.message : String(error)}`, { topic: records[0]?.topic ?? '-', cause: error, retriable: true });
    }
    if (report.rejected.length === 0) return;
    const deadLetters = resolveRejectedOutputs(report, this.policy, this.logger);
    if (deadLetters.length > 0) requireAllDelivered(await producer.send(deadLetters), 'dead-letter');
  }
}
