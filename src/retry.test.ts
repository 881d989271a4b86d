import { describe, expect, it } from 'vitest';
import { RetriesExhaustedError, StreamsError, TributaryError } from './errors.js';
import { Backoff, retry, sleep, type RetryOptions } from './retry.js';

/** A clock that only moves when the fake sleep "waits", so no test waits for real. */
function fakeTime(): { pauses: number[]; options: Pick<RetryOptions, 'sleep' | 'now'> } {
  let clock = 1_000_000;
  const pauses: number[] = [];
  return {
    pauses,
    options: {
      now: () => clock,
      sleep: async (ms) => {
        pauses.push(ms);
        clock += ms;
      },
    },
  };
}

const retriable = (n: number): TributaryError => new TributaryError(`broker busy #${n}`, { retriable: true });

/** Fails with a new retriable error `failures` times, then returns 'done'. */
function flaky(failures: number): { calls: () => number; operation: (attempt: number) => Promise<string> } {
  let calls = 0;
  return {
    calls: () => calls,
    operation: async () => {
      calls++;
      if (calls <= failures) throw retriable(calls);
      return 'done';
    },
  };
}

describe('retry', () => {
  it('retries retriable failures until the operation succeeds, numbering the retries', async () => {
    const time = fakeTime();
    const { calls, operation } = flaky(3);
    const retried: [string, number, number][] = [];
    const result = await retry(operation, {
      ...time.options,
      retries: 5,
      jitter: 'none',
      initialBackoffMs: 10,
      onRetry: (error, attempt, ms) => retried.push([(error as Error).message, attempt, ms]),
    });
    expect(result).toBe('done');
    expect(calls()).toBe(4);
    expect(time.pauses).toEqual([10, 20, 40]);
    expect(retried).toEqual([
      ['broker busy #1', 1, 10],
      ['broker busy #2', 2, 20],
      ['broker busy #3', 3, 40],
    ]);
  });

  it('passes the attempt number to the operation', async () => {
    const seen: number[] = [];
    await retry(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 3) throw retriable(attempt);
      },
      { ...fakeTime().options },
    );
    expect(seen).toEqual([1, 2, 3]);
  });

  it('full jitter: each pause lies between 0 and its doubling bound, both included', async () => {
    const bounds = [100, 200, 400, 800, 1000, 1000];
    for (const r of [0, 0.5, 0.999_999_9]) {
      const time = fakeTime();
      await retry(flaky(6).operation, { ...time.options, retries: 6, initialBackoffMs: 100, maxBackoffMs: 1000, random: () => r });
      expect(time.pauses).toEqual(bounds.map((b) => Math.floor(r * (b + 1))));
    }
    // the lowest draw waits not at all, the highest waits the whole bound
    const low = fakeTime();
    await retry(flaky(3).operation, { ...low.options, initialBackoffMs: 100, random: () => 0 });
    expect(low.pauses).toEqual([0, 0, 0]);
    const high = fakeTime();
    await retry(flaky(3).operation, { ...high.options, initialBackoffMs: 100, random: () => 0.999_999_9 });
    expect(high.pauses).toEqual([100, 200, 400]);
  });

  it('full jitter spreads the pauses over the whole range, never past the bound', async () => {
    // a small deterministic generator (LCG) instead of Math.random, so the test is repeatable
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const backoff = new Backoff({ retries: Infinity, initialBackoffMs: 1000, maxBackoffMs: 1000, random });
    const pauses = Array.from({ length: 2000 }, () => backoff.next()!);
    expect(Math.min(...pauses)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...pauses)).toBeLessThanOrEqual(1000);
    // drawn uniformly: both the lowest and the highest tenth of the range are hit
    expect(pauses.some((p) => p < 100)).toBe(true);
    expect(pauses.some((p) => p > 900)).toBe(true);
    expect(pauses.every(Number.isInteger)).toBe(true);
  });

  it('stops at once on a failure that is not retriable, rethrowing it as it is', async () => {
    const time = fakeTime();
    const bad = new StreamsError('bad config'); // retriable: false
    let calls = 0;
    const failing = retry(
      async () => {
        calls++;
        throw bad;
      },
      { ...time.options },
    );
    await expect(failing).rejects.toBe(bad);
    expect(calls).toBe(1);
    expect(time.pauses).toEqual([]);
  });

  it('retries by the error`s own retriable flag unless told otherwise', async () => {
    const plain = retry(async () => {
      throw new Error('plain');
    }, fakeTime().options);
    await expect(plain).rejects.toThrow('plain');
    // a predicate replaces the flag: here a plain Error is retried, a retriable TributaryError is not
    let calls = 0;
    const custom = retry(
      async () => {
        calls++;
        throw calls < 3 ? new Error('EAGAIN') : retriable(calls);
      },
      { ...fakeTime().options, isRetriable: (e) => !(e instanceof TributaryError) },
    );
    await expect(custom).rejects.toThrow('broker busy #3');
    expect(calls).toBe(3);
  });

  it('gives up after the retries with an error that names the attempts and carries the last failure', async () => {
    const time = fakeTime();
    const thrown: Error[] = [];
    const failing = retry(
      async () => {
        const error = retriable(thrown.length + 1);
        thrown.push(error);
        throw error;
      },
      { ...time.options, retries: 2, jitter: 'none', initialBackoffMs: 5 },
    );
    const error = await failing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error).toBeInstanceOf(TributaryError);
    const exhausted = error as RetriesExhaustedError;
    expect(exhausted.message).toBe('giving up after 3 attempts (no retry is left): broker busy #3');
    expect(exhausted.attempts).toBe(3);
    expect(exhausted.cause).toBe(thrown[2]);
    expect(exhausted.retriable).toBe(false);
    expect(time.pauses).toEqual([5, 10]);
  });

  it('gives up when the next pause would end past the time budget', async () => {
    const time = fakeTime();
    const { calls, operation } = flaky(100);
    const failing = retry(operation, { ...time.options, retries: Infinity, budgetMs: 1000, jitter: 'none', initialBackoffMs: 300 });
    const error = (await failing.catch((e: unknown) => e)) as RetriesExhaustedError;
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    // 300 + 600 = 900 ms fit in the budget, another 1200 would not
    expect(time.pauses).toEqual([300, 600]);
    expect(calls()).toBe(3);
    expect(error.attempts).toBe(3);
    expect(error.message).toBe('giving up after 3 attempts (the time budget of 1000 ms is spent): broker busy #3');
    expect((error.cause as Error).message).toBe('broker busy #3');
  });

  it('counts time spent in the operation against the budget', async () => {
    let clock = 0;
    let calls = 0;
    const failing = retry(
      async () => {
        calls++;
        clock += 400; // each attempt takes 400 ms
        throw retriable(calls);
      },
      { now: () => clock, sleep: async (ms) => void (clock += ms), budgetMs: 1000, jitter: 'none', initialBackoffMs: 50, retries: Infinity },
    );
    await expect(failing).rejects.toBeInstanceOf(RetriesExhaustedError);
    // 400 + 50 + 400 + 100 = 950 ms fit in the budget; after the third attempt (1350 ms) no pause does
    expect(calls).toBe(3);
  });

  it('an abort during a pause rejects at once with the signal`s reason and starts no further attempt', async () => {
    const controller = new AbortController();
    let calls = 0;
    const started = Date.now();
    const failing = retry(
      async () => {
        calls++;
        throw retriable(calls);
      },
      {
        // the real sleep, with a pause of an hour: only the abort, made once the pause has begun, can end it
        sleep: (ms, signal) => {
          const pause = sleep(ms, signal);
          controller.abort(new Error('shutting down'));
          return pause;
        },
        signal: controller.signal,
        jitter: 'none',
        initialBackoffMs: 3_600_000,
      },
    );
    await expect(failing).rejects.toThrow('shutting down');
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('an aborted signal runs nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const failing = retry(async () => void calls++, { signal: controller.signal });
    await expect(failing).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toBe(0);
  });

  it('an abort while the operation runs stops the loop before the next pause', async () => {
    const controller = new AbortController();
    const time = fakeTime();
    let calls = 0;
    const failing = retry(
      async () => {
        calls++;
        controller.abort(new Error('stop'));
        throw retriable(calls);
      },
      { ...time.options, signal: controller.signal },
    );
    await expect(failing).rejects.toThrow('stop');
    expect(calls).toBe(1);
    expect(time.pauses).toEqual([]);
  });

  it('with a failure given, pauses before the first run; a shared series spans calls until reset', async () => {
    const backoff = new Backoff({ retries: 3, initialBackoffMs: 100, maxBackoffMs: 1000, jitter: 'none' });
    const time = fakeTime();
    const first = flaky(1);
    await retry(first.operation, { ...time.options, backoff, failure: retriable(0) });
    // the given failure took one retry, the operation's own failure another
    expect(time.pauses).toEqual([100, 200]);
    expect(first.calls()).toBe(2);
    expect(backoff.attempts).toBe(2);
    // the next call goes on where the series stands: one retry is left
    const second = retry(flaky(5).operation, { ...time.options, backoff, failure: retriable(0) });
    await expect(second).rejects.toBeInstanceOf(RetriesExhaustedError);
    expect(time.pauses).toEqual([100, 200, 400]);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('a given failure that is not retriable is rethrown without running the operation', async () => {
    const bad = new Error('password authentication failed');
    let calls = 0;
    await expect(retry(async () => void calls++, { failure: bad })).rejects.toBe(bad);
    expect(calls).toBe(0);
  });

  it('a negative or infinite number of retries never runs out; 0 never retries', () => {
    for (const retries of [-1, Infinity]) {
      const backoff = new Backoff({ retries, initialBackoffMs: 1, maxBackoffMs: 10 });
      for (let i = 0; i < 100; i++) expect(backoff.next()).not.toBeNull();
      // the bound stays at the maximum however many retries were taken
      expect(backoff.bound()).toBe(10);
    }
    expect(new Backoff({ retries: 0 }).next()).toBeNull();
  });
});

describe('sleep', () => {
  it('resolves after the pause, and rejects at once when aborted', async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
    const controller = new AbortController();
    const waiting = sleep(3_600_000, controller.signal);
    controller.abort(new Error('bye'));
    await expect(waiting).rejects.toThrow('bye');
  });
});
