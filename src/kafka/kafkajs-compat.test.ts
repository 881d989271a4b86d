import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isConcurrentTransactionsError, retryConcurrentTransactions } from './kafkajs-compat.js';

// kafkajs builds protocol errors from its error table entry ({ type, code, retriable, message }).
function protocolError(type: string, code: number): KafkaJSProtocolError {
  return new KafkaJSProtocolError({ type, code, retriable: true, message: type } as unknown as Error);
}

function concurrentTransactions(): KafkaJSProtocolError {
  return protocolError('CONCURRENT_TRANSACTIONS', 51);
}

describe('kafkajs compatibility: CONCURRENT_TRANSACTIONS', () => {
  it('recognises the error directly and wrapped by kafkajs retries', () => {
    expect(isConcurrentTransactionsError(concurrentTransactions())).toBe(true);
    expect(isConcurrentTransactionsError(new KafkaJSNumberOfRetriesExceeded(concurrentTransactions(), { retryCount: 5, retryTime: 100 }))).toBe(true);
    expect(isConcurrentTransactionsError(protocolError('NOT_LEADER_FOR_PARTITION', 6))).toBe(false);
    expect(isConcurrentTransactionsError(undefined)).toBe(false);
  });

  it('retries the operation until the coordinator has finished the previous transaction', async () => {
    let calls = 0;
    const result = await retryConcurrentTransactions(
      async () => {
        calls += 1;
        if (calls < 4) throw concurrentTransactions();
        return 'done';
      },
      { initialBackoffMs: 1 },
    );
    expect(result).toBe('done');
    expect(calls).toBe(4);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    const failing = retryConcurrentTransactions(async () => {
      calls += 1;
      throw new Error('fenced');
    });
    await expect(failing).rejects.toThrow('fenced');
    expect(calls).toBe(1);
  });

  it('gives up with the last error once the wait is over', async () => {
    const failing = retryConcurrentTransactions(
      async () => {
        throw concurrentTransactions();
      },
      { maxWaitMs: 20, initialBackoffMs: 5 },
    );
    await expect(failing).rejects.toMatchObject({ type: 'CONCURRENT_TRANSACTIONS' });
  });
});
