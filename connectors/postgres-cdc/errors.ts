/**
 * Errors raised by the PostgreSQL CDC source. Each carries the context needed to act on it and whether a retry can
 * help. They are {@link TributaryError}s, like every error of the library, and take `(message, options)`.
 */
import { TributaryError, type TributaryErrorOptions } from '../../src/errors.js';

/** Options of the CDC errors whose class alone decides `retriable`. */
export type CdcErrorOptions = Omit<TributaryErrorOptions, 'retriable'>;

/** Base class of the CDC source's errors; `retriable` defaults to false. */
export class CdcError extends TributaryError {}

/** Options of {@link CdcConfigError}: the configuration key at fault is required. */
export interface CdcConfigErrorOptions extends CdcErrorOptions {
  readonly key: string;
}

/** Invalid or inconsistent connector configuration: fix the config file. Not retriable. */
export class CdcConfigError extends CdcError {
  readonly key: string;

  constructor(message: string, options: CdcConfigErrorOptions) {
    super(message, { ...options, retriable: false, context: { key: options.key, ...options.context } });
    this.key = options.key;
  }
}

/** A value or message that cannot be converted into a Debezium event. Not retriable: the data stays the same. */
export class CdcDataError extends CdcError {
  constructor(message: string, options: CdcErrorOptions = {}) {
    super(message, { ...options, retriable: false });
  }
}

/** A malformed pgoutput or replication protocol message. Not retriable. */
export class CdcProtocolError extends CdcError {
  constructor(message: string, options: CdcErrorOptions = {}) {
    super(message, { ...options, retriable: false });
  }
}

/** Database or network trouble: the source reconnects and resumes from its stored offsets. Retriable. */
export class CdcConnectionError extends CdcError {
  constructor(message: string, options: CdcErrorOptions = {}) {
    super(message, { ...options, retriable: true });
  }
}

/**
 * The replication slot can no longer stream what the source needs: PostgreSQL invalidated it (`wal_status = 'lost'`,
 * e.g. past `max_slot_wal_keep_size`) or removed WAL it required. Changes in the gap are gone from the WAL; only a
 * new slot and a new snapshot bring the topics back in line with the tables. Never retried.
 */
export class CdcSlotLostError extends CdcError {
  constructor(message: string, options: CdcErrorOptions = {}) {
    super(message, { ...options, retriable: false });
  }
}

/** A retriable error kept failing past `errors.max.retries`; the last failure is the cause. Not retriable itself. */
export class CdcRetriesExhaustedError extends CdcError {
  constructor(message: string, options: CdcErrorOptions = {}) {
    super(message, { ...options, retriable: false });
  }
}
