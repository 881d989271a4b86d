import { RetriesExhaustedError, StreamsError } from '../errors.js';
import { retry, type RetryOptions } from '../retry.js';
import { errorChain } from './error-chain.js';
import { isConcurrentTransactionsError } from './kafkajs-compat.js';

// The settings of withRetry are those of the library's one retry loop (src/retry.ts), with the Kafka port's defaults:
// 8 retries, 25 ms doubled up to 1000 ms with full jitter, and isRetriable below.
export type { RetryOptions };

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

/**
 * Runs `operation`, retrying with exponential backoff (full jitter) while it fails with a retriable error. Once the
 * retries are spent it rejects with the last error itself, as it always has: the Kafka port's callers classify that
 * error (fenced, fatal, ...) and log it; the attempts are in the `onRetry` calls.
 *
 * @example
 * await withRetry(() => transaction.sendOffsets(offsets), { retries: 10 });
 */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  try {
    return await retry(operation, {
      retries: 8,
      initialBackoffMs: 25,
      maxBackoffMs: 1000,
      isRetriable,
      ...definedOnly(options),
    });
  } catch (error) {
    throw error instanceof RetriesExhaustedError ? error.cause : error;
  }
}

/** `options` without its undefined values, so that an explicit `undefined` keeps the default. */
function definedOnly(options: RetryOptions): RetryOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as RetryOptions;
}

/**
 * `options` with a signal that also aborts when the returned `close` is called: a port closes its client with it, so
 * a call waiting between retries ends at once instead of retrying against a client that is going away.
 */
export function closableRetry(options: RetryOptions, what: string): { readonly retry: RetryOptions; readonly close: () => void } {
  const closing = new AbortController();
  const signal = options.signal === undefined ? closing.signal : AbortSignal.any([options.signal, closing.signal]);
  return {
    retry: { ...options, signal },
    close: () => closing.abort(new StreamsError(`${what} closed while a Kafka call was being retried`)),
  };
}
