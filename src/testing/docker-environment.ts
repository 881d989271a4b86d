import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ContainerRuntimeClient } from 'testcontainers';
import { ServiceUnavailableError } from './service-error.js';

/** The socket of the Docker engine that test/env/docker-up.sh starts on machines without a system daemon. */
export const TRIBUTARY_DOCKER_SOCKET = '/run/tributary-docker/docker.sock';
const TRIBUTARY_DOCKER_HOST = `unix://${TRIBUTARY_DOCKER_SOCKET}`;

/** Every container the testing services start carries this label (value "true"). */
export const SERVICE_LABEL = 'dev.tributary.testing';
/** The process (pid@host) that started a container: a container whose process is gone is a leftover. */
export const OWNER_LABEL = 'dev.tributary.owner';

type MutableEnvironment = Record<string, string | undefined>;

/**
 * Points Testcontainers at the Tributary Docker engine when no other engine is configured, and, for that
 * engine, sets what a machine without a registry needs: no Ryuk (its image cannot be pulled) and `localhost`
 * as the host (otherwise Testcontainers, seeing /.dockerenv, tries to pull an image to find the gateway).
 * Variables already set are left alone.
 */
export function prepareDockerEnvironment(env: MutableEnvironment = process.env): void {
  if (!env['DOCKER_HOST'] && !existsSync('/var/run/docker.sock') && existsSync(TRIBUTARY_DOCKER_SOCKET)) {
    env['DOCKER_HOST'] = TRIBUTARY_DOCKER_HOST;
  }
  if (env['DOCKER_HOST'] === TRIBUTARY_DOCKER_HOST) {
    env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
    env['TESTCONTAINERS_HOST_OVERRIDE'] ??= 'localhost';
  }
}

/** The host name under which ports published by the Docker engine are reachable from this process. */
export function dockerHostName(env: Readonly<MutableEnvironment> = process.env): string {
  const override = env['TESTCONTAINERS_HOST_OVERRIDE'];
  if (override) return override;
  const dockerHost = env['DOCKER_HOST'];
  if (dockerHost && /^(tcp|http|https):/.test(dockerHost)) return new URL(dockerHost).hostname;
  return 'localhost';
}

/** Labels for a container started by this process. */
export function ownerLabels(): Record<string, string> {
  return { [SERVICE_LABEL]: 'true', [OWNER_LABEL]: `${process.pid}@${hostname()}` };
}

type Testcontainers = typeof import('testcontainers');

/**
 * Testcontainers, loaded only when a container is needed (services given by the environment need none). It is
 * an optional peer dependency of the package: the TopologyTestDriver works without it.
 */
export async function loadTestcontainers(): Promise<Testcontainers> {
  prepareDockerEnvironment();
  try {
    return await import('testcontainers');
  } catch (cause) {
    const missing = (cause as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND' && String((cause as Error).message).includes("'testcontainers'");
    if (!missing) throw cause;
    throw new ServiceUnavailableError(
      'Starting Kafka or PostgreSQL in a container needs the optional peer dependency testcontainers: ' +
        'npm install --save-dev testcontainers, or point KAFKA_BROKERS / DATABASE_URL at running services.',
      { service: 'docker', cause },
    );
  }
}

/** The container runtime, or an error that says how to run without one. */
export async function containerRuntime(tc: Testcontainers, service: 'kafka' | 'postgres'): Promise<ContainerRuntimeClient> {
  try {
    return await tc.getContainerRuntimeClient();
  } catch (cause) {
    const variable = service === 'kafka' ? 'KAFKA_BROKERS' : 'DATABASE_URL';
    throw new ServiceUnavailableError(
      `No Docker engine found for starting ${service} (DOCKER_HOST=${process.env['DOCKER_HOST'] ?? 'unset'}). ` +
        `Start Docker (on machines without a system daemon: test/env/docker-up.sh, then ` +
        `DOCKER_HOST=${TRIBUTARY_DOCKER_HOST}), or point ${variable} at a running ${service}.`,
      { service: 'docker', cause },
    );
  }
}

/** Makes sure `image` is present, pulling it if the engine can; otherwise says how to get it. */
export async function ensureImage(
  tc: Testcontainers,
  runtime: ContainerRuntimeClient,
  service: 'kafka' | 'postgres',
  image: string,
  imageVariable: string,
): Promise<void> {
  const name = tc.ImageName.fromString(image);
  if (await runtime.image.exists(name)) return;
  try {
    await runtime.image.pull(name);
  } catch (cause) {
    const variable = service === 'kafka' ? 'KAFKA_BROKERS' : 'DATABASE_URL';
    throw new ServiceUnavailableError(
      `Image ${image} is not present and could not be pulled. Without a registry, build local images with ` +
        `test/env/build-images.sh and set ${imageVariable} to the image it prints, or point ${variable} at a ` +
        `running ${service}.`,
      { service, image, cause },
    );
  }
}

/**
 * Removes containers left behind by test runs that were killed (their owning process on this host is gone).
 * Containers of live processes, including other users' runs on the same engine, are kept.
 */
export async function removeLeftoverContainers(runtime: ContainerRuntimeClient): Promise<number> {
  const dockerode = runtime.container.dockerode;
  const containers = await dockerode.listContainers({ all: true, filters: { label: [SERVICE_LABEL] } });
  let removed = 0;
  for (const info of containers) {
    const owner = info.Labels[OWNER_LABEL] ?? '';
    const [pid, host] = owner.split('@');
    if (host !== hostname() || processAlive(Number(pid))) continue;
    await dockerode.getContainer(info.Id).remove({ force: true }).catch(() => undefined);
    removed += 1;
  }
  return removed;
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
