import { describe, expect, it } from 'vitest';
import { foreignKeyJoinNames } from './fk-join-names.js';

// Expected names from Kafka Streams 4.3.1's describe() of
// table("left").join(table("right"), v -> v, joiner).toStream().to("out"): the join starts at index 6 and the
// toStream after it is KTABLE-TOSTREAM-0000000020.
describe('foreign-key join names', () => {
  it('numbers processors, store and topics as Kafka Streams does', () => {
    expect(foreignKeyJoinNames(6)).toEqual({
      registrationTopic: 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic',
      subscriptionRegistration: 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007',
      registrationSink: 'KTABLE-SINK-0000000008',
      registrationSource: 'KTABLE-SOURCE-0000000009',
      subscriptionStore: 'KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010',
      subscriptionReceiver: 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011',
      subscriptionJoiner: 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012',
      foreignTableJoiner: 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013',
      responseTopic: 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic',
      responseSink: 'KTABLE-SINK-0000000015',
      responseSource: 'KTABLE-SOURCE-0000000016',
      responseResolver: 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017',
      output: 'KTABLE-FK-JOIN-OUTPUT-0000000018',
      indicesUsed: 14,
    });
    expect(6 + foreignKeyJoinNames(6).indicesUsed).toBe(20);
  });
});
