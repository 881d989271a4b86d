import { errorChain } from './error-chain.js';
import { isConcurrentTransactionsError } from './kafkajs-compat.js';

/** Backoff settings of {@link withRetry}. */
export interface RetryOptions {
  /** Attempts after the first one; default 8. */
  readonly retries?: number;
  /** First pause; doubled after every attempt up to `maxBackoffMs`; default 25 ms. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Decides whether an error is worth another attempt; default {@link isRetriable}. */
  readonly isRetriable?: (error: unknown) => boolean;
  /** Called before each new attempt (for logs and metrics). */
  readonly onRetry?: (error: unknown, attempt: number, backoffMs: number) => void;
  /** Waits between attempts; tests pass a fake. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * True when Kafka answered CONCURRENT_TRANSACTIONS (code 51): the coordinator is still writing the markers
 * of the previous transaction. Safe to retry: nothing of the new request was written.
 */
export function isConcurrentTransactions(error: unknown): boolean {
  return isConcurrentTransactionsError(error);
}

/**
 * Whether trying again can help: errors flagged `retriable` (kafkajs protocol errors and Tributary's
 * StreamsError) and CONCURRENT_TRANSACTIONS; never a programming error (TypeError, RangeError).
 */
export function isRetriable(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError) return false;
  if (isConcurrentTransactions(error)) return true;
  for (const e of errorChain(error)) if (e['retriable'] === true) return true;
  return false;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `operation`, retrying with exponential backoff while it fails with a retriable error.
 *
 * @example
 * await withRetry(() => transaction.sendOffsets(offsets), { retries: 10 });
 */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const retries = options.retries ?? 8;
  const maxBackoff = options.maxBackoffMs ?? 1000;
  const retriable = options.isRetriable ?? isRetriable;
  const sleep = options.sleep ?? realSleep;
  let backoff = options.initialBackoffMs ?? 25;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt > retries || !retriable(error)) throw error;
      options.onRetry?.(error, attempt, backoff);
      await sleep(backoff);
      backoff = Math.min(backoff * 2, maxBackoff);
    }
  }
}
