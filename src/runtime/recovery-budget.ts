import { TransactionFailedError } from '../kafka/transaction-errors.js';

/**
 * How many recoveries from failed exactly-once transactions an instance makes before it gives up: more than
 * `maxAttempts` within `windowMs` (say, another live instance keeps fencing this one with the same
 * transactional id) is fatal. Recoveries from migrated tasks (the group moved on while this instance
 * stalled) are not counted: losing tasks to a rebalance is not a failure to give up on.
 *
 * @example
 * const budget = new RecoveryBudget(3, 60_000, 'app-instance-1');
 * const attempt = budget.admit(failure); // throws a fatal TransactionFailedError once spent
 */
export class RecoveryBudget {
  #recoveries: number[] = [];

  constructor(
    readonly maxAttempts: number,
    readonly windowMs: number,
    private readonly transactionalId: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a recovery from `failure` and returns its attempt number; throws when the budget is spent. */
  admit(failure: TransactionFailedError): number {
    const now = this.now();
    this.#recoveries = this.#recoveries.filter((t) => now - t < this.windowMs);
    const counted = failure.kind !== 'migrated';
    if (counted && this.#recoveries.length >= this.maxAttempts) {
      throw new TransactionFailedError(
        `${failure.message}; giving up after ${this.maxAttempts} recoveries within ${this.windowMs} ms${failure.kind === 'fenced' ? ` (is another instance running with transactional id ${this.transactionalId}?)` : ''}`,
        { transactionalId: this.transactionalId, kind: 'fatal', cause: failure },
      );
    }
    if (counted) this.#recoveries.push(now);
    return this.#recoveries.length + (counted ? 0 : 1);
  }
}
