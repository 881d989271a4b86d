/**
 * Sends change records to Kafka in WAL order, one send at a time through the Kafka port's producer (idempotent,
 * acks=all; the port splits a send into requests the broker takes), then stores the offset of the newest batch and
 * acknowledges its LSN ticket. Batches queued while a send is in flight are merged into the next send, so
 * throughput does not depend on one round trip per transaction.
 */
import type { OutgoingRecord } from '../../src/errors.js';
import type { ProducerPort } from '../../src/kafka/port.js';
import type { CdcRecord } from './change-events.js';
import type { SourceOffset } from './offset-store.js';

export interface OutgoingBatch {
  readonly records: readonly CdcRecord[];
  /** Offset to store once these records are acknowledged (null: none, e.g. mid-snapshot chunks). */
  readonly offset: SourceOffset | null;
  /** Called after Kafka acknowledged the records and the offset was stored. */
  readonly onDurable?: () => void;
}

export interface SenderHooks {
  /** Every record Kafka acknowledged, in order (tests use it to check what was confirmed). */
  readonly onAcknowledged?: (records: readonly CdcRecord[]) => void;
}

export class RecordSender {
  private readonly queue: OutgoingBatch[] = [];
  private queuedRecords = 0;
  private running: Promise<void> | null = null;
  private failure: Error | null = null;
  private idleWaiters: (() => void)[] = [];
  sentRecords = 0;

  constructor(
    private readonly producer: ProducerPort,
    private readonly saveOffset: (o: SourceOffset) => Promise<void>,
    private readonly onFatal: (err: Error) => void,
    private readonly hooks: SenderHooks = {},
    private readonly maxRecordsPerRequest = 5000,
    /** Bounds one send (and so the records whose offset waits for it); the port splits it further for the broker. */
    private readonly maxBytesPerRequest = 900_000,
  ) {}
  private cursor = 0;

  /** Records waiting to be sent (flow control reads this). */
  get backlog(): number {
    return this.queuedRecords;
  }

  get error(): Error | null {
    return this.failure;
  }

  enqueue(batch: OutgoingBatch): void {
    if (this.failure) throw this.failure;
    this.queue.push(batch);
    this.queuedRecords += batch.records.length;
    if (!this.running) this.running = this.loop().finally(() => (this.running = null));
  }

  /** Resolves when everything enqueued so far is acknowledged and stored. */
  async drain(): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.running && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.failure) throw this.failure;
  }

  /** Resolves when no request is in flight any more, whether the last one succeeded or failed. */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async loop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        // take whole batches (and at most one partial one) up to the request budget; a transaction larger than the
        // budget is sent in several requests and only counts as durable after its last piece
        const completed: OutgoingBatch[] = [];
        const records: CdcRecord[] = [];
        let bytes = 0;
        while (this.queue.length > 0) {
          const head = this.queue[0]!;
          let i = this.cursor;
          while (i < head.records.length) {
            const size = recordSize(head.records[i]!);
            if (records.length > 0 && (bytes + size > this.maxBytesPerRequest || records.length >= this.maxRecordsPerRequest)) break;
            records.push(head.records[i]!);
            bytes += size;
            i++;
          }
          if (i < head.records.length) {
            this.cursor = i;
            break;
          }
          this.cursor = 0;
          completed.push(this.queue.shift()!);
        }
        if (records.length > 0) {
          const report = await this.producer.send(toOutgoing(records, Date.now()));
          // A record Kafka refuses (too large for its topic) fails the source: skipping it would lose a change.
          if (report.rejected.length > 0) throw report.rejected[0]!.error;
          this.sentRecords += records.length;
          this.hooks.onAcknowledged?.(records);
        }
        this.queuedRecords -= records.length;
        const lastOffset = [...completed].reverse().find((b) => b.offset !== null)?.offset ?? null;
        if (lastOffset !== null) await this.saveOffset(lastOffset);
        for (const b of completed) b.onDurable?.();
      }
    } catch (err) {
      this.failure = err as Error;
      this.queue.length = 0;
      this.onFatal(this.failure);
    } finally {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

/** Approximate bytes a record occupies in a produce request. */
function recordSize(r: CdcRecord): number {
  let n = 64 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const [k, v] of Object.entries(r.headers)) n += k.length + v.length + 8;
  return n;
}

/** The records as the port sends them, in order, stamped with the time of the send. */
export function toOutgoing(records: readonly CdcRecord[], timestamp: number): OutgoingRecord[] {
  return records.map((r) => ({ topic: r.topic, key: r.key, value: r.value, timestamp, headers: { ...r.headers } }));
}
