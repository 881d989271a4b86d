/**
 * What the left side of a foreign-key join does with one response (Kafka Streams 4.x rules). The response
 * carries the hash of the left value that sent the subscription; if the left row has changed since (or is gone),
 * the hashes differ and the response is stale: a newer subscription is on its way and will answer instead.
 * A fresh response emits the join of the current left value with the right value, or a tombstone when there is
 * nothing to join (no right value in an inner join, or no left row at all).
 */
import type { SubscriptionResponseWrapper } from './fk-join-response-wrapper.js';
import { sameValueHash, valueHash } from './fk-join-value-hash.js';

/** The outcome: drop a stale response, or emit a value (null is a tombstone for the left key). */
export type ResponseResolution<VO> = { readonly stale: true } | { readonly stale: false; readonly value: VO | null };

/**
 * Resolves a response against the current left value.
 *
 * @example
 * const left = 'order-1:c1';
 * const ser = (v: string) => Buffer.from(v);
 * resolveResponse({ originalValueHash: valueHash(ser(left)), foreignValue: 'Ada' }, left, ser, (l, r) => `${l}/${r}`, false);
 * // { stale: false, value: 'order-1:c1/Ada' }
 */
export function resolveResponse<VL, VR, VO>(
  response: SubscriptionResponseWrapper<VR>,
  currentLeft: VL | null,
  serializeLeft: (value: VL) => Buffer,
  joiner: (left: VL, right: VR | null) => VO,
  leftJoin: boolean,
): ResponseResolution<VO> {
  const currentHash = currentLeft === null ? null : valueHash(serializeLeft(currentLeft));
  if (!sameValueHash(response.originalValueHash, currentHash)) return { stale: true };
  // Only a delete's subscription carries no hash, and the right side answers it without a value; Kafka Streams
  // would call the joiner with a null left value if a right value came anyway, which no subscription asks for.
  if (currentLeft === null) return { stale: false, value: null };
  if (response.foreignValue === null && !leftJoin) return { stale: false, value: null };
  return { stale: false, value: joiner(currentLeft, response.foreignValue) };
}
