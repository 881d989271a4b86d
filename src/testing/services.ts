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
  // Both at once: most of a start is waiting (JVM start-up, initdb), so overlapping them saves wall time.
  const [kafka, postgres] = await Promise.allSettled([startKafka(options.kafka), startPostgres(options.postgres)]);
  if (kafka.status === 'rejected' || postgres.status === 'rejected') {
    if (kafka.status === 'fulfilled') await kafka.value.stop().catch(() => undefined);
    if (postgres.status === 'fulfilled') await postgres.value.stop().catch(() => undefined);
    throw kafka.status === 'rejected' ? kafka.reason : (postgres as PromiseRejectedResult).reason;
  }
  const started = kafka.value;
  const database = postgres.value;
  return {
    brokers: started.brokers,
    databaseUrl: database.databaseUrl,
    stop: async () => {
      const results = await Promise.allSettled([started.stop(), database.stop()]);
      const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failure) throw failure.reason;
    },
  };
}
