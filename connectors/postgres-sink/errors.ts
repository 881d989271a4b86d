/**
 * Errors raised by the Postgres sink. Each carries the data needed to act on it and a
 * `retriable` flag: retriable errors are retried by the sink before they surface.
 */

/** Where a record came from; every record-level error names it. */
export interface RecordOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export class SinkError extends Error {
  readonly retriable: boolean;
  constructor(message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
  }
}

/** The configuration is invalid; the message says which key and what to do. */
export class SinkConfigError extends SinkError {
  readonly key: string;
  constructor(key: string, message: string) {
    super(`invalid sink configuration '${key}': ${message}`);
    this.key = key;
  }
}

/** A table or column name cannot be used as a PostgreSQL identifier, even quoted. */
export class UnsafeIdentifierError extends SinkError {
  readonly identifier: string;
  constructor(identifier: string, reason: string) {
    super(`unusable identifier ${JSON.stringify(identifier)}: ${reason}`);
    this.identifier = identifier;
  }
}

/** One Kafka record cannot be written: malformed, wrongly typed, or not fitting the table. */
export class BadRecordError extends SinkError {
  readonly origin: RecordOrigin;
  /** The processing stage that rejected the record, as in Kafka Connect's dead-letter headers. */
  readonly stage: 'KEY_CONVERTER' | 'VALUE_CONVERTER' | 'TRANSFORMATION' | 'TASK_PUT';
  constructor(
    origin: RecordOrigin,
    stage: BadRecordError['stage'],
    message: string,
    cause?: unknown,
  ) {
    super(`${message} (topic ${origin.topic}, partition ${origin.partition}, offset ${origin.offset})`, { cause });
    this.origin = origin;
    this.stage = stage;
  }
}

/** A problem with the target table that no single record caused (missing table, no key to upsert on). */
export class TableError extends SinkError {
  readonly table: string;
  constructor(table: string, message: string, cause?: unknown) {
    super(`table ${table}: ${message}`, { cause });
    this.table = table;
  }
}

/** Writing to PostgreSQL failed for a reason unrelated to the data (connection lost, deadlock...). */
export class SinkWriteError extends SinkError {
  readonly sqlState: string | undefined;
  constructor(message: string, sqlState: string | undefined, retriable: boolean, cause?: unknown) {
    super(message, { retriable, cause });
    this.sqlState = sqlState;
  }
}
