/**
 * A serde turns values of one type into bytes and back. Tributary never passes `null` to a serde:
 * a null key or value travels as a null payload (for values: a tombstone), see {@link serializeNullable}.
 *
 * The members are function-typed properties, not methods, so `Serde<T>` is invariant in `T`:
 * a `Serde<number>` can never be passed where a `Serde<string>` is expected.
 *
 * @example
 * const upper: Serde<string> = {
 *   serialize: (value) => Buffer.from(value.toUpperCase(), 'utf8'),
 *   deserialize: (bytes) => bytes.toString('utf8'),
 * };
 */
export interface Serde<T> {
  readonly serialize: (value: T, topic: string) => Buffer;
  readonly deserialize: (bytes: Buffer, topic: string) => T;
  /** Shown by describe() and in error messages. */
  readonly name?: string;
  /**
   * Resolves what `serialize(value, topic)` needs from outside the process (e.g. a schema id from a schema
   * registry), so serializing never waits. KafkaStreams awaits it before processing starts for every topic
   * the topology writes with this serde: sinks, repartition and changelog topics.
   */
  readonly prepare?: (topic: string) => Promise<void>;
  /**
   * Fetches what `deserialize` needs for these payloads (e.g. writer schemas by id). KafkaStreams awaits it
   * for each fetched batch before its records are deserialized.
   */
  readonly prefetch?: (payloads: readonly Buffer[], topic: string) => Promise<void>;
}

/** Key and value serdes of a topic or a store. */
export interface KeyValueSerdes<K, V> {
  readonly key: Serde<K>;
  readonly value: Serde<V>;
}

/** Serializes `value`, mapping null/undefined to a null payload (tombstone for values). */
export function serializeNullable<T>(serde: Serde<T>, value: T | null | undefined, topic: string): Buffer | null {
  return value === null || value === undefined ? null : serde.serialize(value, topic);
}

/** Deserializes `bytes`, mapping a null payload to null. */
export function deserializeNullable<T>(serde: Serde<T>, bytes: Buffer | null | undefined, topic: string): T | null {
  return bytes === null || bytes === undefined ? null : serde.deserialize(bytes, topic);
}
