/**
 * What a change of a right-table row sends in a foreign-key join (Kafka Streams 4.x rules): one response to
 * every left row subscribed to that foreign key, each with the hash its subscription carried and the right
 * row's new value (null when the row was deleted, which retracts inner-join results and turns left-join
 * results into joins with null). The responses keep the right record's timestamp.
 */
import type { SubscriptionResponseWrapper } from './fk-join-response-wrapper.js';
import type { SubscriptionWrapper } from './fk-join-subscription-wrapper.js';

/** A response addressed to one subscribed left row. */
export interface AddressedResponse<KL, VR> {
  readonly primaryKey: KL;
  readonly response: SubscriptionResponseWrapper<VR>;
}

/**
 * The responses for a right-row change, given that row's subscriptions (from the subscription store's
 * prefix scan). A null right key reaches no subscriber: the caller drops it and counts it.
 *
 * @example
 * const subscriber = { hash: null, instruction: SubscriptionInstruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE, primaryKey: 'o1', primaryPartition: 0 };
 * responsesForForeignChange([subscriber], 'Ada'); // [{ primaryKey: 'o1', response: { originalValueHash: null, foreignValue: 'Ada' } }]
 */
export function responsesForForeignChange<KL, VR>(
  subscribers: Iterable<SubscriptionWrapper<KL>>,
  newRightValue: VR | null,
): AddressedResponse<KL, VR>[] {
  const out: AddressedResponse<KL, VR>[] = [];
  for (const subscription of subscribers) {
    out.push({
      primaryKey: subscription.primaryKey,
      response: { originalValueHash: subscription.hash, foreignValue: newRightValue },
    });
  }
  return out;
}
