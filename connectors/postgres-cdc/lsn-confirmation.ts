/**
 * Decides which LSN may be confirmed to PostgreSQL: the end LSN of the newest transaction such that it and every
 * transaction before it have all their events acknowledged by Kafka (and their offset stored). A transaction that is
 * still in flight holds back everything after it, so the slot never moves past an event Kafka could still lose.
 *
 * @example
 * const t = new LsnConfirmationTracker(100n);
 * const a = t.register(200n); const b = t.register(300n);
 * t.acknowledge(b);      // confirmed stays 100n: 200n is not acknowledged yet
 * t.acknowledge(a);      // confirmed becomes 300n
 */
export interface ConfirmationListener {
  (confirmedLsn: bigint): void;
}

export class LsnConfirmationTracker {
  private confirmedLsn: bigint;
  private readonly pending: { lsn: bigint; acked: boolean }[] = [];
  private readonly listeners: ConfirmationListener[] = [];
  private highestRegistered: bigint;

  constructor(initialConfirmed: bigint) {
    this.confirmedLsn = initialConfirmed;
    this.highestRegistered = initialConfirmed;
  }

  /** The LSN that is safe to report as flushed. */
  get confirmed(): bigint {
    return this.confirmedLsn;
  }

  get inFlight(): number {
    return this.pending.length;
  }

  /** Called each time the confirmed LSN advances (tests assert against Kafka's acknowledgements here). */
  onConfirmed(listener: ConfirmationListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Registers a transaction (or heartbeat position) in WAL order; returns a ticket to acknowledge. */
  register(endLsn: bigint): object {
    if (endLsn < this.highestRegistered) {
      throw new RangeError(`LSN ${endLsn} registered after ${this.highestRegistered}: positions must not go backwards`);
    }
    this.highestRegistered = endLsn;
    const entry = { lsn: endLsn, acked: false };
    this.pending.push(entry);
    return entry;
  }

  acknowledge(ticket: object): void {
    const entry = ticket as { lsn: bigint; acked: boolean };
    if (!this.pending.includes(entry)) throw new RangeError('unknown or already confirmed ticket');
    entry.acked = true;
    let advanced = false;
    while (this.pending.length > 0 && this.pending[0]!.acked) {
      const head = this.pending.shift()!;
      if (head.lsn > this.confirmedLsn) {
        this.confirmedLsn = head.lsn;
        advanced = true;
      }
    }
    if (advanced) for (const l of [...this.listeners]) l(this.confirmedLsn);
  }

  /** Forgets in-flight work (after a reconnect, unacknowledged transactions are redelivered). */
  reset(): void {
    this.pending.length = 0;
    this.highestRegistered = this.confirmedLsn;
  }
}
