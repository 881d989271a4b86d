import type { Logger } from 'pino';
import type { FailedRecord, InputCoordinates } from './processor/failed-record.js';
import type { OutgoingRecord } from './processor/outgoing-record.js';

// The record types the errors and policies speak of belong to the processor API; re-exported here for the
// modules that import them with the errors.
export type { FailedRecord, InputCoordinates, OutgoingRecord };

/** Fields every Tributary error may carry. */
export interface StreamsErrorOptions {
  readonly retriable?: boolean;
  readonly cause?: unknown;
  readonly context?: Readonly<{ [key: string]: unknown }>;
}

/**
 * Base class of every error Tributary throws. `retriable` tells a retry loop whether trying again can help;
 * `context` holds data for logs (never secrets).
 */
export class StreamsError extends Error {
  readonly retriable: boolean;
  readonly context: Readonly<{ [key: string]: unknown }>;

  constructor(message: string, options: StreamsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
  }
}

/** The topology is invalid; raised by `builder.build()` with a message saying how to fix it. */
export class TopologyError extends StreamsError {
  constructor(
    message: string,
    readonly nodeName?: string,
    options: StreamsErrorOptions = {},
  ) {
    super(message, { ...options, context: { nodeName, ...options.context } });
  }
}

/** A state store failed or was used wrongly. */
export class StateStoreError extends StreamsError {
  constructor(
    message: string,
    readonly storeName: string,
    readonly partition?: number,
    options: StreamsErrorOptions = {},
  ) {
    super(message, { ...options, context: { storeName, partition, ...options.context } });
  }
}


/** A key or value of an input record could not be deserialized. */
export class DeserializationError extends StreamsError {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  constructor(message: string, at: InputCoordinates, options: StreamsErrorOptions = {}) {
    super(`${message} (topic ${at.topic}, partition ${at.partition}, offset ${at.offset})`, {
      ...options,
      context: { ...at, ...options.context },
    });
    this.topic = at.topic;
    this.partition = at.partition;
    this.offset = at.offset;
  }
}

/** User code or a processor threw while processing a record. */
export class ProcessingError extends StreamsError {
  readonly topic: string | undefined;
  readonly partition: number | undefined;
  readonly offset: number | undefined;
  constructor(
    message: string,
    readonly nodeName: string,
    at: InputCoordinates | null,
    options: StreamsErrorOptions = {},
  ) {
    super(at ? `${message} (node ${nodeName}, topic ${at.topic}, partition ${at.partition}, offset ${at.offset})` : `${message} (node ${nodeName})`, {
      ...options,
      context: { nodeName, ...at, ...options.context },
    });
    this.topic = at?.topic;
    this.partition = at?.partition;
    this.offset = at?.offset;
  }
}

/** An output record could not be serialized or produced. */
export class ProductionError extends StreamsError {
  constructor(
    message: string,
    readonly topic: string,
    options: StreamsErrorOptions = {},
  ) {
    super(`${message} (output topic ${topic})`, { ...options, context: { outputTopic: topic, ...options.context } });
  }
}

/**
 * A record larger than the producer's maximum request size or its topic's `max.message.bytes`. It concerns
 * this record alone: the production error policy decides about it, and the records around it are sent.
 */
export class RecordTooLargeError extends ProductionError {
  constructor(
    message: string,
    topic: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(message, topic, { context: { bytes, limit } });
  }
}

/** A record addressed to a topic whose name Kafka does not allow. Concerns this record alone. */
export class InvalidTopicError extends ProductionError {}

/** A record the topic refuses by its rules (a record without key on a compacted topic). Concerns this record alone. */
export class InvalidRecordError extends ProductionError {}

/** Runtime configuration is invalid. */
export class ConfigError extends StreamsError {}

// ---------------------------------------------------------------------------------------------------------
// Error policies, one per phase.

export type ErrorPhase = 'deserialization' | 'processing' | 'production';


export type ErrorDecision =
  | { readonly action: 'fail' }
  | { readonly action: 'continue'; readonly deadLetter?: OutgoingRecord };

/**
 * Decides what happens to a record that failed in one phase. Built-ins: {@link logAndFail},
 * {@link logAndContinue}, {@link deadLetter}.
 */
export type ErrorPolicy = (error: StreamsError, record: FailedRecord | null, phase: ErrorPhase, logger: Logger) => ErrorDecision;

