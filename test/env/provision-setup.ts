// Vitest global setup of the oracle project: the Debezium oracle starts a PostgreSQL, so the same services
// as the integration tests are settled first (provision.ts). The Kafka Streams oracles need no container:
// when no way to get one exists they still run, and the Debezium oracle fails with the message printed here.
import { provisionTestServices } from './provision.js';

export async function setup(): Promise<void> {
  try {
    await provisionTestServices();
  } catch (error) {
    console.warn(`[oracle] ${error instanceof Error ? error.message : String(error)}`);
  }
}
