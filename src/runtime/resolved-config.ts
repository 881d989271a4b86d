import { randomUUID } from 'node:crypto';
import { ConfigError } from '../errors.js';
import { DEFAULT_ALOS_COMMIT_INTERVAL_MS, DEFAULT_EOS_COMMIT_INTERVAL_MS, type KafkaStreamsConfig, type ProcessingGuarantee } from './streams-config.js';

/** The settings of a KafkaStreams instance with their defaults applied, checked once at construction. */
export interface ResolvedStreamsConfig {
  readonly applicationId: string;
  readonly instanceId: string;
  readonly guarantee: ProcessingGuarantee;
  readonly commitIntervalMs: number;
  readonly maxTaskIdleMs: number;
  readonly cacheMaxBytes: number;
}

/**
 * Applies the defaults of a KafkaStreams config and rejects what cannot run, with a message that says what to
 * give instead: a bad value fails at construction rather than at the first rebalance.
 *
 * @example
 * const { guarantee, commitIntervalMs } = resolveStreamsConfig({ applicationId: 'app', brokers: ['localhost:9092'] });
 * // 'at_least_once', 1000
 */
export function resolveStreamsConfig(config: KafkaStreamsConfig): ResolvedStreamsConfig {
  if (!config.applicationId) throw new ConfigError('applicationId is required: it names the consumer group and the internal topics');
  if (config.kafka === undefined && (config.brokers === undefined || config.brokers.length === 0)) {
    throw new ConfigError('brokers are required (e.g. ["localhost:9092"]) unless a kafka port is given');
  }
  const guarantee = config.guarantee ?? 'at_least_once';
  if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once') {
    throw new ConfigError(`guarantee must be 'at_least_once' or 'exactly_once', got ${String(guarantee)}`);
  }
  const maxTaskIdleMs = config.maxTaskIdleMs ?? 0;
  if (!Number.isInteger(maxTaskIdleMs) || maxTaskIdleMs < -1) {
    throw new ConfigError(`maxTaskIdleMs must be an integer of at least -1, got ${String(config.maxTaskIdleMs)}`);
  }
  const cacheMaxBytes = config.cacheMaxBytes ?? 0;
  if (!Number.isSafeInteger(cacheMaxBytes) || cacheMaxBytes < 0) throw new ConfigError(`cacheMaxBytes must be an integer of at least 0, got ${String(config.cacheMaxBytes)}`);
  return {
    applicationId: config.applicationId,
    instanceId: config.instanceId ?? randomUUID(),
    guarantee,
    commitIntervalMs: config.commitIntervalMs ?? (guarantee === 'exactly_once' ? DEFAULT_EOS_COMMIT_INTERVAL_MS : DEFAULT_ALOS_COMMIT_INTERVAL_MS),
    maxTaskIdleMs,
    cacheMaxBytes,
  };
}
