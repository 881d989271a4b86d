import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCdcConfig } from './config.js';
import { CdcConfigError } from './errors.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const ca = join(mkdtempSync(join(tmpdir(), 'cdc-security-')), 'root.crt');
writeFileSync(ca, PEM);
const base = { 'topic.prefix': 'dbserver1', 'database.url': 'postgres://app:url-pw@db:5432/shop', 'kafka.bootstrap.servers': 'kafka:9093' };

describe('CDC config: TLS and SASL', () => {
  it('reads the Kafka security keys into kafkaSecurity', () => {
    const config = parseCdcConfig({ ...base, 'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.username': 'cdc', 'sasl.password': 'k-pw', 'ssl.ca.location': ca });
    expect(config.kafkaSecurity).toEqual({ tls: { ca: { file: ca }, verifyHostname: true }, sasl: { mechanism: 'SCRAM-SHA-256', username: 'cdc', password: 'k-pw' } });
    expect(parseCdcConfig(base).kafkaSecurity).toBeUndefined();
  });

  it('reads PostgreSQL TLS from database.ssl* keys (over the URL) and takes the parameters out of the URL', () => {
    const fromUrl = parseCdcConfig({ ...base, 'database.url': `postgres://app:url-pw@db:5432/shop?sslmode=verify-ca&sslrootcert=${ca}` });
    expect(fromUrl.database.connectionString).toBe('postgres://app:url-pw@db:5432/shop');
    expect(fromUrl.database.ssl).toMatchObject({ ca: PEM });
    const explicit = parseCdcConfig({ ...base, 'database.url': 'postgres://app@db/shop?sslmode=disable', 'database.sslmode': 'require' });
    expect(explicit.database.ssl).toEqual({ rejectUnauthorized: false });
    const withoutUrl = parseCdcConfig({ 'topic.prefix': 'p', 'database.hostname': 'db', 'database.user': 'u', 'database.dbname': 'd', 'kafka.bootstrap.servers': 'k:1', 'database.sslmode': 'verify-full' });
    expect(withoutUrl.database.ssl).toEqual({});
  });

  it('names the key of a bad TLS setting with CdcConfigError, without the URL password', () => {
    const error = (() => {
      try {
        parseCdcConfig({ ...base, 'database.sslmode': 'prefer' });
      } catch (e) {
        return e as CdcConfigError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CdcConfigError);
    expect(error?.key).toBe('database.sslmode');
    expect(error?.message).not.toContain('url-pw');
    expect(() => parseCdcConfig({ ...base, 'sasl.username': 'cdc' })).toThrow(CdcConfigError);
  });
});
