import { TributaryError, type TributaryErrorOptions } from '../errors.js';

/** Options of {@link ServiceUnavailableError}: which service is missing, and the image tried, if any. */
export interface ServiceUnavailableErrorOptions extends Omit<TributaryErrorOptions, 'retriable'> {
  readonly service: 'kafka' | 'postgres' | 'docker';
  readonly image?: string | undefined;
}

/**
 * A service needed by tests or a demo (Kafka, PostgreSQL) could not be provided. The message says what is
 * missing and how to provide it. Not retriable: trying again without changing the environment does not help.
 */
export class ServiceUnavailableError extends TributaryError {
  readonly service: 'kafka' | 'postgres' | 'docker';
  readonly image: string | undefined;

  constructor(message: string, options: ServiceUnavailableErrorOptions) {
    super(message, { ...options, retriable: false, context: { service: options.service, image: options.image, ...options.context } });
    this.service = options.service;
    this.image = options.image;
  }
}
