/**
 * TLS to PostgreSQL for the CDC source and the sink, with libpq's parameters and meanings (`sslmode`, `sslrootcert`,
 * `sslcert`, `sslkey`, `sslpassword`), given in the connection URL or as explicit options (which win). node-postgres
 * reads these URL parameters differently from libpq (it treats `sslmode=require` as `verify-full` and warns on
 * stderr), so they are taken out of the URL here and turned into pg's `ssl` option with libpq's rules:
 *
 * - `disable`: no TLS. `require`: TLS, the server certificate not checked (checked against `sslrootcert` when given,
 *   as libpq does). `verify-ca`: the certificate must chain to `sslrootcert`. `verify-full`: also the host name must
 *   match; `sslrootcert` (or `system`, the default) names the CAs.
 * - `allow` and `prefer` (fall back to a clear connection) are refused: node-postgres cannot fall back.
 * - No `sslmode` but another TLS parameter (or JDBC's `ssl=true`): `verify-full`.
 *
 * Messages name parameters and files, never the URL (it may hold a password) nor `sslpassword`.
 *
 * @example
 * const { connectionString, ssl } = postgresTls('postgres://app@db:5432/shop?sslmode=verify-full&sslrootcert=/etc/pg/ca.pem', {}, fail);
 * const client = new pg.Client({ connectionString, ssl });
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

export type PostgresSslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';
const SSL_MODES: readonly string[] = ['disable', 'require', 'verify-ca', 'verify-full'];

/** libpq's TLS parameters, as the URL's query or explicit options write them. */
export interface PostgresTlsSettings {
  readonly sslmode?: string | undefined;
  /** A PEM file of the CAs to trust, or `system` for the system's trust store. */
  readonly sslrootcert?: string | undefined;
  /** Client certificate (PEM file), for `clientcert=verify-*` in pg_hba.conf or `cert` authentication. */
  readonly sslcert?: string | undefined;
  readonly sslkey?: string | undefined;
  /** Passphrase of an encrypted `sslkey`. */
  readonly sslpassword?: string | undefined;
}

export const POSTGRES_TLS_PARAMETERS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'sslpassword'] as const;

/** The error of a bad parameter; `parameter` is one of {@link POSTGRES_TLS_PARAMETERS}. */
export type PostgresTlsError = (message: string, parameter: string) => Error;

/**
 * `url` without its TLS parameters (JDBC's `ssl` and `sslfactory` included), and pg's `ssl` option for them merged
 * with `explicit`; `ssl` is undefined when neither sets anything (pg's default: no TLS).
 */
export function postgresTls(url: string | undefined, explicit: PostgresTlsSettings, error: PostgresTlsError): { connectionString: string | undefined; ssl: false | ConnectionOptions | undefined } {
  const fromUrl: Record<string, string> = {};
  let connectionString = url;
  let jdbcSsl = false;
  if (url !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined; // the connector reports an invalid URL itself
    }
    if (parsed !== undefined) {
      let changed = false;
      for (const name of [...POSTGRES_TLS_PARAMETERS, 'ssl', 'sslfactory', 'uselibpqcompat']) {
        const value = parsed.searchParams.get(name);
        if (value === null) continue;
        if (name === 'ssl') jdbcSsl = value === 'true' || value === '1';
        else if (name !== 'sslfactory' && name !== 'uselibpqcompat') fromUrl[name] = value;
        parsed.searchParams.delete(name);
        changed = true;
      }
      if (changed) connectionString = parsed.toString();
    }
  }
  const settings: PostgresTlsSettings = { ...fromUrl, ...Object.fromEntries(Object.entries(explicit).filter(([, v]) => v !== undefined && v !== '')) };
  return { connectionString, ssl: sslOption(settings, jdbcSsl, error) };
}

function sslOption(settings: PostgresTlsSettings, jdbcSsl: boolean, error: PostgresTlsError): false | ConnectionOptions | undefined {
  const anyFile = settings.sslrootcert !== undefined || settings.sslcert !== undefined || settings.sslkey !== undefined;
  if (settings.sslmode === undefined && !anyFile && !jdbcSsl) {
    if (settings.sslpassword !== undefined) throw error('sslpassword is set without sslkey', 'sslpassword');
    return undefined;
  }
  const mode = (settings.sslmode ?? 'verify-full').toLowerCase();
  if (mode === 'allow' || mode === 'prefer') {
    throw error(`sslmode ${mode} (fall back to a connection without TLS) is not supported: use require, verify-ca or verify-full, or disable`, 'sslmode');
  }
  if (!SSL_MODES.includes(mode)) throw error(`sslmode '${settings.sslmode}' is not one of ${SSL_MODES.join(', ')}`, 'sslmode');
  if (mode === 'disable') return false;
  if ((settings.sslcert === undefined) !== (settings.sslkey === undefined)) {
    const missing = settings.sslcert === undefined ? 'sslcert' : 'sslkey';
    throw error(`${missing} is required too: a client certificate needs its private key`, missing);
  }
  const options: ConnectionOptions = {};
  const systemTrust = settings.sslrootcert === undefined || settings.sslrootcert === 'system';
  if (!systemTrust) options.ca = readPem(settings.sslrootcert!, 'sslrootcert', error);
  if (settings.sslcert !== undefined) options.cert = readPem(settings.sslcert, 'sslcert', error);
  if (settings.sslkey !== undefined) options.key = readPem(settings.sslkey, 'sslkey', error);
  if (settings.sslpassword !== undefined) options.passphrase = settings.sslpassword;
  if (mode === 'verify-ca' && systemTrust) throw error('sslmode verify-ca needs sslrootcert: the file of the CA that signed the server certificate', 'sslrootcert');
  // libpq: require with a root certificate checks the chain, as verify-ca does
  if (mode === 'require' && systemTrust) options.rejectUnauthorized = false;
  else if (mode === 'require' || mode === 'verify-ca') options.checkServerIdentity = () => undefined;
  return options;
}

function readPem(file: string, parameter: string, error: PostgresTlsError): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw error(`${parameter}: cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, parameter);
  }
  if (!text.includes('-----BEGIN ')) throw error(`${parameter}: ${file} holds no PEM block (-----BEGIN ...)`, parameter);
  return text;
}
