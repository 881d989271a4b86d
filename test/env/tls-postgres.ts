// A PostgreSQL of a test's own that accepts TLS with the test CA's server certificate (and still accepts clear
// connections: a test checks pg_stat_ssl to see which its clients used), with a password of the test's choosing.
// Import from test files as
//   import { startTlsPostgres } from '../env/tls-postgres.js';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { startPostgres, type PostgresService } from '../../src/testing/index.js';
import { docker } from './own-kafka.js';
import type { TestCertificates } from './test-certificates.js';

/** Starts the server, installs the certificate and turns TLS on (a reload suffices), and sets `password`. */
export async function startTlsPostgres(certificates: TestCertificates, password: string): Promise<{ service: PostgresService; databaseUrl: string }> {
  const service = await startPostgres({ env: { TRIBUTARY_POSTGRES_IMAGE: process.env['TRIBUTARY_POSTGRES_IMAGE'] } });
  try {
    const url = new URL(service.databaseUrl);
    const container = docker('ps', '-q', '--filter', `publish=${url.port}`);
    if (!/^[0-9a-f]+$/.test(container)) throw new Error(`no single container publishes PostgreSQL's port ${url.port} (docker ps said "${container}")`);
    // Written by the server's own user into its data directory: the key must be the server user's, mode 0600.
    const write = (name: string, content: string): void => {
      execFileInput(['exec', '-i', container, 'sh', '-c', `cat > "$PGDATA/${name}" && chmod 600 "$PGDATA/${name}"`], content);
    };
    write('server.crt', certificates.serverCertPem);
    write('server.key', certificates.serverKeyPem);
    const client = new pg.Client({ connectionString: service.databaseUrl });
    await client.connect();
    try {
      await client.query("ALTER SYSTEM SET ssl_cert_file = 'server.crt'");
      await client.query("ALTER SYSTEM SET ssl_key_file = 'server.key'");
      await client.query("ALTER SYSTEM SET ssl = 'on'");
      await client.query('SELECT pg_reload_conf()');
      await client.query(`ALTER USER ${pg.escapeIdentifier(decodeURIComponent(url.username))} PASSWORD ${pg.escapeLiteral(password)}`);
    } finally {
      await client.end();
    }
    url.password = encodeURIComponent(password);
    return { service, databaseUrl: url.toString() };
  } catch (error) {
    await service.stop();
    throw error;
  }
}

function execFileInput(args: string[], input: string): void {
  // docker() of own-kafka.ts takes no input; this one feeds the file through stdin.
  execFileSync('docker', args, { input, env: process.env });
}
