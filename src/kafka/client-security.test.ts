import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { kafkajsSecurity, parseKafkaSecurityConfig, securityProtocol } from './client-security.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const dir = mkdtempSync(join(tmpdir(), 'client-security-'));
const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, PEM);
const notPem = join(dir, 'ca.der');
writeFileSync(notPem, Buffer.from([0x30, 0x82, 0x01]));

function failure(raw: Record<string, unknown>): ConfigError {
  try {
    parseKafkaSecurityConfig(raw);
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseKafkaSecurityConfig', () => {
  it('is undefined for a config without security keys, and for PLAINTEXT', () => {
    expect(parseKafkaSecurityConfig({ 'topic.prefix': 'x' })).toBeUndefined();
    expect(parseKafkaSecurityConfig({ 'security.protocol': 'PLAINTEXT' })).toEqual({});
  });

  it('reads SASL_SSL with SCRAM, a CA and a client certificate, mechanism and protocol in any case', () => {
    expect(parseKafkaSecurityConfig({
      'security.protocol': 'sasl_ssl', 'sasl.mechanism': 'scram-sha-512', 'sasl.username': 'app', 'sasl.password': 'pw',
      'ssl.ca.location': '/ca.pem', 'ssl.certificate.location': '/c.pem', 'ssl.key.location': '/k.pem', 'ssl.key.password': 'kp',
    })).toEqual({
      tls: { ca: { file: '/ca.pem' }, cert: { file: '/c.pem' }, key: { file: '/k.pem' }, keyPassword: 'kp', verifyHostname: true },
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'app', password: 'pw' },
    });
  });

  it('reads SSL with the system trust store and no host name check when the algorithm is empty', () => {
    expect(parseKafkaSecurityConfig({ 'security.protocol': 'SSL', 'ssl.endpoint.identification.algorithm': '' })).toEqual({ tls: { verifyHostname: false } });
  });

  it('takes the credentials of a PlainLoginModule or ScramLoginModule sasl.jaas.config, escapes included', () => {
    const plain = parseKafkaSecurityConfig({
      'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN',
      'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="a\\"b";',
    });
    expect(plain?.sasl).toEqual({ mechanism: 'PLAIN', username: 'alice', password: 'a"b' });
    const wrongModule = failure({
      'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-256',
      'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cret-jaas";',
    });
    expect(wrongModule.message).toContain('ScramLoginModule');
    expect(wrongModule.message).not.toContain('s3cret-jaas');
  });

  it.each([
    [{ 'sasl.mechanism': 'PLAIN', 'sasl.username': 'u', 'sasl.password': 'pw-1' }, 'security.protocol'],
    [{ 'security.protocol': 'SASL_TLS' }, "'SASL_TLS' is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL"],
    [{ 'security.protocol': 'SSL', 'sasl.username': 'u' }, 'sasl.username is set but security.protocol is SSL'],
    [{ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'PLAIN', 'sasl.username': 'u', 'sasl.password': 'pw-1', 'ssl.ca.location': caFile }, 'ssl.ca.location is set but security.protocol is SASL_PLAINTEXT'],
    [{ 'security.protocol': 'SASL_SSL', 'sasl.username': 'u', 'sasl.password': 'pw-1' }, 'sasl.mechanism is required'],
    [{ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'GSSAPI', 'sasl.username': 'u', 'sasl.password': 'pw-1' }, "'GSSAPI' is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"],
    [{ 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.username': 'u' }, 'sasl.password is required'],
    [{ 'security.protocol': 'SSL', 'ssl.certificate.location': '/c.pem' }, 'ssl.key.location is required'],
    [{ 'security.protocol': 'SSL', 'ssl.endpoint.identification.algorithm': 'none' }, "'none' is not https or empty"],
  ])('refuses %j: %s', (raw, expected) => {
    const error = failure(raw);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(expected);
    expect(error.message).not.toContain('pw-1');
  });
});

describe('kafkajsSecurity', () => {
  it('maps SASL mechanisms to kafkajs names and TLS files to PEM text', () => {
    const settings = kafkajsSecurity({ tls: { ca: { file: caFile }, verifyHostname: false }, sasl: { mechanism: 'SCRAM-SHA-256', username: 'u', password: 'p' } });
    expect(settings.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'u', password: 'p' });
    const ssl = settings.ssl as { ca: string[]; checkServerIdentity: () => unknown };
    expect(ssl.ca).toEqual([PEM]);
    expect(ssl.checkServerIdentity()).toBeUndefined();
    expect(kafkajsSecurity({ tls: true })).toEqual({ ssl: true });
    expect(kafkajsSecurity(undefined)).toEqual({});
    expect((kafkajsSecurity({ tls: {} }).ssl as object)).not.toHaveProperty('checkServerIdentity');
  });

  it('names the option and the file it cannot use, never its content', () => {
    expect(() => kafkajsSecurity({ tls: { ca: { file: join(dir, 'missing.pem') } } })).toThrow(/ssl\.ca\.location: cannot read .*missing\.pem: ENOENT/);
    expect(() => kafkajsSecurity({ tls: { ca: { file: notPem } } })).toThrow(/ssl\.ca\.location: .*ca\.der holds no PEM block/);
    expect(() => kafkajsSecurity({ tls: { ca: '/etc/ssl/ca.pem' } })).toThrow(/expected PEM text .* or \{ file: path \}/);
    expect(() => kafkajsSecurity({ tls: { cert: PEM } })).toThrow(/needs both cert and key/);
  });

  it('names the protocol of the options', () => {
    expect(securityProtocol(undefined)).toBe('PLAINTEXT');
    expect(securityProtocol({ tls: true })).toBe('SSL');
    expect(securityProtocol({ sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' } })).toBe('SASL_PLAINTEXT');
    expect(securityProtocol({ tls: {}, sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' } })).toBe('SASL_SSL');
  });
});
