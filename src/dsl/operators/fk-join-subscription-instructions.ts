/**
 * Which subscriptions a change of a left row sends in a foreign-key join (Kafka Streams 4.x rules). The
 * caller wraps each with the hash of the new left value (null when the row is deleted) and writes it to the
 * registration topic keyed by the foreign key. Foreign keys are compared by their serialized bytes, as the
 * partitioning of the registration topic depends on those bytes, not on the values' equality.
 */
import type { Change } from '../../processor/change.js';
import { SubscriptionInstruction } from './fk-join-subscription-wrapper.js';

/** One subscription to send: the foreign key it is keyed by (null only in a left join) and what it asks. */
export interface SubscriptionToSend<KR> {
  readonly foreignKey: KR | null;
  readonly instruction: SubscriptionInstruction;
}

/** The subscriptions to send, and whether the record counts as dropped for a null foreign key (inner join). */
export interface SubscriptionPlan<KR> {
  readonly send: readonly SubscriptionToSend<KR>[];
  readonly droppedForNullForeignKey: boolean;
}

/**
 * Plans the subscriptions for one left-table change.
 *
 * @example
 * const plan = planSubscriptions('o1', new Change({ customer: 'c2' }, { customer: 'c1' }), (_k, v) => v.customer,
 *   (fk) => Buffer.from(fk), false);
 * // plan.send: [{ foreignKey: 'c1', instruction: 0 }, { foreignKey: 'c2', instruction: 2 }]
 */
export function planSubscriptions<KL, VL, KR>(
  key: KL,
  change: Change<VL>,
  extract: (key: KL, value: VL) => KR | null,
  serializeForeignKey: (foreignKey: KR) => Buffer,
  leftJoin: boolean,
): SubscriptionPlan<KR> {
  const { newValue, oldValue } = change;
  const oldFk = oldValue === null ? null : extract(key, oldValue);
  const newFk = newValue === null ? null : extract(key, newValue);
  const fkChanged = (): boolean => !sameBytes(newFk, oldFk, serializeForeignKey);
  const send: SubscriptionToSend<KR>[] = [];
  if (leftJoin) {
    // Deleting a row that does not exist says nothing.
    if (oldValue === null && newValue === null) return { send, droppedForNullForeignKey: false };
    if (oldFk !== null && fkChanged()) send.push({ foreignKey: oldFk, instruction: SubscriptionInstruction.DELETE_KEY_NO_PROPAGATE });
    // Always ask for an answer, even for a null foreign key or a delete (KIP-962): a left join emits a result
    // (or a tombstone) for every left change; a null-keyed subscription subscribes to nothing.
    send.push({ foreignKey: newFk, instruction: SubscriptionInstruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE });
    return { send, droppedForNullForeignKey: false };
  }
  if (newValue === null) {
    if (oldFk !== null) send.push({ foreignKey: oldFk, instruction: SubscriptionInstruction.DELETE_KEY_AND_PROPAGATE });
    return { send, droppedForNullForeignKey: false };
  }
  if (newFk === null) {
    // An inner join cannot subscribe to a null key: retract the old result, if any, and count the record dropped.
    if (oldFk !== null) send.push({ foreignKey: oldFk, instruction: SubscriptionInstruction.DELETE_KEY_AND_PROPAGATE });
    return { send, droppedForNullForeignKey: true };
  }
  if (oldFk !== null && fkChanged()) {
    // The old subscription lives on another partition: remove it silently, and let the new one answer with a
    // null when nothing matches, so the previous result is retracted.
    send.push({ foreignKey: oldFk, instruction: SubscriptionInstruction.DELETE_KEY_NO_PROPAGATE });
    send.push({ foreignKey: newFk, instruction: SubscriptionInstruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE });
  } else {
    // An insert, or an update with the same foreign key: without a right row there was no result to retract.
    send.push({ foreignKey: newFk, instruction: SubscriptionInstruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE });
  }
  return { send, droppedForNullForeignKey: false };
}

function sameBytes<KR>(a: KR | null, b: KR | null, serialize: (fk: KR) => Buffer): boolean {
  if (a === null || b === null) return a === b;
  return serialize(a).equals(serialize(b));
}
