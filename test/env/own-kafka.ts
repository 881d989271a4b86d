// A Kafka container of a test's own, for tests that restart, pause or stop their broker (never the run's shared
// one, nor KAFKA_BROKERS). Import from test files as
//   import { docker, startOwnKafka } from '../env/own-kafka.js';
import { execFileSync } from 'node:child_process';
import { startKafka, type KafkaService } from '../../src/testing/index.js';

/** Runs the docker CLI against the engine the run uses (DOCKER_HOST from the environment); returns its output. */
export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', env: process.env }).trim();
}

/** Starts a broker in its own container; `container` is its id, for `docker restart`, `pause`, `stop`. */
export async function startOwnKafka(): Promise<{ service: KafkaService; container: string }> {
  const service = await startKafka({ env: { TRIBUTARY_KAFKA_IMAGE: process.env['TRIBUTARY_KAFKA_IMAGE'] } });
  const port = service.brokers[0]!.split(':').at(-1)!;
  const container = docker('ps', '-q', '--filter', `publish=${port}`);
  if (!/^[0-9a-f]+$/.test(container)) {
    await service.stop();
    throw new Error(`no single container publishes the broker's port ${port} (docker ps said "${container}")`);
  }
  return { service, container };
}
