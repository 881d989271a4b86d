import { Kafka, logLevel } from 'kafkajs';
import { kafkajsSecurity, type KafkaSecurityOptions, type SecurityProtocol } from '../kafka/client-security.js';
import {
  containerRuntime,
  dockerHostName,
  ensureImage,
  loadTestcontainers,
  ownerLabels,
  removeLeftoverContainers,
} from './docker-environment.js';
import { freePort } from './free-port.js';
import { KAFKA_IMAGE_VARIABLE, kafkaImage } from './images.js';
import { ServiceUnavailableError } from './service-error.js';

/** A Kafka cluster to talk to. */
export interface KafkaService {
  /** Bootstrap servers, `host:port`. */
  readonly brokers: string[];
  /** Where the cluster comes from: `KAFKA_BROKERS`, or a container this process started. */
  readonly source: 'environment' | 'container';
  /** The image of the container, when one was started. */
  readonly image?: string;
  /** Stops the container (nothing for a cluster given by the environment). */
  stop(): Promise<void>;
}

export interface StartKafkaOptions {
  /** Image to start; default `TRIBUTARY_KAFKA_IMAGE` or `apache/kafka:<KAFKA_VERSION>`. */
  readonly image?: string;
  /** Environment to read `KAFKA_BROKERS` from; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Extra broker settings as the image's `KAFKA_*` variables, e.g. `{ KAFKA_NUM_PARTITIONS: '3' }`. */
  readonly brokerEnvironment?: Readonly<Record<string, string>>;
  /** How long the broker may take to start; default 120 s. */
  readonly startupTimeoutMs?: number;
  /**
   * The protocol of the listener clients reach (default PLAINTEXT); its certificates and SASL users go in
   * `brokerEnvironment` (e.g. `KAFKA_SSL_KEYSTORE_TYPE`, `KAFKA_LISTENER_NAME_SASL__SSL_PLAIN_SASL_JAAS_CONFIG`).
   */
  readonly clientProtocol?: SecurityProtocol;
  /** How the readiness check connects to that listener (trust, SASL credentials). */
  readonly clientSecurity?: KafkaSecurityOptions;
}

const CONTAINER_PORT = 9092;
const CLUSTER_ID = 'tributary-kraft-cluster1';

/**
 * A Kafka cluster: the one named by `KAFKA_BROKERS` (comma-separated `host:port`) when set, otherwise a
 * single-node KRaft broker in a container started with Testcontainers. The container's listener is published on
 * a fixed free host port and advertised under it, so clients on this host reach the broker directly.
 *
 * Works with the official `apache/kafka` image and with the local image from test/env/build-images.sh: both
 * take their configuration from `KAFKA_*` variables.
 *
 * @example
 * ```ts
 * const kafka = await startKafka();
 * const client = new Kafka({ brokers: kafka.brokers });
 * // ...
 * await kafka.stop();
 * ```
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaService> {
  const fromEnvironment = parseBrokers((options.env ?? process.env)['KAFKA_BROKERS']);
  if (fromEnvironment) return { brokers: fromEnvironment, source: 'environment', stop: async () => undefined };

  const image = options.image ?? kafkaImage(options.env);
  const tc = await loadTestcontainers();
  const runtime = await containerRuntime(tc, 'kafka');
  await removeLeftoverContainers(runtime);
  await ensureImage(tc, runtime, 'kafka', image, KAFKA_IMAGE_VARIABLE);

  const host = dockerHostName();
  let lastError: unknown;
  // The free port can be taken by someone else before Docker binds it: try a few.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const hostPort = await freePort();
    const container = new tc.GenericContainer(image)
      .withEnvironment({ ...brokerEnvironment(host, hostPort, options.clientProtocol), ...options.brokerEnvironment })
      .withExposedPorts({ container: CONTAINER_PORT, host: hostPort })
      .withLabels(ownerLabels())
      .withWaitStrategy(tc.Wait.forLogMessage(/Kafka Server started/))
      .withStartupTimeout(options.startupTimeoutMs ?? 120_000);
    let started;
    try {
      started = await container.start();
    } catch (cause) {
      lastError = cause;
      if (/port is already allocated|address already in use/i.test(String(cause))) continue;
      throw new ServiceUnavailableError(`Kafka container (${image}) did not start: ${String(cause)}`, { service: 'kafka', image, cause });
    }
    const brokers = [`${host}:${hostPort}`];
    const stop = async (): Promise<void> => {
      await started.stop();
    };
    try {
      await awaitBrokerReachable(brokers, options.clientSecurity);
    } catch (cause) {
      await stop().catch(() => undefined);
      throw new ServiceUnavailableError(
        `Kafka container (${image}) started but its broker is not reachable at ${brokers[0]}: ${String(cause)}`,
        { service: 'kafka', image, cause },
      );
    }
    return { brokers, source: 'container', image, stop };
  }
  throw new ServiceUnavailableError(`no free host port for Kafka: ${String(lastError)}`, { service: 'kafka', image, cause: lastError });
}

/** `KAFKA_BROKERS` as a list, or undefined when unset or empty. */
export function parseBrokers(value: string | undefined): string[] | undefined {
  const brokers = (value ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  return brokers.length > 0 ? brokers : undefined;
}

/**
 * The `KAFKA_*` settings of a single-node KRaft broker advertised as `host:hostPort`, its client listener speaking
 * `clientProtocol` (named after it; PLAINTEXT by default).
 */
export function brokerEnvironment(host: string, hostPort: number, clientProtocol: SecurityProtocol = 'PLAINTEXT'): Record<string, string> {
  const client = clientProtocol;
  return {
    CLUSTER_ID,
    KAFKA_NODE_ID: '1',
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
    // The broker talks to itself (transaction markers, KIP-890 produce verification) over the inter-broker
    // listener's advertised address. The host-facing address (a port published on the host) is not reachable
    // from inside the container, so inter-broker traffic gets its own listener, advertised inside.
    KAFKA_LISTENERS: `${client}://0.0.0.0:${CONTAINER_PORT},BROKER://0.0.0.0:9094,CONTROLLER://0.0.0.0:9093`,
    KAFKA_ADVERTISED_LISTENERS: `${client}://${host}:${hostPort},BROKER://localhost:9094`,
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: `CONTROLLER:PLAINTEXT,${client}:${client},BROKER:PLAINTEXT`,
    KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
    KAFKA_LOG_DIRS: '/tmp/kraft-combined-logs',
    KAFKA_NUM_PARTITIONS: '1',
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '10',
    KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '10',
    KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
    KAFKA_HEAP_OPTS: '-Xmx1G -Xms256m',
  };
}

async function awaitBrokerReachable(brokers: string[], security: KafkaSecurityOptions | undefined): Promise<void> {
  const kafka = new Kafka({
    clientId: 'tributary-testing',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 200 },
    ...kafkajsSecurity(security),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.describeCluster();
    // A fresh broker creates __consumer_offsets and __transaction_state on the first group and transactional
    // requests; until they are loaded, kafkajs consumers crash and restart with "coordinator is loading"
    // errors. Creating both here keeps that noise and delay out of the tests.
    await admin.describeGroups(['tributary-testing-warmup']);
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ transactionalId: 'tributary-testing-warmup', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.disconnect();
}
