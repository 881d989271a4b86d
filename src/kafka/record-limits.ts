import { InvalidRecordError, InvalidTopicError, RecordTooLargeError, type OutgoingRecord, type StreamsError } from '../errors.js';

/**
 * Checks an output record before it is sent, as the Java producer does (`max.request.size`, topic name rules),
 * plus the two broker-side checks that concern one record alone: the topic's `max.message.bytes` and the
 * rule that a compacted topic takes no record without a key. A record that fails here is never sent, so it
 * cannot take the records around it down with it (kafkajs fails a whole request, and a rejected batch in a
 * transaction leaves the producer's sequence numbers out of step with the broker).
 */

/** What the broker enforces per record on one topic (from its configs). */
export interface TopicLimits {
  /** `max.message.bytes`: the largest record batch the topic takes. */
  readonly maxMessageBytes: number;
  /** `cleanup.policy` includes `compact`: records without a key are refused. */
  readonly compacted: boolean;
}

/** The Java producer's default `max.request.size`, also the broker's default `message.max.bytes` (minus its 12-byte log overhead). */
export const DEFAULT_MAX_REQUEST_BYTES = 1_048_576;

/** Record batch v2 header: base offset 8, length 4, leader epoch 4, magic 1, crc 4, attributes 2, last offset delta 4, timestamps 16, producer id 8, epoch 2, base sequence 4, record count 4. */
const BATCH_HEADER_BYTES = 61;
/** A varint takes at most 5 bytes for an int32, 10 for an int64. */
const VARINT32 = 5;
const VARINT64 = 10;

/**
 * An upper bound of the bytes a record batch holding only `record` takes on the wire (no compression): the
 * batch header plus the record's length, attributes, timestamp and offset deltas, key, value and headers.
 * Over-estimating only makes the check stricter by a few bytes.
 */
export function recordBatchBytesUpperBound(record: OutgoingRecord): number {
  let bytes = BATCH_HEADER_BYTES + VARINT32 + 1 + VARINT64 + VARINT32;
  bytes += VARINT32 + (record.key?.length ?? 0);
  bytes += VARINT32 + (record.value?.length ?? 0);
  bytes += VARINT32;
  // for-in: no array per record on the produce path (headers are usually empty).
  for (const name in record.headers) {
    const value = record.headers[name];
    if (value === undefined) continue;
    // kafkajs writes one header per element of an array value.
    for (const v of Array.isArray(value) ? (value as readonly (Buffer | string)[]) : [value as Buffer | string]) {
      bytes += VARINT32 + Buffer.byteLength(name) + VARINT32 + (typeof v === 'string' ? Buffer.byteLength(v) : v.length);
    }
  }
  return bytes;
}

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/** Kafka's topic name rule: 1-249 characters of `[a-zA-Z0-9._-]`, and neither `.` nor `..`. */
export function isLegalTopicName(topic: string): boolean {
  return LEGAL_TOPIC.test(topic) && topic !== '.' && topic !== '..';
}

/**
 * The reason `record` cannot be produced, or undefined when it can. `maxRequestBytes` is the client-side
 * limit; `limits`, when known, adds the topic's own.
 *
 * @example
 * const problem = checkOutgoingRecord(record, DEFAULT_MAX_REQUEST_BYTES, { maxMessageBytes: 1_048_588, compacted: false });
 * if (problem) console.log(problem.message);
 */
export function checkOutgoingRecord(record: OutgoingRecord, maxRequestBytes: number, limits?: TopicLimits): StreamsError | undefined {
  if (!isLegalTopicName(record.topic)) {
    return new InvalidTopicError(`cannot produce to ${JSON.stringify(record.topic.slice(0, 300))}: a topic name has 1 to 249 characters of a-z, A-Z, 0-9, '.', '_' and '-' and is neither '.' nor '..'`, { topic: record.topic });
  }
  const bytes = recordBatchBytesUpperBound(record);
  const limit = Math.min(maxRequestBytes, limits?.maxMessageBytes ?? Number.POSITIVE_INFINITY);
  if (bytes > limit) {
    const which = limits !== undefined && limits.maxMessageBytes < maxRequestBytes ? `the topic's max.message.bytes (${limits.maxMessageBytes})` : `the producer's maximum request size (${maxRequestBytes})`;
    return new RecordTooLargeError(`record of about ${bytes} bytes is larger than ${which}`, { topic: record.topic, bytes, limit });
  }
  if (limits?.compacted === true && record.key === null) {
    return new InvalidRecordError('a compacted topic (cleanup.policy=compact) takes no record without a key', { topic: record.topic });
  }
  return undefined;
}
