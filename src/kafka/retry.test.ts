import { describe, expect, it } from 'vitest';
import { StreamsError } from '../errors.js';
import { closableRetry, isConcurrentTransactions, isRetriable, withRetry } from './retry.js';

const concurrent = (): Error => Object.assign(new Error('There is a pending transaction'), { type: 'CONCURRENT_TRANSACTIONS', code: 51, retriable: false });

describe('withRetry', () => {
  it('retries CONCURRENT_TRANSACTIONS with doubling backoff until the operation succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 4) throw concurrent();
        return 'done';
      },
      // without jitter the pauses are the doubling bounds themselves
      { initialBackoffMs: 10, jitter: 'none', sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe('done');
    expect(calls).toBe(4);
    expect(waits).toEqual([10, 20, 40]);
  });

  it('jitters each pause below its doubling bound by default', async () => {
    const waits: number[] = [];
    let calls = 0;
    await withRetry(
      async () => {
        if (++calls < 4) throw concurrent();
      },
      { initialBackoffMs: 10, random: () => 0.5, sleep: async (ms) => void waits.push(ms) },
    );
    expect(waits).toEqual([5, 10, 20]);
  });

  it('finds the Kafka error behind kafkajs wrappers (originalError, cause)', () => {
    const wrapped = Object.assign(new Error('Number of retries exceeded'), { originalError: concurrent() });
    expect(isConcurrentTransactions(wrapped)).toBe(true);
    expect(isRetriable(new Error('x', { cause: { retriable: true } }))).toBe(true);
    expect(isRetriable(new StreamsError('broker down', { retriable: true }))).toBe(true);
  });

  it('does not retry programming errors or errors that are not retriable', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new TypeError('bad argument');
        },
        { sleep: async () => undefined },
      ),
    ).rejects.toThrow(TypeError);
    expect(calls).toBe(1);
    expect(isRetriable(new Error('plain'))).toBe(false);
  });

  it('gives up after the configured retries with the last error', async () => {
    let calls = 0;
    const retried: number[] = [];
    const thrown: Error[] = [];
    await expect(
      withRetry(
        async () => {
          calls++;
          const error = concurrent();
          thrown.push(error);
          throw error;
        },
        { retries: 2, sleep: async () => undefined, onRetry: (_e, attempt) => retried.push(attempt) },
      ),
    ).rejects.toThrow('pending transaction');
    expect(calls).toBe(3);
    expect(retried).toEqual([1, 2]);
    // the error itself, not a wrapper: the port's callers classify it
    await expect(withRetry(async () => Promise.reject(thrown[2]), { retries: 0 })).rejects.toBe(thrown[2]);
  });

  it('a port closed while a call waits between retries ends the wait at once', async () => {
    const { retry, close } = closableRetry({ initialBackoffMs: 3_600_000, jitter: 'none' }, 'the admin client');
    let calls = 0;
    const started = Date.now();
    const pending = withRetry(async () => {
      calls++;
      if (calls === 1) setImmediate(close);
      throw concurrent();
    }, retry);
    await expect(pending).rejects.toThrow('the admin client closed while a Kafka call was being retried');
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
