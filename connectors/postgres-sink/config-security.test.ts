import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSinkConfig } from './config.js';
import { SinkConfigError } from './errors.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const ca = join(mkdtempSync(join(tmpdir(), 'sink-security-')), 'root.crt');
writeFileSync(ca, PEM);
const base = { 'connection.url': 'postgres://app:url-pw@db:5432/shop', 'bootstrap.servers': 'kafka:9093', topics: 't' };

describe('sink config: TLS and SASL', () => {
  it('reads the Kafka security keys (sasl.jaas.config too) into kafka.security', () => {
    const config = parseSinkConfig({
      ...base, 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'ssl.endpoint.identification.algorithm': '',
      'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="sink" password="k-pw";',
    });
    expect(config.kafka.security).toEqual({ tls: { verifyHostname: false }, sasl: { mechanism: 'PLAIN', username: 'sink', password: 'k-pw' } });
    expect(parseSinkConfig(base).kafka.security).toBeUndefined();
  });

  it('reads PostgreSQL TLS from the JDBC URL and from connection.ssl* keys', () => {
    const jdbc = parseSinkConfig({ ...base, 'connection.url': `jdbc:postgresql://db:5432/shop?user=app&sslmode=verify-full&sslrootcert=${ca}` });
    expect(jdbc.connection.connectionString).toBe('postgresql://db:5432/shop?user=app');
    expect(jdbc.connection.ssl).toEqual({ ca: PEM });
    const explicit = parseSinkConfig({ ...base, 'connection.sslmode': 'require', 'connection.password': 'p' });
    expect(explicit.connection).toMatchObject({ password: 'p', ssl: { rejectUnauthorized: false } });
  });

  it('refuses Java key stores and bad TLS settings with the key, without the password', () => {
    expect(() => parseSinkConfig({ ...base, 'security.protocol': 'SSL', 'ssl.truststore.location': '/t.jks' })).toThrow(/export the CA certificates as PEM and set ssl\.ca\.location/);
    let error: SinkConfigError | undefined;
    try {
      parseSinkConfig({ ...base, 'connection.sslmode': 'verify-ca' });
    } catch (e) {
      error = e as SinkConfigError;
    }
    expect(error).toBeInstanceOf(SinkConfigError);
    expect(error?.key).toBe('connection.sslrootcert');
    expect(error?.message).not.toContain('url-pw');
  });
});
