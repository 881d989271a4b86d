/**
 * The one retry loop of the library: exponential backoff with full jitter, bounded by a number of retries and/or a
 * time budget, stopped at once by an abort signal or an error that is not worth retrying. The Kafka port
 * (`withRetry`, the CONCURRENT_TRANSACTIONS retries), the CDC source's session restarts and the sink's batch
 * retries all run on it; they differ only in their settings and in what they do with the last error.
 *
 * @example
 * const controller = new AbortController();
 * const metadata = await retry(() => admin.fetchTopicMetadata({ topics: ['orders'] }), {
 *   retries: 5,
 *   initialBackoffMs: 100,
 *   maxBackoffMs: 2000,
 *   budgetMs: 10_000,
 *   signal: controller.signal, // controller.abort() on shutdown ends the wait at once
 * });
 */
import { RetriesExhaustedError, TributaryError } from './errors.js';

/** How the pause before each retry grows. */
export interface BackoffOptions {
  /**
   * Retries after the first attempt before giving up: 0 for none, `Infinity` (or any negative number, as in
   * Debezium's `errors.max.retries=-1`) for no limit. Default 5.
   */
  readonly retries?: number;
  /** The pause before the first retry (its upper bound with jitter); doubled per retry. Default 100 ms. */
  readonly initialBackoffMs?: number;
  /** No pause is longer than this. Default 10 000 ms. */
  readonly maxBackoffMs?: number;
  /**
   * `full` (the default): each pause is drawn uniformly from 0 to its exponential bound, so that clients that
   * failed together do not retry together. `none`: the pause is the bound itself, for settings whose documented
   * meaning is an exact delay (Debezium's `errors.retry.delay.*`, the sink's `flush.retry.delay.ms`).
   */
  readonly jitter?: 'full' | 'none';
  /** A number in [0, 1); default `Math.random`. Tests pass a fixed source. */
  readonly random?: () => number;
}

/**
 * The pauses of one series of retries, and how many were taken. `retry` creates one per call; a caller whose
 * retries span several calls shares one and decides when it is whole again (the CDC source resets it once it makes
 * progress, not when a connection merely opens).
 *
 * @example
 * const backoff = new Backoff({ retries: 3, initialBackoffMs: 100, maxBackoffMs: 1000, jitter: 'none' });
 * backoff.next(); // 100, then 200, 400, then null: the retries are spent
 * backoff.reset(); // whole again
 */
export class Backoff {
  readonly #retries: number;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #jitter: 'full' | 'none';
  readonly #random: () => number;
  #used = 0;

  constructor(options: BackoffOptions = {}) {
    const retries = options.retries ?? 5;
    this.#retries = retries < 0 ? Infinity : retries;
    this.#initialMs = options.initialBackoffMs ?? 100;
    this.#maxMs = options.maxBackoffMs ?? 10_000;
    this.#jitter = options.jitter ?? 'full';
    this.#random = options.random ?? Math.random;
  }

  /** Retries taken since the last reset. */
  get attempts(): number {
    return this.#used;
  }

  /** The bound of the next pause: the initial pause doubled once per retry taken, at most the maximum. */
  bound(): number {
    // the exponent is capped so that an unlimited series never overflows to Infinity
    return Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#used, 30));
  }

  /** Takes one retry: the pause before it in ms, or null when the retries are spent. */
  next(): number | null {
    if (this.#used >= this.#retries) return null;
    const bound = this.bound();
    this.#used++;
    if (this.#jitter === 'none') return bound;
    // uniform over the whole numbers 0..bound, both ends included
    return Math.min(bound, Math.floor(this.#random() * (bound + 1)));
  }

  /** The series is whole again: the next pause is the initial one and every retry is available. */
  reset(): void {
    this.#used = 0;
  }
}

/** Settings of {@link retry}. */
export interface RetryOptions extends BackoffOptions {
  /**
   * A series shared across calls; when given, its own settings apply and the backoff settings here are ignored.
   * Without it each call starts a fresh series.
   */
  readonly backoff?: Backoff;
  /**
   * Time allowed from the start of the call, in ms: no retry is scheduled whose pause would end past it. Default:
   * none (the retries alone bound the loop).
   */
  readonly budgetMs?: number;
  /** Aborting it ends a pause at once and starts no further attempt; the call rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Whether an error is worth another attempt. Default: its own `retriable` flag (every Tributary error has one),
   * so an error without the flag is not retried.
   */
  readonly isRetriable?: (error: unknown) => boolean;
  /** Called before each pause, with the retry's number in its series (1 for the first) and the pause in ms. */
  readonly onRetry?: (error: unknown, attempt: number, backoffMs: number) => void;
  /**
   * A failure that already happened and starts the series: the call pauses before the first run of `operation`
   * (the CDC source restarts a session that failed while streaming). It is judged like any other failure.
   */
  readonly failure?: unknown;
  /** Waits `ms`; rejects when `signal` aborts. Tests pass a fake that does not wait. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The clock of the time budget, in ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** The flag a Tributary error (or any error carrying one) sets: the default of {@link RetryOptions.isRetriable}. */
export function hasRetriableFlag(error: unknown): boolean {
  if (error instanceof TributaryError) return error.retriable;
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}

/** Waits `ms` milliseconds, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `operation` until it succeeds, retrying retriable failures after a growing pause (see {@link BackoffOptions}).
 * Rejects with:
 * - the failure itself when it is not retriable (no pause, no further attempt);
 * - a {@link RetriesExhaustedError} naming the attempts, with the last failure as `cause`, when the retries or the
 *   time budget are spent;
 * - the signal's reason when `signal` aborts (checked before every attempt and during every pause).
 *
 * @example
 * await retry(() => pool.query('SELECT 1'), { retries: 3, isRetriable: (e) => (e as { code?: string }).code === '57P03' });
 */
export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const backoff = options.backoff ?? new Backoff(options);
  const isRetriable = options.isRetriable ?? hasRetriableFlag;
  const wait = options.sleep ?? sleep;
  const now = options.now ?? Date.now;
  const { signal } = options;
  const deadline = options.budgetMs === undefined ? Infinity : now() + options.budgetMs;
  let runs = 0;
  // an explicit `failure: undefined` (a spread of optional settings) is no failure
  let failure: unknown = options.failure;
  let failed = failure !== undefined;
  for (;;) {
    if (failed) {
      if (!isRetriable(failure)) throw failure;
      signal?.throwIfAborted();
      const pause = backoff.next();
      if (pause === null) throw exhausted(runs, failure, 'retries');
      if (now() + pause > deadline) throw exhausted(runs, failure, 'budget');
      options.onRetry?.(failure, backoff.attempts, pause);
      await wait(pause, signal);
    }
    signal?.throwIfAborted();
    runs++;
    try {
      return await operation(runs);
    } catch (error) {
      failure = error;
      failed = true;
    }
  }

  function exhausted(attempts: number, last: unknown, spent: 'retries' | 'budget'): RetriesExhaustedError {
    const why = spent === 'budget' ? `the time budget of ${options.budgetMs} ms is spent` : 'no retry is left';
    const lastMessage = last instanceof Error ? last.message : String(last);
    return new RetriesExhaustedError(`giving up after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'} (${why}): ${lastMessage}`, {
      attempts,
      cause: last,
    });
  }
}
