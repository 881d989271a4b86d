import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { loadRunConfig, nearestKey } from './run-config.js';

const dir = mkdtempSync(join(tmpdir(), 'tributary-run-config-'));
let files = 0;
function file(content: unknown): string {
  const path = join(dir, `config-${++files}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('loadRunConfig', () => {
  it('reads the Kafka security keys, with ${env:NAME} for the password, and refuses Java key stores', async () => {
    const config = await loadRunConfig(file({
      applicationId: 'orders', brokers: ['k1:9093'], connectTimeoutMs: 5000,
      'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.username': 'orders', 'sasl.password': '${env:KAFKA_PW}',
    }), { KAFKA_PW: 'from-env' });
    expect(config).toMatchObject({ connectTimeoutMs: 5000, security: { tls: { verifyHostname: true }, sasl: { mechanism: 'SCRAM-SHA-256', username: 'orders', password: 'from-env' } } });
    await expect(loadRunConfig(file({ applicationId: 'a', brokers: ['k:1'], 'ssl.keystore.location': '/k.jks' }), {})).rejects.toThrow(/ssl\.keystore\.location: Java key stores are not read/);
    await expect(loadRunConfig(file({ applicationId: 'a', brokers: ['k:1'], 'sasl.pasword': 'x' }), {})).rejects.toThrow('did you mean "sasl.password"?');
    await expect(loadRunConfig(file({ applicationId: 'a', brokers: ['k:1'], 'sasl.username': 'u' }), {})).rejects.toThrow(/sasl\.username is set but security\.protocol is not/);
  });

  it('reads the file, with at_least_once as the default guarantee', async () => {
    const config = await loadRunConfig(file({ applicationId: 'orders', brokers: ['k1:9092', 'k2:9092'], commitIntervalMs: 500 }), {});
    expect(config).toEqual({ applicationId: 'orders', brokers: ['k1:9092', 'k2:9092'], guarantee: 'at_least_once', commitIntervalMs: 500 });
  });

  it('lets the environment override the file, and needs no file', async () => {
    const env = { TRIBUTARY_BROKERS: 'a:1, b:2', TRIBUTARY_GUARANTEE: 'exactly_once', TRIBUTARY_COMMIT_INTERVAL_MS: '200' };
    expect(await loadRunConfig(file({ applicationId: 'orders', brokers: 'x:9' }), env)).toEqual({
      applicationId: 'orders',
      brokers: ['a:1', 'b:2'],
      guarantee: 'exactly_once',
      commitIntervalMs: 200,
    });
    expect(await loadRunConfig(undefined, { TRIBUTARY_APPLICATION_ID: 'env-only', TRIBUTARY_BROKERS: 'k:9092' })).toMatchObject({ applicationId: 'env-only', brokers: ['k:9092'] });
  });

  it('replaces ${env:NAME} in the file, and fails when the variable is not set', async () => {
    const path = file({ applicationId: '${env:APP}-v2', brokers: ['${env:BROKER}'] });
    expect(await loadRunConfig(path, { APP: 'orders', BROKER: 'k:9092' })).toMatchObject({ applicationId: 'orders-v2', brokers: ['k:9092'] });
    await expect(loadRunConfig(path, { APP: 'orders' })).rejects.toThrow('environment variable BROKER is not set');
  });

  it.each([
    ['a missing file', join(dir, 'missing.json'), /cannot read config file/],
    ['bad JSON', '{"applicationId": ', /is not valid JSON/],
    ['an array', '[]', /must hold a JSON object/],
    ['an unknown key, with the nearest known one', { applicationId: 'a', brokers: 'k:1', gaurantee: 'exactly_once' }, /unknown key "gaurantee" \(did you mean "guarantee"\?\)/],
    ['no applicationId', { brokers: 'k:1' }, /applicationId .* is required/],
    ['no brokers', { applicationId: 'a' }, /brokers .* is required/],
    ['a broker without port', { applicationId: 'a', brokers: ['kafka'] }, /brokers .* host:port/],
    ['an unknown guarantee', { applicationId: 'a', brokers: 'k:1', guarantee: 'exactly_twice' }, /guarantee .* must be one of at_least_once, exactly_once/],
    ['a negative interval', { applicationId: 'a', brokers: 'k:1', commitIntervalMs: -5 }, /commitIntervalMs .* non-negative integer/],
  ])('rejects %s with a ConfigError', async (_case, content, message) => {
    const path = typeof content === 'string' && content.startsWith('/') ? content : file(content);
    const failure = loadRunConfig(path, {});
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(message);
  });
});

describe('nearestKey', () => {
  it('suggests a close key and nothing for an unrelated one', () => {
    expect(nearestKey('applicationID', ['applicationId', 'brokers'])).toBe('applicationId');
    expect(nearestKey('broker', ['applicationId', 'brokers'])).toBe('brokers');
    expect(nearestKey('replicationFactor', ['applicationId', 'brokers'])).toBeUndefined();
  });
});
