/**
 * A service needed by tests or a demo (Kafka, PostgreSQL) could not be provided. The message says what is
 * missing and how to provide it.
 */
export class ServiceUnavailableError extends Error {
  override readonly name = 'ServiceUnavailableError';
  /** Trying again without changing the environment does not help. */
  readonly retriable = false;

  constructor(
    readonly service: 'kafka' | 'postgres' | 'docker',
    message: string,
    readonly image?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
