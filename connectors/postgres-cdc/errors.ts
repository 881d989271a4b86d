/**
 * Errors raised by the PostgreSQL CDC source. Each carries the context needed to act on it and whether a retry can help.
 */
export class CdcError extends Error {
  constructor(
    message: string,
    readonly context: Readonly<Record<string, unknown>>,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Invalid or inconsistent connector configuration: fix the config file. */
export class CdcConfigError extends CdcError {
  constructor(message: string, readonly key: string, options?: { cause?: unknown }) {
    super(message, { key }, false, options);
  }
}

/** A value or message that cannot be converted into a Debezium event. */
export class CdcDataError extends CdcError {
  constructor(message: string, context: Readonly<Record<string, unknown>>, options?: { cause?: unknown }) {
    super(message, context, false, options);
  }
}

/** A malformed pgoutput or replication protocol message. */
export class CdcProtocolError extends CdcError {
  constructor(message: string, context: Readonly<Record<string, unknown>>) {
    super(message, context, false);
  }
}

/** Database or network trouble: the source reconnects and resumes from its stored offsets. */
export class CdcConnectionError extends CdcError {
  constructor(message: string, context: Readonly<Record<string, unknown>>, options?: { cause?: unknown }) {
    super(message, context, true, options);
  }
}

/**
 * The replication slot can no longer stream what the source needs: PostgreSQL invalidated it (`wal_status = 'lost'`,
 * e.g. past `max_slot_wal_keep_size`) or removed WAL it required. Changes in the gap are gone from the WAL; only a
 * new slot and a new snapshot bring the topics back in line with the tables. Never retried.
 */
export class CdcSlotLostError extends CdcError {
  constructor(message: string, context: Readonly<Record<string, unknown>>, options?: { cause?: unknown }) {
    super(message, context, false, options);
  }
}

/** A retriable error kept failing past `errors.max.retries`; the last failure is the cause. */
export class CdcRetriesExhaustedError extends CdcError {
  constructor(message: string, context: Readonly<Record<string, unknown>>, options?: { cause?: unknown }) {
    super(message, context, false, options);
  }
}
