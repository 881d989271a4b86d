import { describe, expect, it } from 'vitest';
import { classifyTransactionFailure, TransactionFailedError } from './transaction-errors.js';

const kafkajsError = (fields: { name?: string; type?: string; code?: number; retriable?: boolean; originalError?: unknown }, message = 'broker said no') =>
  Object.assign(new Error(message), { name: 'KafkaJSProtocolError', ...fields });

describe('classifyTransactionFailure', () => {
  it('treats a lost producer epoch as fenced, also when kafkajs reports PRODUCER_FENCED as an unknown code or wraps it in retries', () => {
    expect(classifyTransactionFailure(kafkajsError({ type: 'INVALID_PRODUCER_EPOCH', code: 47 }))).toBe('fenced');
    expect(classifyTransactionFailure(kafkajsError({ type: 'KAFKAJS_UNKNOWN_ERROR', code: 90 }))).toBe('fenced');
    expect(classifyTransactionFailure(kafkajsError({ name: 'KafkaJSNumberOfRetriesExceeded', originalError: kafkajsError({ type: 'UNKNOWN_PRODUCER_ID', code: 59 }) }))).toBe('fenced');
    expect(classifyTransactionFailure(new Error('Transaction state exception: Invalid state transition'))).toBe('fenced');
  });

  it('treats offsets refused for a past group generation as migrated (recoverable), whether kafkajs names the code or not', () => {
    expect(classifyTransactionFailure(kafkajsError({ type: 'ILLEGAL_GENERATION', code: 22 }))).toBe('migrated');
    expect(classifyTransactionFailure(kafkajsError({ type: 'UNKNOWN_MEMBER_ID', code: 25 }))).toBe('migrated');
    expect(classifyTransactionFailure(kafkajsError({ type: 'KAFKAJS_UNKNOWN_ERROR', code: 82 }))).toBe('migrated');
    expect(classifyTransactionFailure(kafkajsError({ type: 'FENCED_INSTANCE_ID' }))).toBe('migrated');
    expect(classifyTransactionFailure(kafkajsError({ name: 'KafkaJSNumberOfRetriesExceeded', originalError: kafkajsError({ type: 'ILLEGAL_GENERATION', code: 22 }) }))).toBe('migrated');
    expect(new TransactionFailedError('migrated', { transactionalId: 'app-1', kind: 'migrated' }).retriable).toBe(true);
  });

  it('lets a lost producer epoch and a fatal error outrank a migration', () => {
    expect(classifyTransactionFailure(kafkajsError({ type: 'UNKNOWN_MEMBER_ID', code: 25, originalError: kafkajsError({ type: 'INVALID_PRODUCER_EPOCH', code: 47 }) }))).toBe('fenced');
    expect(classifyTransactionFailure(kafkajsError({ type: 'ILLEGAL_GENERATION', code: 22, originalError: kafkajsError({ type: 'GROUP_AUTHORIZATION_FAILED', code: 30 }) }))).toBe('fatal');
  });

  it('treats transient trouble as abortable', () => {
    expect(classifyTransactionFailure(kafkajsError({ name: 'KafkaJSRequestTimeoutError', retriable: true }, 'Request timed out'))).toBe('abortable');
    expect(classifyTransactionFailure(kafkajsError({ name: 'KafkaJSNumberOfRetriesExceeded', originalError: kafkajsError({ type: 'NOT_COORDINATOR', code: 16, retriable: true }) }))).toBe('abortable');
  });

  it('treats authorization, oversized records and programming errors as fatal, even under a fencing error', () => {
    expect(classifyTransactionFailure(kafkajsError({ type: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', code: 53 }))).toBe('fatal');
    expect(classifyTransactionFailure(kafkajsError({ type: 'MESSAGE_TOO_LARGE', code: 10 }))).toBe('fatal');
    expect(classifyTransactionFailure(new TypeError('x is undefined'))).toBe('fatal');
    expect(classifyTransactionFailure(kafkajsError({ type: 'INVALID_PRODUCER_EPOCH', code: 47, originalError: kafkajsError({ type: 'CLUSTER_AUTHORIZATION_FAILED', code: 31 }) }))).toBe('fatal');
  });

  it('keeps the kind of an already classified failure', () => {
    const failure = new TransactionFailedError('gave up', { transactionalId: 'app-1', kind: 'fatal' });
    expect(classifyTransactionFailure(new Error('wrapped', { cause: failure }))).toBe('fatal');
    expect(failure.retriable).toBe(false);
    expect(new TransactionFailedError('fenced', { transactionalId: 'app-1', kind: 'fenced' }).retriable).toBe(true);
  });
});
