import { describe, expect, it } from 'vitest';
import { dockerHostName, prepareDockerEnvironment, TRIBUTARY_DOCKER_SOCKET } from './docker-environment.js';

describe('Docker environment for Testcontainers', () => {
  it('disables Ryuk and pins the host for the Tributary engine, keeping values already set', () => {
    const env: Record<string, string | undefined> = {
      DOCKER_HOST: `unix://${TRIBUTARY_DOCKER_SOCKET}`,
      TESTCONTAINERS_RYUK_DISABLED: 'false',
    };
    prepareDockerEnvironment(env);
    expect(env['TESTCONTAINERS_RYUK_DISABLED']).toBe('false');
    expect(env['TESTCONTAINERS_HOST_OVERRIDE']).toBe('localhost');
  });

  it('leaves other engines to Testcontainers defaults', () => {
    const env: Record<string, string | undefined> = { DOCKER_HOST: 'tcp://docker.example:2375' };
    prepareDockerEnvironment(env);
    expect(env['TESTCONTAINERS_RYUK_DISABLED']).toBeUndefined();
    expect(env['TESTCONTAINERS_HOST_OVERRIDE']).toBeUndefined();
  });

  it('reaches published ports on the override host, a TCP engine host, or localhost', () => {
    expect(dockerHostName({ TESTCONTAINERS_HOST_OVERRIDE: 'h' })).toBe('h');
    expect(dockerHostName({ DOCKER_HOST: 'tcp://docker.example:2375' })).toBe('docker.example');
    expect(dockerHostName({ DOCKER_HOST: 'unix:///var/run/docker.sock' })).toBe('localhost');
  });
});
