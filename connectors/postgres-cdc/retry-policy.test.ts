import { describe, expect, it } from 'vitest';
import { RetryBudget, isRetriableCdcError } from './retry-policy.js';
import { CdcConfigError, CdcConnectionError, CdcDataError, CdcSlotLostError } from './errors.js';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });
const kafkajs = (name: string, retriable: boolean, originalError?: Error): Error => Object.assign(new Error(name), { name, retriable, ...(originalError ? { originalError } : {}) });

describe('RetryBudget', () => {
  it('doubles the delay up to the maximum and stops after errors.max.retries', () => {
    const budget = new RetryBudget({ maxRetries: 5, initialDelayMs: 300, maxDelayMs: 1000 });
    expect([budget.next(), budget.next(), budget.next(), budget.next(), budget.next(), budget.next()]).toEqual([300, 600, 1000, 1000, 1000, null]);
    expect(budget.attempts).toBe(5);
  });

  it('is whole again after progress, not after a connection that fails again', () => {
    const budget = new RetryBudget({ maxRetries: 2, initialDelayMs: 100, maxDelayMs: 1000 });
    budget.next();
    budget.next();
    expect(budget.next()).toBeNull();
    budget.progress();
    expect(budget.next()).toBe(100);
  });

  it('never runs out with -1 and never retries with 0', () => {
    const unlimited = new RetryBudget({ maxRetries: -1, initialDelayMs: 1, maxDelayMs: 10 });
    for (let i = 0; i < 100; i++) expect(unlimited.next()).not.toBeNull();
    expect(new RetryBudget({ maxRetries: 0, initialDelayMs: 1, maxDelayMs: 10 }).next()).toBeNull();
  });
});

describe('isRetriableCdcError', () => {
  it('retries network trouble, servers going away and unreachable brokers', () => {
    expect(isRetriableCdcError(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isRetriableCdcError(withCode('terminating connection due to administrator command', '57P01'))).toBe(true);
    expect(isRetriableCdcError(withCode('the database system is starting up', '57P03'))).toBe(true);
    expect(isRetriableCdcError(withCode('replication slot "s" is active for PID 42', '55006'))).toBe(true);
    expect(isRetriableCdcError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isRetriableCdcError(new CdcConnectionError('replication connection closed by the server'))).toBe(true);
    expect(isRetriableCdcError(kafkajs('KafkaJSNumberOfRetriesExceeded', false, kafkajs('KafkaJSConnectionError', true)))).toBe(true);
    expect(isRetriableCdcError(kafkajs('KafkaJSConnectionError', false))).toBe(true);
  });

  it('fails at once on what a retry cannot fix', () => {
    expect(isRetriableCdcError(withCode('password authentication failed for user "u"', '28P01'))).toBe(false);
    expect(isRetriableCdcError(withCode('permission denied for database d', '42501'))).toBe(false);
    expect(isRetriableCdcError(new CdcConfigError('bad', { key: 'database.url' }))).toBe(false);
    expect(isRetriableCdcError(new CdcSlotLostError('lost', { cause: withCode('x', 'ECONNRESET') }))).toBe(false);
    expect(isRetriableCdcError(new CdcDataError('bad value'))).toBe(false);
    expect(isRetriableCdcError(kafkajs('KafkaJSProtocolError', false))).toBe(false); // e.g. MESSAGE_TOO_LARGE
    expect(isRetriableCdcError(new TypeError('x is undefined'))).toBe(false);
  });
});
