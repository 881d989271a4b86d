import type { Logger } from 'pino';
import type { FailedRecord, InputCoordinates } from './processor/failed-record.js';
import type { OutgoingRecord } from './processor/outgoing-record.js';

// The record types the errors and policies speak of belong to the processor API; re-exported here for the
// modules that import them with the errors.
export type { FailedRecord, InputCoordinates, OutgoingRecord };

/**
 * What every Tributary error may carry, passed as the second constructor argument of every error class
 * (`new SomeError(message, options)`); classes add their own fields to it.
 */
export interface TributaryErrorOptions {
  /** The Kafka topic the error concerns (for production errors: the output topic). */
  readonly topic?: string;
  readonly partition?: number;
  /**
   * The Kafka offset the error concerns. A string where the offset comes from a client that gives offsets as
   * text (kafkajs, the sink), since an int64 offset need not fit a JavaScript number.
   */
  readonly offset?: number | string;
  /** The state store the error concerns. */
  readonly store?: string;
  /** Whether trying the same operation again can help; each class has its own default. */
  readonly retriable?: boolean;
  /** The error this one wraps (ES2022 error cause). */
  readonly cause?: unknown;
  /** Further data for logs (never secrets). */
  readonly context?: Readonly<{ [key: string]: unknown }>;
}

/** Fields every streams error may carry (the same as every Tributary error's). */
export type StreamsErrorOptions = TributaryErrorOptions;

/**
 * The root of every error Tributary throws: the streams library, the Kafka port, the serdes, the testing helpers
 * and both connectors. `retriable` tells a retry loop whether trying again can help; `topic`, `partition`,
 * `offset` and `store` locate the failure when it concerns a record or a store; `context` holds more data for logs
 * (never secrets); `cause` is the error it wraps. `name` is the concrete class's name, so logs print it.
 *
 * @example
 * try {
 *   await app.start();
 * } catch (error) {
 *   if (error instanceof TributaryError && error.retriable) scheduleRestart();
 *   else throw error;
 * }
 */
export class TributaryError extends Error {
  readonly retriable: boolean;
  readonly context: Readonly<{ [key: string]: unknown }>;
  readonly topic: string | undefined;
  readonly partition: number | undefined;
  readonly offset: number | string | undefined;
  readonly store: string | undefined;

  constructor(message: string, options: TributaryErrorOptions = {}) {
    // Only pass a cause that exists: `{ cause: undefined }` would still create an own `cause` property.
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
    this.topic = options.topic;
    this.partition = options.partition;
    this.offset = options.offset;
    this.store = options.store;
  }
}

/**
 * Base class of the errors of the streams library (topologies, stores, the runtime, the Kafka port, serdes).
 * A {@link TributaryError}; the connectors' errors are TributaryErrors too, but not StreamsErrors.
 */
export class StreamsError extends TributaryError {}

/** Options of {@link TopologyError}. */
export interface TopologyErrorOptions extends TributaryErrorOptions {
  /** The node of the topology at fault, when one is. */
  readonly nodeName?: string;
}

/** The topology is invalid; raised by `builder.build()` with a message saying how to fix it. Not retriable. */
export class TopologyError extends StreamsError {
  readonly nodeName: string | undefined;

  constructor(message: string, options: TopologyErrorOptions = {}) {
    super(message, { ...options, context: { nodeName: options.nodeName, ...options.context } });
    this.nodeName = options.nodeName;
  }
}

/** Options of {@link StateStoreError}: the store is required. */
export interface StateStoreErrorOptions extends TributaryErrorOptions {
  readonly store: string;
}

/** A state store failed or was used wrongly. `storeName` is `store`, kept under its older name. */
export class StateStoreError extends StreamsError {
  declare readonly store: string;
  readonly storeName: string;

  constructor(message: string, options: StateStoreErrorOptions) {
    super(message, { ...options, context: { storeName: options.store, partition: options.partition, ...options.context } });
    this.storeName = options.store;
  }
}

/** Options of {@link DeserializationError}: the input record's coordinates are required. */
export interface DeserializationErrorOptions extends TributaryErrorOptions {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** A key or value of an input record could not be deserialized. Not retriable: the bytes stay the same. */
export class DeserializationError extends StreamsError {
  declare readonly topic: string;
  declare readonly partition: number;
  declare readonly offset: number;

