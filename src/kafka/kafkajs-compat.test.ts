import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, type Admin } from 'kafkajs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createTopics, installTxnOffsetCommitV3, isConcurrentTransactionsError, retryConcurrentTransactions, withGroupMetadata } from './kafkajs-compat.js';
import { classifyTransactionFailure } from './transaction-errors.js';

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

type BuiltRequest = {
  request: { apiVersion: number; encode: () => Promise<{ buffer: Buffer }> };
  response: { decode: (payload: Buffer) => Promise<unknown>; parse: (data: unknown) => Promise<unknown> };
};

/** What kafkajs's broker builds for a TxnOffsetCommit when the broker supports versions up to `maxVersion`. */
function kafkajsTxnOffsetCommit(maxVersion: number, topics: object[]): BuiltRequest {
  const require = createRequire(import.meta.url);
  const { lookup, requests } = require('kafkajs/src/protocol/requests/index.js') as {
    lookup: (versions: object) => (apiKey: number, definitions: unknown) => (args: object) => BuiltRequest;
    requests: { TxnOffsetCommit: unknown };
  };
  const build = lookup({ 28: { minVersion: 0, maxVersion } })(28, requests.TxnOffsetCommit);
  return build({ transactionalId: 'tx', groupId: 'g', producerId: '5', producerEpoch: 1, topics });
}

describe('kafkajs compatibility: TxnOffsetCommit v3 with the group generation', () => {
  const offsets = () => [{ topic: 'in', partitions: [{ partition: 0, offset: '42' }] }];

  it('is what kafkajs sends for offsets with group metadata when the broker supports it, version 1 otherwise', async () => {
    expect(installTxnOffsetCommitV3()).toBe(true);
    const fenced = kafkajsTxnOffsetCommit(5, withGroupMetadata(offsets(), { generationId: 7, memberId: 'm' }));
    expect(fenced.request.apiVersion).toBe(3);
    const bytes = (await fenced.request.encode()).buffer;
    // Request header tagged fields, then transactional id 'tx', group 'g', producer id 5, epoch 1, generation 7, member 'm'.
    expect(bytes.subarray(0, 22).toString('hex')).toBe('00' + '037478' + '0267' + '0000000000000005' + '0001' + '00000007' + '026d');
    expect(kafkajsTxnOffsetCommit(5, offsets()).request.apiVersion).toBe(1);
    expect(kafkajsTxnOffsetCommit(2, withGroupMetadata(offsets(), { generationId: 7, memberId: 'm' })).request.apiVersion).toBe(1);
  });

  it("leaves offsets without group metadata (a user's own producer) to stock kafkajs: the same request, byte for byte", async () => {
    expect(installTxnOffsetCommitV3()).toBe(true);
    const require = createRequire(import.meta.url);
    const stock = (version: number) =>
      (require(`kafkajs/src/protocol/requests/txnOffsetCommit/v${version}/request.js`) as (args: object) => { apiVersion: number; encode: () => Promise<{ buffer: Buffer }> })({
        transactionalId: 'tx',
        groupId: 'g',
        producerId: '5',
        producerEpoch: 1,
        topics: offsets(),
      });
    // A broker with version 3 and more, one without (2), and the two versions kafkajs implements itself.
    for (const [brokerMax, stockVersion] of [[5, 1], [2, 1], [1, 1], [0, 0]] as const) {
      const { request } = kafkajsTxnOffsetCommit(brokerMax, offsets());
      expect(request.apiVersion).toBe(stockVersion);
      expect((await request.encode()).buffer).toEqual((await stock(stockVersion).encode()).buffer);
    }
  });

  it('turns a refused partition into the kafkajs protocol error of its code, classified as migrated', async () => {
    const { response } = kafkajsTxnOffsetCommit(5, withGroupMetadata(offsets(), { generationId: 7, memberId: 'm' }));
    const refused = async (code: number) => {
      const answer = Buffer.from(`00 00000000 02 03696e 02 00000000 ${code.toString(16).padStart(4, '0')} 00 00 00`.replace(/ /g, ''), 'hex');
      return response.parse(await response.decode(answer)).then(
        () => undefined,
        (error: unknown) => error,
      );
    };
    const illegal = await refused(22);
    expect(illegal).toMatchObject({ name: 'KafkaJSProtocolError', type: 'ILLEGAL_GENERATION', code: 22, retriable: false, topic: 'in', partition: 0, generationId: 7 });
    expect(classifyTransactionFailure(illegal)).toBe('migrated');
    expect(await refused(25)).toMatchObject({ type: 'UNKNOWN_MEMBER_ID', code: 25 });
    expect(classifyTransactionFailure(await refused(82))).toBe('migrated');
    expect(await refused(0)).toBeUndefined();
  });
});

describe('kafkajs compatibility: createTopics waits for leaders', () => {
  type Metadata = { topics: { name: string; partitions: { leader: number }[] }[] };
  /** An admin whose metadata answers come from `answers` in turn (the last one repeats), counting the calls. */
  function admin(answers: (Metadata | Error)[]): { admin: Admin; polls: () => number; offsetsAsked: string[] } {
    let polls = 0;
    const offsetsAsked: string[] = [];
    return {
      polls: () => polls,
      offsetsAsked,
      admin: {
        createTopics: async () => true,
        fetchTopicMetadata: async () => {
          const answer = answers[Math.min(polls++, answers.length - 1)]!;
          if (answer instanceof Error) throw answer;
          return answer;
        },
        fetchTopicOffsets: async (topic: string) => void offsetsAsked.push(topic),
      } as unknown as Admin,
    };
  }
  const leaderless: Metadata = { topics: [{ name: 't', partitions: [{ leader: -1 }, { leader: 1 }] }] };
  const ready: Metadata = { topics: [{ name: 't', partitions: [{ leader: 1 }, { leader: 1 }] }] };
  const notYet = (): Error => Object.assign(new Error('This server does not host this topic-partition'), { type: 'UNKNOWN_TOPIC_OR_PARTITION' });

  it('polls the metadata until every partition has a leader, then asks each leader for offsets', async () => {
    const fake = admin([notYet(), leaderless, ready]);
    await expect(createTopics(fake.admin, { topics: [{ topic: 't', numPartitions: 2 }] })).resolves.toBe(true);
    expect(fake.polls()).toBe(3);
    expect(fake.offsetsAsked).toEqual(['t']);
  });

  it('fails at once on an error that is not about metadata lag', async () => {
    const denied = Object.assign(new Error('Not authorized'), { type: 'TOPIC_AUTHORIZATION_FAILED' });
    const fake = admin([denied]);
    await expect(createTopics(fake.admin, { topics: [{ topic: 't', numPartitions: 2 }] })).rejects.toBe(denied);
    expect(fake.polls()).toBe(1);
  });

  it('gives up after the timeout, naming the topics, with the last metadata error as cause', async () => {
    const lag = notYet();
    const fake = admin([lag]);
    const error = await createTopics(fake.admin, { topics: [{ topic: 't', numPartitions: 2 }], timeout: 250 }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('timed out after 250 ms waiting for leaders of t');
    expect((error as Error).cause).toBe(lag);
    expect(fake.polls()).toBeGreaterThanOrEqual(2);
  });
});
