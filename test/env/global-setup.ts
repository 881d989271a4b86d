// Vitest global setup of the integration project: one Kafka and one PostgreSQL for the whole run (from
// KAFKA_BROKERS / DATABASE_URL, or containers), handed to the test files through provide/inject. Where the
// containers run is settled first (provision.ts): a fresh machine needs no set-up step before `npm test`.
import type { TestProject } from 'vitest/node';
import { startServices, type Services } from '../../src/testing/index.js';
import { provisionTestServices } from './provision.js';

let services: Services | undefined;

export async function setup(project: TestProject): Promise<void> {
  const startedAt = Date.now();
  // Sets DOCKER_HOST and the image variables in process.env when it sets up an engine: the test files'
  // workers, started after the global setup, inherit them (several tests run docker themselves).
  await provisionTestServices();
  services = await startServices();
  project.provide('kafkaBrokers', services.brokers);
  project.provide('databaseUrl', services.databaseUrl);
  console.log(
    `[test services] kafka ${services.brokers.join(',')}  postgres ${redactPassword(services.databaseUrl)}  ` +
      `ready in ${Date.now() - startedAt} ms`,
  );
}

export async function teardown(): Promise<void> {
  await services?.stop();
  services = undefined;
}

function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
