/**
 * Errors raised by the Postgres sink. Each carries the data needed to act on it and a
 * `retriable` flag: retriable errors are retried by the sink before they surface. They are
 * {@link TributaryError}s, like every error of the library, and take `(message, options)`.
 */
import { TributaryError, type TributaryErrorOptions } from '../../src/errors.js';

/** Where a record came from; every record-level error names it. */
export interface RecordOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** Base class of the sink's errors; `retriable` defaults to false. */
export class SinkError extends TributaryError {}

/** Options of the sink errors whose class alone decides `retriable`. */
export type SinkErrorOptions = Omit<TributaryErrorOptions, 'retriable'>;

/** Options of {@link SinkConfigError}: the configuration key at fault is required. */
export interface SinkConfigErrorOptions extends SinkErrorOptions {
  readonly key: string;
}

/** The configuration is invalid; the message says which key and what to do. Not retriable. */
export class SinkConfigError extends SinkError {
  readonly key: string;
  constructor(message: string, options: SinkConfigErrorOptions) {
    super(`invalid sink configuration '${options.key}': ${message}`, { ...options, retriable: false, context: { key: options.key, ...options.context } });
    this.key = options.key;
  }
}

/** Options of {@link UnsafeIdentifierError}: the identifier refused is required. */
export interface UnsafeIdentifierErrorOptions extends SinkErrorOptions {
  readonly identifier: string;
}

/** A table or column name cannot be used as a PostgreSQL identifier, even quoted. Not retriable. */
export class UnsafeIdentifierError extends SinkError {
  readonly identifier: string;
  /** `message` says why the identifier cannot be used; the error's message names the identifier before it. */
  constructor(message: string, options: UnsafeIdentifierErrorOptions) {
    super(`unusable identifier ${JSON.stringify(options.identifier)}: ${message}`, { ...options, retriable: false });
    this.identifier = options.identifier;
  }
}

/** The processing stage that rejected a record, as in Kafka Connect's dead-letter headers. */
export type BadRecordStage = 'KEY_CONVERTER' | 'VALUE_CONVERTER' | 'TRANSFORMATION' | 'TASK_PUT';

/** Options of {@link BadRecordError}: the record's origin and the stage that rejected it are required. */
export interface BadRecordErrorOptions extends Omit<SinkErrorOptions, 'topic' | 'partition' | 'offset'> {
  readonly origin: RecordOrigin;
  readonly stage: BadRecordStage;
}

/**
 * One Kafka record cannot be written: malformed, wrongly typed, or not fitting the table. Not retriable: the
 * record stays the same. `topic`, `partition` and `offset` are the origin's.
 */
export class BadRecordError extends SinkError {
  declare readonly topic: string;
  declare readonly partition: number;
  declare readonly offset: string;
  readonly origin: RecordOrigin;
  /** The processing stage that rejected the record, as in Kafka Connect's dead-letter headers. */
  readonly stage: BadRecordStage;
  constructor(message: string, options: BadRecordErrorOptions) {
    const { origin } = options;
    super(`${message} (topic ${origin.topic}, partition ${origin.partition}, offset ${origin.offset})`, {
      ...options,
      retriable: false,
      topic: origin.topic,
      partition: origin.partition,
      offset: origin.offset,
    });
    this.origin = origin;
    this.stage = options.stage;
  }
}

/** Options of {@link TableError}: the (quoted) table name is required. */
export interface TableErrorOptions extends SinkErrorOptions {
  readonly table: string;
}

/**
 * A problem with the target table that no single record caused (missing table, no key to upsert on). Not retriable:
 * the table has to be changed first.
 */
export class TableError extends SinkError {
  readonly table: string;
  constructor(message: string, options: TableErrorOptions) {
    super(`table ${options.table}: ${message}`, { ...options, retriable: false });
    this.table = options.table;
  }
}

/** Options of {@link SinkWriteError}. */
export interface SinkWriteErrorOptions extends TributaryErrorOptions {
  /** PostgreSQL's SQLSTATE, when the server answered. */
  readonly sqlState?: string | undefined;
}

/**
 * Writing to PostgreSQL failed for a reason unrelated to the data (connection lost, deadlock...). `retriable` says
 * whether the failure is transient (set by the writer from the SQLSTATE or socket error).
 */
export class SinkWriteError extends SinkError {
  readonly sqlState: string | undefined;
  constructor(message: string, options: SinkWriteErrorOptions = {}) {
    super(message, options);
    this.sqlState = options.sqlState;
  }
}
