import pg from 'pg';
import { RetriesExhaustedError } from '../errors.js';
import { retry } from '../retry.js';
import {
  containerRuntime,
  ensureImage,
  loadTestcontainers,
  ownerLabels,
  removeLeftoverContainers,
} from './docker-environment.js';
import { POSTGRES_IMAGE_VARIABLE, postgresImage } from './images.js';
import { ServiceUnavailableError } from './service-error.js';

/** A PostgreSQL server to talk to. */
export interface PostgresService {
  /** `postgres://user:password@host:port/database` of a user allowed to replicate. */
  readonly databaseUrl: string;
  /** Where the server comes from: `DATABASE_URL`, or a container this process started. */
  readonly source: 'environment' | 'container';
  /** The image of the container, when one was started. */
  readonly image?: string;
  /** Stops the container (nothing for a server given by the environment). */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Image to start; default `TRIBUTARY_POSTGRES_IMAGE` or `postgres:17`. */
  readonly image?: string;
  /** Environment to read `DATABASE_URL` from; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Extra server settings, passed as `-c name=value`. */
  readonly settings?: Readonly<Record<string, string>>;
  /** How long the server may take to start; default 120 s. */
  readonly startupTimeoutMs?: number;
}

const CONTAINER_PORT = 5432;
const USER = 'tributary';
const PASSWORD = 'tributary';
const DATABASE = 'tributary';

/**
 * Server settings of the test server: logical decoding for CDC, room for the slots and connections of a test
 * run, and no fsync (a test server's data does not outlive the run).
 */
export const DEFAULT_POSTGRES_SETTINGS: Readonly<Record<string, string>> = {
  wal_level: 'logical',
  max_replication_slots: '20',
  max_wal_senders: '20',
  max_connections: '200',
  fsync: 'off',
};

/**
 * A PostgreSQL server: the one named by `DATABASE_URL` when set, otherwise a container started with
 * Testcontainers, running with `wal_level=logical`. Works with the official `postgres` image and with the
 * local image from test/env/build-images.sh.
 *
 * @example
 * ```ts
 * const postgres = await startPostgres();
 * const client = new pg.Client({ connectionString: postgres.databaseUrl });
 * // ...
 * await postgres.stop();
 * ```
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresService> {
  const fromEnvironment = (options.env ?? process.env)['DATABASE_URL']?.trim();
  if (fromEnvironment) return { databaseUrl: fromEnvironment, source: 'environment', stop: async () => undefined };

  const image = options.image ?? postgresImage(options.env);
  const tc = await loadTestcontainers();
  const runtime = await containerRuntime(tc, 'postgres');
  await removeLeftoverContainers(runtime);
  await ensureImage(tc, runtime, 'postgres', image, POSTGRES_IMAGE_VARIABLE);

  const settings = { ...DEFAULT_POSTGRES_SETTINGS, ...options.settings };
  const command = ['postgres', ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
  // pg_isready over TCP inside the container: the official image's temporary init server listens only on its
  // socket, so this succeeds only for the real server (a log-line count would differ between images).
  const container = new tc.GenericContainer(image)
    .withEnvironment({ POSTGRES_USER: USER, POSTGRES_PASSWORD: PASSWORD, POSTGRES_DB: DATABASE })
    .withCommand(command)
    .withExposedPorts(CONTAINER_PORT)
    .withLabels(ownerLabels())
    .withWaitStrategy(
      tc.Wait.forSuccessfulCommand(`pg_isready -h 127.0.0.1 -p ${CONTAINER_PORT} -U ${USER} -d ${DATABASE}`),
    )
    .withStartupTimeout(options.startupTimeoutMs ?? 120_000);
  let started;
  try {
    started = await container.start();
  } catch (cause) {
    throw new ServiceUnavailableError(`PostgreSQL container (${image}) did not start: ${String(cause)}`, { service: 'postgres', image, cause });
  }
  const databaseUrl = `postgres://${USER}:${PASSWORD}@${started.getHost()}:${started.getMappedPort(CONTAINER_PORT)}/${DATABASE}`;
  const stop = async (): Promise<void> => {
    await started.stop();
  };
  try {
    await awaitServerReachable(databaseUrl);
  } catch (cause) {
    await stop().catch(() => undefined);
    throw new ServiceUnavailableError(
      `PostgreSQL container (${image}) started but is not reachable at ${databaseUrl}: ${String(cause)}`,
      { service: 'postgres', image, cause },
    );
  }
  return { databaseUrl, source: 'container', image, stop };
}

async function awaitServerReachable(databaseUrl: string): Promise<void> {
  try {
    // a fresh container refuses connections until the server is up: 20 tries, 250 ms apart, whatever the failure
    await retry(
      async () => {
        const client = new pg.Client({ connectionString: databaseUrl });
        try {
          await client.connect();
          await client.query('SELECT 1');
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      { retries: 19, initialBackoffMs: 250, maxBackoffMs: 250, jitter: 'none', isRetriable: () => true },
    );
  } catch (error) {
    // the caller reports the server's own last answer
    throw error instanceof RetriesExhaustedError ? error.cause : error;
  }
}
