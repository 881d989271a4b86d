import { type StartKafkaOptions, startKafka } from './kafka-service.js';
import { type StartPostgresOptions, startPostgres } from './postgres-service.js';

/** Kafka and PostgreSQL for an integration test run, a demo or a benchmark. */
export interface Services {
  readonly brokers: string[];
  readonly databaseUrl: string;
  /** Stops whatever containers were started. */
  stop(): Promise<void>;
}

export interface StartServicesOptions {
  readonly kafka?: StartKafkaOptions;
  readonly postgres?: StartPostgresOptions;
}

/**
 * Kafka and PostgreSQL together: `KAFKA_BROKERS` / `DATABASE_URL` when set, otherwise containers (see
 * {@link startKafka} and {@link startPostgres}). If one fails to start, the other is stopped again.
 *
 * @example
 * ```ts
 * const { brokers, databaseUrl, stop } = await startServices();
 * try {
 *   // run a topology against brokers, a connector against databaseUrl
 * } finally {
 *   await stop();
 * }
 * ```
 */
export async function startServices(options: StartServicesOptions = {}): Promise<Services> {
  // One after the other: on two cores, parallel starts only slow both down.
  const postgres = await startPostgres(options.postgres);
  let kafka;
  try {
    kafka = await startKafka(options.kafka);
  } catch (error) {
    await postgres.stop().catch(() => undefined);
    throw error;
  }
  const started = kafka;
  return {
    brokers: started.brokers,
    databaseUrl: postgres.databaseUrl,
    stop: async () => {
      const results = await Promise.allSettled([started.stop(), postgres.stop()]);
      const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failure) throw failure.reason;
    },
  };
}