export interface ErrorPolicies {
  readonly deserialization: ErrorPolicy;
  readonly processing: ErrorPolicy;
  /**
   * Asked once per output record that cannot be produced, under both guarantees (Kafka Streams'
   * `ProductionExceptionHandler`). Per record, and so decided here: a key or value the serde cannot
   * serialize, a record larger than the producer's maximum request size or the topic's `max.message.bytes`
   * ({@link RecordTooLargeError}), a topic name Kafka does not allow ({@link InvalidTopicError}), a record
   * without key for a compacted topic ({@link InvalidRecordError}). The policy's `record` then holds the output's
   * key, value and headers at the coordinates of the input record it came from (for an output of a
   * punctuation: the output topic and partition, offset -1); {@link deadLetter} writes those bytes.
   * Every other record of the same send is delivered, and input offsets are committed past a failed record
   * only once the policy handled it (its dead letter acknowledged first).
   *
   * Not per record, and so fatal whatever the policy (the instance stops; input after the last commit is
   * read again by the next owner): a broker or network failure that outlasts the client's retries, missing
   * authorization, a fenced producer, and any rejection of a changelog record (dropping it would corrupt
   * the store's restore). Under exactly-once, a record the broker refuses although it passed the checks
   * above (a topic limit lowered while the application runs) dooms the transaction: it is aborted and the
   * instance stops; under at-least-once such a send is retried one record per request to find the refused
   * ones, which then go to the policy.
   */
  readonly production: ErrorPolicy;
}

/** Stops processing: the error is rethrown to the caller (the task, then the application). */
export function logAndFail(): ErrorPolicy {
  return (error, record, phase, logger) => {
    logger.error({ err: error, phase, ...coordinates(record) }, `${phase} failed; stopping (policy logAndFail)`);
    return { action: 'fail' };
  };
}

/** Logs the failure, counts the record as dropped and goes on with the next one. */
export function logAndContinue(): ErrorPolicy {
  return (error, record, phase, logger) => {
    logger.warn({ err: error, phase, ...coordinates(record) }, `${phase} failed; skipping the record (policy logAndContinue)`);
    return { action: 'continue' };
  };
}

/** Header names written on dead-letter records. */
export const DeadLetterHeaders = Object.freeze({
  errorClass: 'tributary.error.class',
  errorMessage: 'tributary.error.message',
  phase: 'tributary.error.phase',
  topic: 'tributary.error.topic',
  partition: 'tributary.error.partition',
  offset: 'tributary.error.offset',
  /** Production errors: the topic the refused output was for. */
  outputTopic: 'tributary.error.output.topic',
  /** Production errors over a size limit: the size of the value left out of the dead letter (it would be refused too). */
  valueBytes: 'tributary.error.value.bytes',
});

/**
 * Sends the original bytes of the failed record to `topic`, with the error class, message, phase and the
 * input's topic/partition/offset in headers ({@link DeadLetterHeaders}), then goes on. For an output the
 * producer refused (phase `production`), the dead letter holds the output's key and value, the headers name
 * the input it came from and the output topic, and a value over the size limit is left out (its size is in
 * `tributary.error.value.bytes`): it would be refused by the dead-letter topic too.
 *
 * @example
 * new TopologyTestDriver(topology, { errorPolicies: { deserialization: deadLetter('clicks-dlq') } });
 */
export function deadLetter(topic: string): ErrorPolicy {
  return (error, record, phase, logger) => {
    logger.warn({ err: error, phase, deadLetterTopic: topic, ...coordinates(record) }, `${phase} failed; record sent to dead-letter topic`);
    if (record === null) return { action: 'continue' };
    // A value too large for its topic is too large for the dead-letter topic as well: its size goes instead.
    const tooLarge = error instanceof RecordTooLargeError;
    return {
      action: 'continue',
      deadLetter: {
        topic,
        key: record.key,
        value: tooLarge ? null : record.value,
        timestamp: record.timestamp,
        headers: {
          ...record.headers,
          [DeadLetterHeaders.errorClass]: error.name,
          [DeadLetterHeaders.errorMessage]: error.message,
          [DeadLetterHeaders.phase]: phase,
          [DeadLetterHeaders.topic]: record.topic,
          [DeadLetterHeaders.partition]: String(record.partition),
          [DeadLetterHeaders.offset]: String(record.offset),
          ...(error instanceof ProductionError ? { [DeadLetterHeaders.outputTopic]: error.topic } : {}),
          ...(tooLarge ? { [DeadLetterHeaders.valueBytes]: String(record.value?.length ?? 0) } : {}),
        },
      },
    };
  };
}

export const defaultErrorPolicies: ErrorPolicies = Object.freeze({
  deserialization: logAndFail(),
  processing: logAndFail(),
  production: logAndFail(),
});

function coordinates(record: FailedRecord | null): { topic?: string; partition?: number; offset?: number } {
  return record ? { topic: record.topic, partition: record.partition, offset: record.offset } : {};
}

/** Wraps anything thrown into a StreamsError, keeping the original as `cause`. */
export function asStreamsError(thrown: unknown, wrap: (message: string, cause: unknown) => StreamsError): StreamsError {
  if (thrown instanceof StreamsError) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return wrap(message, thrown);
}