  constructor(message: string, options: DeserializationErrorOptions) {
    const { topic, partition, offset } = options;
    super(`${message} (topic ${topic}, partition ${partition}, offset ${offset})`, {
      ...options,
      context: { topic, partition, offset, ...options.context },
    });
  }
}

/** Options of {@link ProcessingError}: the node is required; the coordinates are those of the input record, if any. */
export interface ProcessingErrorOptions extends TributaryErrorOptions {
  readonly nodeName: string;
  readonly partition?: number;
  readonly offset?: number;
}

/** User code or a processor threw while processing a record (or in a punctuation, without coordinates). */
export class ProcessingError extends StreamsError {
  declare readonly partition: number | undefined;
  declare readonly offset: number | undefined;
  readonly nodeName: string;

  constructor(message: string, options: ProcessingErrorOptions) {
    const { nodeName, topic, partition, offset } = options;
    const at = topic === undefined ? '' : `, topic ${topic}, partition ${partition}, offset ${offset}`;
    super(`${message} (node ${nodeName}${at})`, {
      ...options,
      context: { nodeName, ...(topic === undefined ? {} : { topic, partition, offset }), ...options.context },
    });
    this.nodeName = nodeName;
  }
}

/**
 * The coordinates of an input record as error options, e.g. `new ProcessingError(m, { nodeName, ...atRecord(raw) })`;
 * nothing for null (a punctuation has no input record).
 */
export function atRecord(record: InputCoordinates): InputCoordinates;
export function atRecord(record: InputCoordinates | null | undefined): Partial<InputCoordinates>;
export function atRecord(record: InputCoordinates | null | undefined): Partial<InputCoordinates> {
  return record ? { topic: record.topic, partition: record.partition, offset: record.offset } : {};
}

/** Options of {@link ProductionError}: the output topic is required. */
export interface ProductionErrorOptions extends TributaryErrorOptions {
  /** The output topic the record was for. */
  readonly topic: string;
}

/** An output record could not be serialized or produced. */
export class ProductionError extends StreamsError {
  declare readonly topic: string;

  constructor(message: string, options: ProductionErrorOptions) {
    super(`${message} (output topic ${options.topic})`, { ...options, context: { outputTopic: options.topic, ...options.context } });
  }
}

/** Options of {@link RecordTooLargeError}. */
export interface RecordTooLargeErrorOptions extends ProductionErrorOptions {
  /** The record's size in bytes (about: as the producer estimates it). */
  readonly bytes: number;
  /** The limit it exceeds in bytes, -1 when the broker refused it without saying which. */
  readonly limit: number;
}

/**
 * A record larger than the producer's maximum request size or its topic's `max.message.bytes`. It concerns
 * this record alone: the production error policy decides about it, and the records around it are sent.
 */
export class RecordTooLargeError extends ProductionError {
  readonly bytes: number;
  readonly limit: number;

  constructor(message: string, options: RecordTooLargeErrorOptions) {
    super(message, { ...options, context: { bytes: options.bytes, limit: options.limit, ...options.context } });
    this.bytes = options.bytes;
    this.limit = options.limit;
  }
}

/** A record addressed to a topic whose name Kafka does not allow. Concerns this record alone. */
export class InvalidTopicError extends ProductionError {}

/** A record the topic refuses by its rules (a record without key on a compacted topic). Concerns this record alone. */
export class InvalidRecordError extends ProductionError {}

/** Runtime configuration is invalid. Not retriable. */
export class ConfigError extends StreamsError {}

/** Options of {@link RetriesExhaustedError}. */
export interface RetriesExhaustedErrorOptions extends TributaryErrorOptions {
  /** How many times the operation ran. */
  readonly attempts: number;
}

/**
 * A retried operation kept failing until its attempts or its time budget were spent (see `retry`). The message
 * names the attempts; `cause` is the last failure. Not retriable itself: the retrying already happened.
 */
export class RetriesExhaustedError extends TributaryError {
  readonly attempts: number;

  constructor(message: string, options: RetriesExhaustedErrorOptions) {
    super(message, { ...options, retriable: false, context: { attempts: options.attempts, ...options.context } });
    this.attempts = options.attempts;
  }
}

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
