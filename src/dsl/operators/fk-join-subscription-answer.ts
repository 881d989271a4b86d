/**
 * What the right side of a foreign-key join answers to one received subscription (Kafka Streams 4.x rules).
 * The answer goes back to the left row's key with the subscription's hash, stamped with the later of the
 * subscription's and the right row's timestamps (the subscription's when there is no right row).
 */
import type { SubscriptionResponseWrapper } from './fk-join-response-wrapper.js';
import { SubscriptionInstruction, type SubscriptionWrapper } from './fk-join-subscription-wrapper.js';

/** A right-table row as the right side reads it: its value and timestamp. */
export interface TimestampedRow<V> {
  readonly value: V;
  readonly timestamp: number;
}

/** A response to send, with the timestamp of the record that carries it. */
export interface SubscriptionAnswer<VR> {
  readonly response: SubscriptionResponseWrapper<VR>;
  readonly timestamp: number;
}

/**
 * The answer to a subscription, or null when the instruction asks for none.
 *
 * @example
 * const subscription = { hash: null, instruction: SubscriptionInstruction.DELETE_KEY_AND_PROPAGATE, primaryKey: 'o1', primaryPartition: 0 };
 * answerSubscription(subscription, 10, { value: 'Ada', timestamp: 5 });
 * // { response: { originalValueHash: null, foreignValue: null }, timestamp: 10 }
 */
export function answerSubscription<KL, VR>(
  subscription: SubscriptionWrapper<KL>,
  subscriptionTimestamp: number,
  rightRow: TimestampedRow<VR> | null,
): SubscriptionAnswer<VR> | null {
  const timestamp = rightRow === null ? subscriptionTimestamp : Math.max(subscriptionTimestamp, rightRow.timestamp);
  const answer = (foreignValue: VR | null): SubscriptionAnswer<VR> => ({
    response: { originalValueHash: subscription.hash, foreignValue },
    timestamp,
  });
  switch (subscription.instruction) {
    case SubscriptionInstruction.DELETE_KEY_AND_PROPAGATE:
      // The left row is gone (or lost its foreign key): the answer retracts its result.
      return answer(null);
    case SubscriptionInstruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE:
      return answer(rightRow === null ? null : rightRow.value);
    case SubscriptionInstruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE:
      return rightRow === null ? null : answer(rightRow.value);
    case SubscriptionInstruction.DELETE_KEY_NO_PROPAGATE:
      return null;
  }
}
