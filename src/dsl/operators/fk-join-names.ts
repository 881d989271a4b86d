/**
 * The generated names of one foreign-key join, as Kafka Streams 4.x numbers them. A join takes fourteen
 * consecutive indices of the builder's counter, starting at `first`; the next operator gets `first + 14`.
 * The layout below was read from Kafka Streams 4.3.1's `describe()` of `left.join(right, fk, joiner)` and of the
 * same `leftJoin` (identical), built on two source tables so the join started at index 6. Index `first + 13`
 * does not appear in that description (an unmaterialized result); it is still consumed.
 * The topics are internal: the runtime prepends `<applicationId>-`.
 */
import { generatedName, generatedStoreName } from '../../graph/naming.js';

/** Every name one foreign-key join generates, without a TableJoined name. */
export interface ForeignKeyJoinNames {
  /** Left side: turns left-table changes into subscriptions. */
  readonly subscriptionRegistration: string;
  readonly registrationTopic: string;
  readonly registrationSink: string;
  /** Right side: reads subscriptions into the subscription store. */
  readonly registrationSource: string;
  readonly subscriptionStore: string;
  readonly subscriptionReceiver: string;
  /** Right side: joins a received subscription with the right row (reads the right table's store). */
  readonly subscriptionJoiner: string;
  /** Right side: a right-table change answers every subscriber (reads the subscription store). */
  readonly foreignTableJoiner: string;
  readonly responseTopic: string;
  readonly responseSink: string;
  /** Left side: reads responses, drops stale ones by hash, joins with the current left row. */
  readonly responseSource: string;
  readonly responseResolver: string;
  readonly output: string;
  /** How many counter indices the join consumes. */
  readonly indicesUsed: number;
}

const REGISTRATION = 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-';
const RESPONSE = 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-';
const SUBSCRIPTION_PROCESSOR = 'KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-';

/**
 * Names of a foreign-key join whose first counter index is `first`.
 *
 * @example
 * foreignKeyJoinNames(6).registrationTopic; // 'KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic'
 */
export function foreignKeyJoinNames(first: number): ForeignKeyJoinNames {
  return Object.freeze({
    registrationTopic: `${generatedName(REGISTRATION, first)}-topic`,
    subscriptionRegistration: generatedName(REGISTRATION, first + 1),
    registrationSink: generatedName('KTABLE-SINK-', first + 2),
    registrationSource: generatedName('KTABLE-SOURCE-', first + 3),
    subscriptionStore: generatedStoreName('KTABLE-FK-JOIN-SUBSCRIPTION-', first + 4),
    subscriptionReceiver: generatedName(SUBSCRIPTION_PROCESSOR, first + 5),
    subscriptionJoiner: generatedName(SUBSCRIPTION_PROCESSOR, first + 6),
    foreignTableJoiner: generatedName(SUBSCRIPTION_PROCESSOR, first + 7),
    responseTopic: `${generatedName(RESPONSE, first + 8)}-topic`,
    responseSink: generatedName('KTABLE-SINK-', first + 9),
    responseSource: generatedName('KTABLE-SOURCE-', first + 10),
    responseResolver: generatedName('KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-', first + 11),
    output: generatedName('KTABLE-FK-JOIN-OUTPUT-', first + 12),
    indicesUsed: 14,
  });
}
