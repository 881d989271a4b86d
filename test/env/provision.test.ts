import { describe, expect, it } from 'vitest';
import { noServicesMessage, parseExports, provisionTestServices } from './provision.js';

describe('test service provisioning', () => {
  it('reads the export lines of provision.sh and build-images.sh', () => {
    const exports = parseExports('export TRIBUTARY_POSTGRES_IMAGE=tributary/postgres:15\nnoise\nexport TRIBUTARY_KAFKA_IMAGE="tributary/kafka:4.4.0"\nexport DOCKER_HOST=unix:///run/tributary-docker/docker.sock\n');
    expect([...exports]).toEqual([
      ['TRIBUTARY_POSTGRES_IMAGE', 'tributary/postgres:15'],
      ['TRIBUTARY_KAFKA_IMAGE', 'tributary/kafka:4.4.0'],
      ['DOCKER_HOST', 'unix:///run/tributary-docker/docker.sock'],
    ]);
  });

  it('leaves running services and an engine the user chose alone', async () => {
    const given = { KAFKA_BROKERS: 'localhost:9092', DATABASE_URL: 'postgres://u@localhost/db' };
    const env1: Record<string, string | undefined> = { ...given };
    await provisionTestServices(env1, () => undefined);
    expect(env1).toEqual(given);
    const env2: Record<string, string | undefined> = { DOCKER_HOST: 'tcp://docker.example:2375' };
    await provisionTestServices(env2, () => undefined);
    expect(env2).toEqual({ DOCKER_HOST: 'tcp://docker.example:2375' });
  });

  it('names every way to provide the services when none is left', () => {
    const message = noServicesMessage('no Docker engine answers and this process is not root');
    for (const option of ['DOCKER_HOST', 'root on Debian', 'KAFKA_BROKERS and DATABASE_URL', 'TRIBUTARY_KAFKA_IMAGE']) expect(message).toContain(option);
  });
});
