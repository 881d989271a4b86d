import { describe, expect, it, vi } from 'vitest';
import { settlesWithin } from './settles-within.js';

describe('settlesWithin', () => {
  it('is true when the work settles first, false when the deadline passes first', async () => {
    vi.useFakeTimers();
    try {
      let finish!: () => void;
      const slow = new Promise<void>((resolve) => (finish = resolve));
      const early = settlesWithin(Promise.resolve(), 1000);
      const late = settlesWithin(slow, 1000);
      await vi.advanceTimersByTimeAsync(1000);
      finish();
      expect(await early).toBe(true);
      expect(await late).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('counts a failed piece of work as settled', async () => {
    expect(await settlesWithin(Promise.reject(new Error('boom')), 1000)).toBe(true);
  });
});
