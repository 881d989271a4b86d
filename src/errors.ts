import type { Logger } from 'pino';
import type { Headers } from './runtime/record.js';

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

/** Where an input record was read from. */
export interface InputCoordinates {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
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

/** Runtime configuration is invalid. */
export class ConfigError extends StreamsError {}

// ---------------------------------------------------------------------------------------------------------
// Error policies, one per phase.

export type ErrorPhase = 'deserialization' | 'processing' | 'production';

/** The input record that failed, as it was read (original bytes). */
export interface FailedRecord extends InputCoordinates {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** A record to produce; used for outputs, changelogs and dead letters alike. */
export interface OutgoingRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
  /** Target partition; undefined lets the producer's partitioner choose from the key. */
  readonly partition?: number;
}

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
});

/**
 * Sends the original bytes of the failed record to `topic`, with the error class, message, phase and the
 * input's topic/partition/offset in headers ({@link DeadLetterHeaders}), then goes on.
 *
 * @example
 * new TopologyTestDriver(topology, { errorPolicies: { deserialization: deadLetter('clicks-dlq') } });
 */
export function deadLetter(topic: string): ErrorPolicy {
  return (error, record, phase, logger) => {
    logger.warn({ err: error, phase, deadLetterTopic: topic, ...coordinates(record) }, `${phase} failed; record sent to dead-letter topic`);
    if (record === null) return { action: 'continue' };
    return {
      action: 'continue',
      deadLetter: {
        topic,
        key: record.key,
        value: record.value,
        timestamp: record.timestamp,
        headers: {
          ...record.headers,
          [DeadLetterHeaders.errorClass]: error.name,
          [DeadLetterHeaders.errorMessage]: error.message,
          [DeadLetterHeaders.phase]: phase,
          [DeadLetterHeaders.topic]: record.topic,
          [DeadLetterHeaders.partition]: String(record.partition),
          [DeadLetterHeaders.offset]: String(record.offset),
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
