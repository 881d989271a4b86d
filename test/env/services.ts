// What integration tests use to reach the run's services. Import from test files as
//   import { testServices, randomName, waitFor } from '../env/services.js';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    databaseUrl: string;
  }
}

/** The Kafka brokers and PostgreSQL URL started (or found) by test/env/global-setup.ts for this run. */
export function testServices(): { brokers: string[]; databaseUrl: string } {
  const brokers = inject('kafkaBrokers');
  const databaseUrl = inject('databaseUrl');
  if (!brokers || !databaseUrl) {
    throw new Error('test services are missing: run integration tests with `vitest --project integration`');
  }
  return { brokers, databaseUrl };
}

/**
 * A name no other test (or earlier run against the same services) uses: for topics, consumer groups,
 * transactional ids, tables, slots. Lower-case letters, digits and underscores, so it is valid everywhere
 * (PostgreSQL identifiers and replication slot names included).
 */
export function randomName(prefix = 't'): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return `${clean}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** A topic name for one test; see {@link randomName}. */
export function randomTopic(prefix = 'topic'): string {
  return randomName(prefix);
}

export interface WaitForOptions {
  /** Give up after this long (a bound against hanging, not a performance assertion); default 30 s. */
  readonly timeoutMs?: number;
  /** Pause between checks; default 100 ms. */
  readonly intervalMs?: number;
  /** What is being waited for, for the error message. */
  readonly description?: string;
}

/**
 * Polls `check` until it returns a value other than `undefined`/`false` (or stops throwing) and returns that
 * value. Fails with the last error or a description of what never happened.
 */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== undefined && result !== false) return result;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const what = options.description ?? 'condition';
      const reason = lastError === undefined ? '' : `; last error: ${String(lastError)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
