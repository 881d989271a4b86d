import { kafkajsAdapter, type KafkajsAdapterOptions } from './kafkajs-adapter.js';
import type { KafkaPort } from './port.js';

/** How a connector's Kafka client behaves while a broker does not answer. */
export interface ConnectorKafkaOptions extends KafkajsAdapterOptions {
  /**
   * `'brief'`: the client gives up after a few seconds (3 s connection timeout, 5 retries of at most 2 s, no
   * retry loop of the port around its calls) and leaves longer outages to the caller, which restarts whole
   * sessions with its own, configured budget (the CDC source's `errors.*`). `'patient'` (the default): the
   * port's own retries.
   */
  readonly outages?: 'brief' | 'patient';
  /** Whether the Kafka client's own log lines reach `logger` (default true); the port's always do. */
  readonly clientLogs?: boolean;
}

/**
 * The Kafka port of a connector: the kafkajs adapter with the connector's outage and logging settings, so a
 * connector says what it wants in the port's words and never in kafkajs's.
 *
 * @example
 * const kafka = connectorKafka({ brokers: ['localhost:9092'], clientId: 'cdc', outages: 'brief', clientLogs: false });
 * const admin = await kafka.admin();
 * await admin.createTopics([{ topic: 'offsets', partitions: 1, configs: { 'cleanup.policy': 'compact' } }]);
 */
export function connectorKafka(options: ConnectorKafkaOptions): KafkaPort {
  const { outages = 'patient', clientLogs = true, ...adapterOptions } = options;
  const brief = outages === 'brief';
  return kafkajsAdapter({
    ...adapterOptions,
    ...(brief ? { retry: { ...adapterOptions.retry, retries: 0 } } : {}),
    kafkaConfig: {
      ...(brief ? { connectionTimeout: 3000, retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 } } : {}),
      // kafkajs's logLevel.NOTHING
      ...(clientLogs ? {} : { logLevel: 0 }),
      ...adapterOptions.kafkaConfig,
    },
  });
}
