import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CdcConfigError, CdcRetriesExhaustedError } from './errors.js';
import { PostgresCdcSource } from './source.js';

// The restart loop of the source without PostgreSQL or Kafka: a session's setup (`run`) and its teardown
// (`endSession`) are replaced, so only the retry decisions, pauses, events and the final error are exercised. The
// live behaviour against real servers is covered by the integration tests (cdc-outage, cdc-sigterm).

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

interface Stubbed {
  source: PostgresCdcSource;
  runs: () => number;
  ends: () => number;
}

function sourceWith(config: Record<string, string | number>, run: (n: number) => Promise<void>): Stubbed {
  const source = new PostgresCdcSource(
    { 'topic.prefix': 'db', 'database.user': 'u', 'database.dbname': 'd', 'kafka.bootstrap.servers': '127.0.0.1:1', ...config },
    { logger: pino({ level: 'silent' }) },
  );
  let runs = 0;
  let ends = 0;
  const internals = source as unknown as { run: (gen: number) => Promise<void>; endSession: () => Promise<void> };
  internals.run = () => run(++runs);
  internals.endSession = async () => void ends++;
  return { source, runs: () => runs, ends: () => ends };
}

describe('PostgresCdcSource restarts', () => {
  it('retries a retriable failure with the errors.retry.delay.* pauses and fails after errors.max.retries', async () => {
    const { source, runs, ends } = sourceWith(
      { 'errors.max.retries': 2, 'errors.retry.delay.initial.ms': 1, 'errors.retry.delay.max.ms': 10 },
      async () => {
        throw refused();
      },
    );
    const retrying: [string, number, number][] = [];
    source.on('retrying', (error, attempt, delay) => retrying.push([error.message, attempt, delay]));
    const error = await source.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CdcRetriesExhaustedError);
    expect((error as Error).message).toBe('giving up after 2 retries without progress (errors.max.retries=2): connect ECONNREFUSED 127.0.0.1:5432');
    expect((error as CdcRetriesExhaustedError).cause).toMatchObject({ code: 'ECONNREFUSED' });
    expect((error as CdcRetriesExhaustedError).retriable).toBe(false);
    // the first start and two retries; no jitter: the Debezium delays exactly
    expect(runs()).toBe(3);
    expect(retrying).toEqual([
      ['connect ECONNREFUSED 127.0.0.1:5432', 1, 1],
      ['connect ECONNREFUSED 127.0.0.1:5432', 2, 2],
    ]);
    // every failed session is ended before its pause
    expect(ends()).toBe(3);
    expect(source.failure).toBe(error);
  });

  it('resolves once a restarted session runs', async () => {
    const { source, runs } = sourceWith({ 'errors.retry.delay.initial.ms': 1 }, async (n) => {
      if (n < 3) throw refused();
    });
    await source.start();
    expect(runs()).toBe(3);
    expect(source.failure).toBeNull();
    await source.stop();
  });

  it('fails at once, without a pause, on an error no retry can fix', async () => {
    const bad = new CdcConfigError('publication p does not exist and publication.autocreate.mode is disabled', { key: 'publication.name' });
    const { source, runs } = sourceWith({ 'errors.retry.delay.initial.ms': 1 }, async (n) => {
      throw n === 1 ? refused() : bad;
    });
    let retries = 0;
    source.on('retrying', () => retries++);
    await expect(source.start()).rejects.toBe(bad);
    expect(runs()).toBe(2);
    expect(retries).toBe(1);
  });

  it('stop() ends a pause at once', async () => {
    const { source, runs } = sourceWith({ 'errors.retry.delay.initial.ms': 3_600_000, 'errors.retry.delay.max.ms': 3_600_000 }, async () => {
      throw refused();
    });
    source.on('retrying', () => setImmediate(() => void source.stop()));
    const started = Date.now();
    await source.start();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(runs()).toBe(1);
    expect(source.failure).toBeNull();
  });
});
