/**
 * The value of a foreign-key join's subscription registration topic: what the left table sends to the right
 * table's task, keyed by foreign key. The byte layout is Kafka Streams' (version 1), so both engines read each
 * other's topics: `[version, 0x80 set when there is no hash][instruction][16-byte hash, absent when null]
 * [serialized primary key][int32 BE primary partition]`. Version 0 (no partition) is read too.
 */
import { TributaryError } from '../../errors.js';
import type { Serde } from '../../serde/serde.js';
import type { ValueHash } from './fk-join-value-hash.js';

/**
 * What the right side does with a subscription. The numbers are the bytes on the wire.
 * - DELETE_KEY_NO_PROPAGATE: unsubscribe the old foreign key after a change of foreign key; no result.
 * - DELETE_KEY_AND_PROPAGATE: unsubscribe (left row deleted, or its foreign key became null) and send back a
 *   null so the left side emits its delete (or, for a left join, the row joined with null).
 * - PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE: subscribe; answer even when the right row is absent (left join, or
 *   an inner join whose foreign key changed, so the old result is retracted).
 * - PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE: subscribe; answer only when the right row exists (inner join, new row).
 */
export const SubscriptionInstruction = Object.freeze({
  DELETE_KEY_NO_PROPAGATE: 0,
  DELETE_KEY_AND_PROPAGATE: 1,
  PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE: 2,
  PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE: 3,
} as const);
export type SubscriptionInstruction = (typeof SubscriptionInstruction)[keyof typeof SubscriptionInstruction];

/** One subscription: the left row's primary key, the hash of its value, and the partition it lives on. */
export interface SubscriptionWrapper<K> {
  readonly hash: ValueHash | null;
  readonly instruction: SubscriptionInstruction;
  readonly primaryKey: K;
  /** The left row's partition, so the response goes back to it (Kafka Streams writes it since version 1). */
  readonly primaryPartition: number | null;
}

const CURRENT_VERSION = 1;
const HASH_ABSENT = 0x80;
const HASH_BYTES = 16;

/**
 * Serde of subscription wrappers around the left table's key serde.
 *
 * @example
 * const serde = subscriptionWrapperSerde(Serdes.string());
 * const bytes = serde.serialize(
 *   { hash: null, instruction: SubscriptionInstruction.DELETE_KEY_AND_PROPAGATE, primaryKey: 'order-1', primaryPartition: 0 },
 *   'app-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic',
 * );
 */
export function subscriptionWrapperSerde<K>(primaryKeySerde: Serde<K>): Serde<SubscriptionWrapper<K>> {
  return Object.freeze({
    name: `subscription-wrapper(${primaryKeySerde.name ?? 'custom'})`,
    serialize: (data: SubscriptionWrapper<K>, topic: string) => {
      const key = primaryKeySerde.serialize(data.primaryKey, topic);
      const hashLength = data.hash === null ? 0 : HASH_BYTES;
      const out = Buffer.alloc(2 + hashLength + key.length + 4);
      out.writeUInt8(data.hash === null ? CURRENT_VERSION | HASH_ABSENT : CURRENT_VERSION, 0);
      out.writeUInt8(data.instruction, 1);
      if (data.hash !== null) {
        out.writeBigInt64BE(data.hash[0], 2);
        out.writeBigInt64BE(data.hash[1], 10);
      }
      key.copy(out, 2 + hashLength);
      // Kafka Streams writes -1 for an unknown partition.
      out.writeInt32BE(data.primaryPartition ?? -1, 2 + hashLength + key.length);
      return out;
    },
    deserialize: (bytes: Buffer, topic: string) => {
      const fail = (why: string): never => {
        throw new TributaryError(`subscription wrapper on ${topic}: ${why}`, { topic });
      };
      if (bytes.length < 2) fail(`needs at least 2 bytes, got ${bytes.length}`);
      const first = bytes.readUInt8(0);
      const version = first & ~HASH_ABSENT;
      if (version > CURRENT_VERSION) fail(`unknown version ${version}`);
      const instruction = bytes.readUInt8(1);
      if (instruction > 3) fail(`unknown instruction ${instruction}`);
      const hasHash = (first & HASH_ABSENT) === 0;
      const keyStart = 2 + (hasHash ? HASH_BYTES : 0);
      const keyEnd = bytes.length - (version >= 1 ? 4 : 0);
      if (keyEnd < keyStart) fail(`too short (${bytes.length} bytes) for version ${version}`);
      const hash: ValueHash | null = hasHash ? [bytes.readBigInt64BE(2), bytes.readBigInt64BE(10)] : null;
      const partition = version >= 1 ? bytes.readInt32BE(keyEnd) : -1;
      return {
        hash,
        instruction: instruction as SubscriptionInstruction,
        primaryKey: primaryKeySerde.deserialize(bytes.subarray(keyStart, keyEnd), topic),
        primaryPartition: partition < 0 ? null : partition,
      };
    },
  });
}

