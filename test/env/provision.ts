// Where the integration tests' Kafka and PostgreSQL come from, decided before they are started, so that
// `npm test` on a fresh machine needs no set-up step of its own:
//   1. KAFKA_BROKERS and DATABASE_URL: running services, no container.
//   2. A Docker engine the user has (DOCKER_HOST, or the system socket): Testcontainers pulls the official images.
//   3. Otherwise, as root on Debian: the project's own engine and local images (test/env/provision.sh).
//   4. Otherwise: an error that says which of these to provide.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { prepareDockerEnvironment, TRIBUTARY_DOCKER_SOCKET } from '../../src/testing/docker-environment.js';

type Environment = Record<string, string | undefined>;

const SYSTEM_DOCKER_SOCKET = '/var/run/docker.sock';
const TRIBUTARY_DOCKER_HOST = `unix://${TRIBUTARY_DOCKER_SOCKET}`;

/** Whether a Docker engine answers `GET /_ping` on a unix socket (within 5 s). */
export function dockerAnswers(socketPath: string): Promise<boolean> {
  if (!existsSync(socketPath)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Parses `export NAME=value` lines (what provision.sh and build-images.sh print). */
export function parseExports(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) out.set(match[1]!, match[2]!.replace(/^(['"])(.*)\1$/, '$2'));
  }
  return out;
}

/** What to say when no way to get the services is left. */
export function noServicesMessage(reason: string): string {
  return (
    `The integration tests need Kafka and PostgreSQL, and none could be found or set up (${reason}). Provide one of: ` +
    'a Docker engine (running at /var/run/docker.sock, or named by DOCKER_HOST; without a registry also set ' +
    'TRIBUTARY_KAFKA_IMAGE and TRIBUTARY_POSTGRES_IMAGE to images built by test/env/build-images.sh); root on Debian, ' +
    'where the tests install and start their own engine and images; or KAFKA_BROKERS and DATABASE_URL naming running ' +
    'services (PostgreSQL with wal_level=logical and a REPLICATION user).'
  );
}

/**
 * Makes sure the services of the run can be had, setting DOCKER_HOST and the image variables in `env` (which
 * the test workers inherit) when the project's own engine is used. Variables already set are kept.
 */
export function provisionTestServices(env: Environment = process.env, log: (line: string) => void = (line) => console.log(line)): Promise<void> {
  if (env !== process.env) return provision(env, log);
  // The projects' global setups run in one process, possibly at once: one set-up serves them all.
  const shared = globalThis as { tributaryProvision?: Promise<void> };
  return (shared.tributaryProvision ??= provision(env, log));
}

async function provision(env: Environment, log: (line: string) => void): Promise<void> {
  if (env['KAFKA_BROKERS'] && env['DATABASE_URL']) return;
  const host = env['DOCKER_HOST'];
  // An engine the user chose is used as it is: its errors (pull refused, ...) say what is missing.
  if (host && host !== TRIBUTARY_DOCKER_HOST) return;
  if (!host && (await dockerAnswers(SYSTEM_DOCKER_SOCKET))) return;
  const imagesGiven = Boolean(env['TRIBUTARY_KAFKA_IMAGE'] && env['TRIBUTARY_POSTGRES_IMAGE']);
  if (!(imagesGiven && (await dockerAnswers(TRIBUTARY_DOCKER_SOCKET)))) {
    const isRoot = process.getuid?.() === 0;
    if (!isRoot || !existsSync('/etc/debian_version')) {
      throw new Error(noServicesMessage(isRoot ? 'this machine is not Debian' : 'no Docker engine answers and this process is not root'));
    }
    const started = Date.now();
    log('[test services] no Docker engine to use: setting up the project\'s own (test/env/provision.sh; the first time takes a few minutes)');
    const script = fileURLToPath(new URL('./provision.sh', import.meta.url));
    const run = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    if (run.status !== 0) throw new Error(noServicesMessage(`test/env/provision.sh failed with status ${String(run.status ?? run.signal)}; its output is above`));
    for (const [name, value] of parseExports(run.stdout)) env[name] ??= value;
    log(`[test services] Docker engine and local images ready in ${Date.now() - started} ms`);
  }
  env['DOCKER_HOST'] ??= TRIBUTARY_DOCKER_HOST;
  prepareDockerEnvironment(env);
}
