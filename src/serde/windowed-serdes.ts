import { Windowed } from '../dsl/windows.js';
import type { Serde } from './serde.js';

/**
 * Serde of time-windowed keys as Kafka Streams writes them to user topics: the inner key bytes followed
 * by the 8-byte big-endian window start (the end is not written; it is start + windowSize on read).
 *
 * @example
 * const keySerde = timeWindowedSerde(Serdes.string(), minutes(5));
 */
export function timeWindowedSerde<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
  return {
    name: `timeWindowed(${inner.name ?? 'key'})`,
    serialize: (w, topic) => {
      const key = inner.serialize(w.key, topic);
      const out = Buffer.allocUnsafe(key.length + 8);
      key.copy(out, 0);
      out.writeBigInt64BE(BigInt(w.window.start), key.length);
      return out;
    },
    deserialize: (bytes, topic) => {
      if (bytes.length < 8) throw new RangeError(`time-windowed key of ${bytes.length} bytes is shorter than its 8-byte window start`);
      const start = Number(bytes.readBigInt64BE(bytes.length - 8));
      return new Windowed(inner.deserialize(bytes.subarray(0, bytes.length - 8), topic), { start, end: start + windowSizeMs });
    },
  };
}

/**
 * Serde of session-windowed keys, Kafka's layout: inner key bytes, 8-byte end, 8-byte start.
 *
 * @example
 * const keySerde = sessionWindowedSerde(Serdes.string());
 */
export function sessionWindowedSerde<K>(inner: Serde<K>): Serde<Windowed<K>> {
  return {
    name: `sessionWindowed(${inner.name ?? 'key'})`,
    serialize: (w, topic) => {
      const key = inner.serialize(w.key, topic);
      const out = Buffer.allocUnsafe(key.length + 16);
      key.copy(out, 0);
      out.writeBigInt64BE(BigInt(w.window.end), key.length);
      out.writeBigInt64BE(BigInt(w.window.start), key.length + 8);
      return out;
    },
    deserialize: (bytes, topic) => {
      if (bytes.length < 16) throw new RangeError(`session-windowed key of ${bytes.length} bytes is shorter than its 16-byte window`);
      const end = Number(bytes.readBigInt64BE(bytes.length - 16));
      const start = Number(bytes.readBigInt64BE(bytes.length - 8));
      return new Windowed(inner.deserialize(bytes.subarray(0, bytes.length - 16), topic), { start, end });
    },
  };
}
