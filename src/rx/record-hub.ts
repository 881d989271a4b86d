import { Observable, type Subscriber } from 'rxjs';
import { StreamsError } from '../errors.js';

/** What happens when a subscriber's buffer is full and another record arrives. */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest' | 'error';

/** Options of `KStream.toObservable()` and `tableChanges()`. */
export interface ObserveOptions {
  /** Records buffered per subscriber before the overflow policy applies (default 10 000). */
  readonly bufferSize?: number;
  /**
   * Default `'drop-oldest'`: a slow subscriber sees the latest records and misses older ones (a live
   * view). `'drop-newest'` keeps the oldest buffered ones. `'error'` ends the subscription with a
   * StreamsError (`context.dropped`) so a consumer that must see everything learns it did not.
   */
  readonly overflow?: OverflowPolicy;
}

/** One subscriber: its bounded buffer, drained asynchronously so processing never waits for it. */
class Outlet<T> {
  readonly #buffer: T[] = [];
  #scheduled = false;

  constructor(
    private readonly subscriber: Subscriber<T>,
    private readonly size: number,
    private readonly overflow: OverflowPolicy,
  ) {}

  offer(item: T): void {
    if (this.subscriber.closed) return;
    if (this.#buffer.length >= this.size) {
      if (this.overflow === 'drop-newest') return;
      if (this.overflow === 'error') {
        this.#buffer.length = 0;
        this.subscriber.error(new StreamsError(`observer too slow: its buffer of ${this.size} records is full`, { context: { bufferSize: this.size } }));
        return;
      }
      this.#buffer.shift();
    }
    this.#buffer.push(item);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#drain());
    }
  }

  #drain(): void {
    this.#scheduled = false;
    // Hand over what is buffered now; records arriving meanwhile wait for the next turn.
    for (let n = this.#buffer.length; n > 0 && !this.subscriber.closed; n--) this.subscriber.next(this.#buffer.shift()!);
    if (this.#buffer.length > 0 && !this.subscriber.closed) {
      this.#scheduled = true;
      setImmediate(() => this.#drain());
    }
  }
}

/**
 * Fans records out of the tasks of this instance to any number of RxJS subscribers. Hot: a subscriber
 * sees what is published after it subscribed. Publishing never blocks and never throws into the task:
 * each subscriber has a bounded buffer, delivered on a later turn of the event loop.
 */
export class RecordHub<T> {
  readonly #outlets = new Set<Outlet<T>>();
  readonly observable: Observable<T>;

  constructor(options: ObserveOptions = {}) {
    const size = options.bufferSize ?? 10_000;
    if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`bufferSize must be a positive integer, got ${size}`);
    const overflow = options.overflow ?? 'drop-oldest';
    if (!['drop-oldest', 'drop-newest', 'error'].includes(overflow)) throw new RangeError(`overflow must be drop-oldest, drop-newest or error, got ${String(overflow)}`);
    this.observable = new Observable<T>((subscriber) => {
      const outlet = new Outlet(subscriber, size, overflow);
      this.#outlets.add(outlet);
      return () => this.#outlets.delete(outlet);
    });
  }

  publish(item: T): void {
    for (const outlet of this.#outlets) outlet.offer(item);
  }

  get subscribers(): number {
    return this.#outlets.size;
  }
}
