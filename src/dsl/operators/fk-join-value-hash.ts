/**
 * The value hash of a foreign-key join: MurmurHash3 x64 128-bit of the serialized left value, with the seed
 * Kafka Streams uses (104729). A subscription carries the hash of the left value that sent it; the response
 * comes back with the same hash, and the left side drops a response whose hash no longer matches its current
 * value (a newer update has overtaken it). The two 64-bit halves are kept as signed bigints, the way Kafka
 * writes them (big-endian longs) into the subscription and response wrappers.
 */

const MASK = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;
/** Kafka Streams' default seed for this hash. */
export const FK_JOIN_HASH_SEED = 104729n;

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK;
}

function mul(a: bigint, b: bigint): bigint {
  return (a * b) & MASK;
}

function fmix(k: bigint): bigint {
  k ^= k >> 33n;
  k = mul(k, 0xff51afd7ed558ccdn);
  k ^= k >> 33n;
  k = mul(k, 0xc4ceb9fe1a85ec53n);
  return k ^ (k >> 33n);
}

function mixK1(k1: bigint): bigint {
  return mul(rotl(mul(k1, C1), 31n), C2);
}

function mixK2(k2: bigint): bigint {
  return mul(rotl(mul(k2, C2), 33n), C1);
}

/** A value hash: the two halves as signed 64-bit integers, in Kafka's order. */
export type ValueHash = readonly [bigint, bigint];

/**
 * Hashes serialized bytes as Kafka Streams' foreign-key join does.
 *
 * @example
 * const [h1, h2] = valueHash(Buffer.from('hello'));
 */
export function valueHash(data: Uint8Array): ValueHash {
  const length = data.length;
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let h1 = FK_JOIN_HASH_SEED;
  let h2 = FK_JOIN_HASH_SEED;
  const blocks = length >> 4;
  for (let i = 0; i < blocks; i++) {
    const k1 = view.readBigUInt64LE(i * 16);
    const k2 = view.readBigUInt64LE(i * 16 + 8);
    h1 ^= mixK1(k1);
    h1 = (mul(rotl(h1, 27n) + h2, 5n) + 0x52dce729n) & MASK;
    h2 ^= mixK2(k2);
    h2 = (mul(rotl(h2, 31n) + h1, 5n) + 0x38495ab5n) & MASK;
  }
  // The tail (length % 16 bytes): bytes 8..15 feed k2, bytes 0..7 feed k1, little-endian.
  const tail = blocks * 16;
  const rest = length & 15;
  let k1 = 0n;
  let k2 = 0n;
  for (let i = rest - 1; i >= 8; i--) k2 ^= BigInt(view[tail + i]!) << BigInt((i - 8) * 8);
  for (let i = Math.min(rest, 8) - 1; i >= 0; i--) k1 ^= BigInt(view[tail + i]!) << BigInt(i * 8);
  if (rest > 8) h2 ^= mixK2(k2);
  if (rest > 0) h1 ^= mixK1(k1);
  const len = BigInt(length);
  h1 ^= len;
  h2 ^= len;
  h1 = (h1 + h2) & MASK;
  h2 = (h2 + h1) & MASK;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) & MASK;
  h2 = (h2 + h1) & MASK;
  return [BigInt.asIntN(64, h1), BigInt.asIntN(64, h2)];
}

/** Whether two value hashes are equal; `null` (no left value) equals only `null`. */
export function sameValueHash(a: ValueHash | null, b: ValueHash | null): boolean {
  if (a === null || b === null) return a === b;
  return a[0] === b[0] && a[1] === b[1];
}
