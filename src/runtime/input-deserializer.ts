import { atRecord, DeserializationError } from '../errors.js';
import type { NodeOf } from '../graph/nodes.js';
import { Record } from '../processor/record.js';
import type { InputRecord } from './task-types.js';

/** Why an input record cannot be processed: a failure for the deserialization policy, or a bad timestamp. */
export type Undeserializable = { readonly error: DeserializationError } | { readonly invalidTimestamp: number };

/**
 * Turns consumed bytes into the record a source node forwards: key and value through the source's serdes,
 * the timestamp through its extractor (given the partition time). Returns what went wrong instead of
 * throwing, so the task decides (policy, dropped-records) and a bad record never reaches a processor.
 */
export function deserializeInput(raw: InputRecord, source: NodeOf<'Source'>, partitionTime: number): Record<unknown, unknown> | Undeserializable {
  let key: unknown;
  let value: unknown;
  try {
    key = raw.key === null ? null : source.keySerde!.deserialize(raw.key, raw.topic);
    value = raw.value === null ? null : source.valueSerde!.deserialize(raw.value, raw.topic);
  } catch (cause) {
    const message = `cannot deserialize record: ${cause instanceof Error ? cause.message : String(cause)}`;
    return { error: new DeserializationError(message, { ...atRecord(raw), cause }) };
  }
  let timestamp = raw.timestamp;
  if (source.timestampExtractor !== undefined) {
    try {
      timestamp = source.timestampExtractor({ topic: raw.topic, partition: raw.partition, offset: raw.offset, key, value, timestamp: raw.timestamp, headers: raw.headers }, partitionTime);
    } catch (cause) {
      const message = `timestamp extractor failed: ${cause instanceof Error ? cause.message : String(cause)}`;
      return { error: new DeserializationError(message, { ...atRecord(raw), cause }) };
    }
  }
  if (!(timestamp >= 0)) return { invalidTimestamp: timestamp };
  return new Record(key, value, timestamp, raw.headers);
}
