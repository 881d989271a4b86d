import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postgresTls, type PostgresTlsSettings } from './postgres-tls.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const dir = mkdtempSync(join(tmpdir(), 'postgres-tls-'));
const ca = join(dir, 'root.crt');
writeFileSync(ca, PEM);
const fail = (message: string, parameter: string) => Object.assign(new Error(message), { parameter });

function tls(url: string | undefined, explicit: PostgresTlsSettings = {}) {
  return postgresTls(url, explicit, fail);
}

describe('postgresTls', () => {
  it('leaves a URL without TLS parameters as it is, with no ssl option', () => {
    expect(tls('postgres://app:pw@db:5432/shop')).toEqual({ connectionString: 'postgres://app:pw@db:5432/shop', ssl: undefined });
  });

  it('takes the parameters out of the URL and applies libpq meanings', () => {
    const require = tls('postgres://app:pw@db/shop?sslmode=require&application_name=x');
    expect(require.connectionString).toBe('postgres://app:pw@db/shop?application_name=x');
    expect(require.ssl).toEqual({ rejectUnauthorized: false });

    const requireWithRoot = tls(`postgres://db/shop?sslmode=require&sslrootcert=${ca}`).ssl as { ca: string; checkServerIdentity: () => unknown; rejectUnauthorized?: boolean };
    expect(requireWithRoot.ca).toBe(PEM);
    expect(requireWithRoot.rejectUnauthorized).toBeUndefined();
    expect(requireWithRoot.checkServerIdentity()).toBeUndefined();

    const full = tls(`postgres://db/shop?sslmode=verify-full&sslrootcert=${ca}`).ssl as Record<string, unknown>;
    expect(full).toEqual({ ca: PEM });
    expect(tls('postgres://db/shop?sslmode=verify-full&sslrootcert=system').ssl).toEqual({});
    expect(tls('postgres://db/shop?sslmode=disable').ssl).toBe(false);
  });

  it('reads JDBC ssl=true as verify-full and lets explicit options win over the URL', () => {
    expect(tls('postgresql://db/shop?ssl=true&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory')).toEqual({ connectionString: 'postgresql://db/shop', ssl: {} });
    expect(tls('postgres://db/shop?sslmode=disable', { sslmode: 'require' }).ssl).toEqual({ rejectUnauthorized: false });
  });

  it('passes a client certificate, its key and passphrase', () => {
    const ssl = tls('postgres://db/shop', { sslmode: 'verify-ca', sslrootcert: ca, sslcert: ca, sslkey: ca, sslpassword: 'kp' }).ssl as Record<string, unknown>;
    expect(ssl['cert']).toBe(PEM);
    expect(ssl['key']).toBe(PEM);
    expect(ssl['passphrase']).toBe('kp');
  });

  it.each([
    [{ sslmode: 'prefer' }, 'sslmode prefer (fall back to a connection without TLS) is not supported'],
    [{ sslmode: 'strict' }, "sslmode 'strict' is not one of disable, require, verify-ca, verify-full"],
    [{ sslmode: 'verify-ca' }, 'sslmode verify-ca needs sslrootcert'],
    [{ sslmode: 'require', sslcert: ca }, 'sslkey is required too'],
    [{ sslmode: 'require', sslrootcert: join(dir, 'missing.crt') }, 'sslrootcert: cannot read'],
    [{ sslpassword: 'secret-kp' }, 'sslpassword is set without sslkey'],
  ])('refuses %j', (explicit, expected) => {
    let error: Error | undefined;
    try {
      tls('postgres://app:url-secret@db/shop', explicit);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toContain(expected);
    expect(error?.message).not.toMatch(/url-secret|secret-kp/);
  });
});
