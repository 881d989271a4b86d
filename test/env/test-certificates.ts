// Certificates made at test time with the openssl CLI: a CA, a broker (or server) certificate for localhost and
// 127.0.0.1 signed by it, a client certificate signed by it, and a client certificate of another CA that nobody
// trusts. Import from test files as
//   import { makeTestCertificates } from '../env/test-certificates.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  readonly dir: string;
  /** The CA's certificate (PEM file). */
  readonly caFile: string;
  readonly caPem: string;
  /** Server certificate and PKCS#8 key for `localhost` and 127.0.0.1, signed by the CA. */
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  /** Client certificate and key signed by the CA. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** A CA nobody trusts, and a client certificate and key signed by it. */
  readonly strangerCaFile: string;
  readonly strangerCertFile: string;
  readonly strangerKeyFile: string;
}

function openssl(dir: string, ...args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('the openssl command is needed to make the test certificates (apt-get install openssl)');
    throw error;
  }
}

function newCa(dir: string, name: string): void {
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`);
}

function signed(dir: string, ca: string, name: string, cn: string, extensions: string): void {
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
}

/** Makes a fresh set in a new temporary directory (about a second: five RSA keys). */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-tls-'));
  newCa(dir, 'ca');
  newCa(dir, 'stranger-ca');
  signed(dir, 'ca', 'server', 'localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  signed(dir, 'ca', 'client', 'tributary-client', 'extendedKeyUsage=clientAuth\n');
  signed(dir, 'stranger-ca', 'stranger', 'stranger-client', 'extendedKeyUsage=clientAuth\n');
  const file = (name: string): string => join(dir, name);
  return {
    dir,
    caFile: file('ca.pem'),
    caPem: readFileSync(file('ca.pem'), 'utf8'),
    serverCertFile: file('server.pem'),
    serverKeyFile: file('server.key'),
    serverCertPem: readFileSync(file('server.pem'), 'utf8'),
    serverKeyPem: readFileSync(file('server.key'), 'utf8'),
    clientCertFile: file('client.pem'),
    clientKeyFile: file('client.key'),
    strangerCaFile: file('stranger-ca.pem'),
    strangerCertFile: file('stranger.pem'),
    strangerKeyFile: file('stranger.key'),
  };
}
