/**
 * The value of a foreign-key join's subscription response topic: what the right table's task sends back to
 * the left row (keyed by its primary key). The byte layout is Kafka Streams' (version 0):
 * `[version, 0x80 set when there is no hash][16-byte hash, absent when null][serialized right value, absent
 * when null]`. The hash is the one the subscription carried, so the left side can drop a stale response.
 */
import { TributaryError } from '../../errors.js';
import type { Serde } from '../../serde/serde.js';
import type { ValueHash } from './fk-join-value-hash.js';

/** One response: the subscription's value hash and the right row's value (null when it has none). */
export interface SubscriptionResponseWrapper<VR> {
  readonly originalValueHash: ValueHash | null;
  readonly foreignValue: VR | null;
}

const CURRENT_VERSION = 0;
const HASH_ABSENT = 0x80;
const HASH_BYTES = 16;

/**
 * Serde of response wrappers around the right table's value serde.
 *
 * @example
 * const serde = responseWrapperSerde(Serdes.string());
 * const bytes = serde.serialize({ originalValueHash: null, foreignValue: null }, 'topic');
 */
export function responseWrapperSerde<VR>(foreignValueSerde: Serde<VR>): Serde<SubscriptionResponseWrapper<VR>> {
  return Object.freeze({
    name: `response-wrapper(${foreignValueSerde.name ?? 'custom'})`,
    serialize: (data: SubscriptionResponseWrapper<VR>, topic: string) => {
      const value = data.foreignValue === null ? null : foreignValueSerde.serialize(data.foreignValue, topic);
      const hash = data.originalValueHash;
      const out = Buffer.alloc(1 + (hash === null ? 0 : HASH_BYTES) + (value?.length ?? 0));
      out.writeUInt8(hash === null ? CURRENT_VERSION | HASH_ABSENT : CURRENT_VERSION, 0);
      if (hash !== null) {
        out.writeBigInt64BE(hash[0], 1);
        out.writeBigInt64BE(hash[1], 9);
      }
      value?.copy(out, 1 + (hash === null ? 0 : HASH_BYTES));
      return out;
    },
    deserialize: (bytes: Buffer, topic: string) => {
      if (bytes.length < 1) throw new TributaryError(`response wrapper on ${topic}: empty payload`, { topic });
      const first = bytes.readUInt8(0);
      const version = first & ~HASH_ABSENT;
      if (version !== CURRENT_VERSION) throw new TributaryError(`response wrapper on ${topic}: unknown version ${version}`, { topic });
      const hasHash = (first & HASH_ABSENT) === 0;
      if (hasHash && bytes.length < 1 + HASH_BYTES) {
        throw new TributaryError(`response wrapper on ${topic}: too short (${bytes.length} bytes) for a hash`, { topic });
      }
      const hash: ValueHash | null = hasHash ? [bytes.readBigInt64BE(1), bytes.readBigInt64BE(9)] : null;
      const rest = bytes.subarray(1 + (hasHash ? HASH_BYTES : 0));
      // As in Kafka Streams, no bytes after the hash means no right value.
      return { originalValueHash: hash, foreignValue: rest.length > 0 ? foreignValueSerde.deserialize(rest, topic) : null };
    },
  });
}
