import { ConfigError } from '../errors.js';
import { KAFKA_SECURITY_CONFIG_KEYS, KAFKA_SECURITY_UNSUPPORTED_KEYS, parseKafkaSecurityConfig, type KafkaSecurityOptions } from '../kafka/client-security.js';
import type { ProcessingGuarantee } from '../runtime/kafka-streams.js';
import { readConfigFile, type ConfigFileSpec } from './config-file.js';

/** What `tributary run` passes to `KafkaStreams`, resolved from the config file and the environment. */
export interface RunConfig {
  readonly applicationId: string;
  readonly brokers: readonly string[];
  readonly guarantee: ProcessingGuarantee;
  readonly commitIntervalMs?: number;
  readonly instanceId?: string;
  readonly sessionTimeoutMs?: number;
  readonly cacheMaxBytes?: number;
  readonly maxTaskIdleMs?: number;
  readonly connectTimeoutMs?: number;
  /** From the file's Kafka security keys (`security.protocol`, `sasl.*`, `ssl.*`). */
  readonly security?: KafkaSecurityOptions;
}

type Key = Exclude<keyof RunConfig, 'security'>;

/** Config file keys, and the environment variable that overrides each. */
export const RUN_CONFIG_VARIABLES: Readonly<Record<Key, string>> = {
  applicationId: 'TRIBUTARY_APPLICATION_ID',
  brokers: 'TRIBUTARY_BROKERS',
  guarantee: 'TRIBUTARY_GUARANTEE',
  commitIntervalMs: 'TRIBUTARY_COMMIT_INTERVAL_MS',
  instanceId: 'TRIBUTARY_INSTANCE_ID',
  sessionTimeoutMs: 'TRIBUTARY_SESSION_TIMEOUT_MS',
  cacheMaxBytes: 'TRIBUTARY_CACHE_MAX_BYTES',
  maxTaskIdleMs: 'TRIBUTARY_MAX_TASK_IDLE_MS',
  connectTimeoutMs: 'TRIBUTARY_CONNECT_TIMEOUT_MS',
};
const KEYS = Object.keys(RUN_CONFIG_VARIABLES) as Key[];
const INTEGER_KEYS: readonly Key[] = ['commitIntervalMs', 'sessionTimeoutMs', 'cacheMaxBytes', 'maxTaskIdleMs', 'connectTimeoutMs'];
const GUARANTEES: readonly ProcessingGuarantee[] = ['at_least_once', 'exactly_once'];

/**
 * Resolves the configuration of `tributary run`: the JSON file (optional) first, then `TRIBUTARY_*`
 * environment variables over it. A string in the file may reference the environment as `${env:NAME}`.
 * Unknown keys are rejected with the nearest known key suggested, because a misspelt key would otherwise
 * silently fall back to a default.
 *
 * @example
 * // app.json: {"applicationId": "word-count", "brokers": ["localhost:9092"], "guarantee": "exactly_once"}
 * const config = await loadRunConfig('app.json', process.env);
 * // TRIBUTARY_BROKERS=kafka-1:9092,kafka-2:9092 overrides the brokers of the file.
 * // A secured cluster: {"security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-256", "sasl.username": "app",
 * //   "sasl.password": "${env:KAFKA_PASSWORD}", "ssl.ca.location": "/etc/kafka/ca.pem", ...}
 */
export async function loadRunConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<RunConfig> {
  const raw: Partial<Record<Key, unknown>> = path === undefined ? {} : await readConfigFile(path, FILE_SPEC, env);
  for (const key of KEYS) {
    const value = env[RUN_CONFIG_VARIABLES[key]];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = validate(raw, path);
  const security = parseKafkaSecurityConfig(raw, (message, key) => new ConfigError(`${path ?? 'config'}: ${message}`, { context: { key } }));
  return security === undefined ? config : { ...config, security };
}

/** How `tributary run`'s file is read: flat, with the {@link RunConfig} keys and the Kafka security keys. */
const FILE_SPEC: ConfigFileSpec = {
  known: [...KEYS, ...KAFKA_SECURITY_CONFIG_KEYS],
  unsupported: KAFKA_SECURITY_UNSUPPORTED_KEYS,
  error: (message, { key, file, variable, cause }) =>
    new ConfigError(message, { ...(cause === undefined ? {} : { cause }), context: { file, key, ...(variable === undefined ? {} : { variable }) } }),
};

function validate(raw: Partial<Record<Key, unknown>>, path: string | undefined): RunConfig {
  const where = (key: Key): string => `${key} (${path === undefined ? '' : `in ${path} or `}environment variable ${RUN_CONFIG_VARIABLES[key]})`;
  const applicationId = raw.applicationId;
  if (typeof applicationId !== 'string' || applicationId === '') throw new ConfigError(`${where('applicationId')} is required: a non-empty string`, { context: { key: 'applicationId' } });
  const brokers = typeof raw.brokers === 'string' ? raw.brokers.split(',').map((b) => b.trim()).filter((b) => b !== '') : raw.brokers;
  if (!Array.isArray(brokers) || brokers.length === 0 || !brokers.every((b) => typeof b === 'string' && /^[^\s:]+:\d+$/.test(b))) {
    throw new ConfigError(`${where('brokers')} is required: host:port entries, as a list or comma-separated`, { context: { key: 'brokers' } });
  }
  const guarantee = raw.guarantee ?? 'at_least_once';
  if (!GUARANTEES.includes(guarantee as ProcessingGuarantee)) {
    throw new ConfigError(`${where('guarantee')} must be one of ${GUARANTEES.join(', ')}; got ${JSON.stringify(guarantee)}`, { context: { key: 'guarantee' } });
  }
  const config: Record<string, unknown> = { applicationId, brokers: brokers as string[], guarantee };
  if (raw.instanceId !== undefined) {
    if (typeof raw.instanceId !== 'string' || raw.instanceId === '') throw new ConfigError(`${where('instanceId')} must be a non-empty string`, { context: { key: 'instanceId' } });
    config['instanceId'] = raw.instanceId;
  }
  for (const key of INTEGER_KEYS) {
    const value = raw[key];
    if (value === undefined) continue;
    const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isSafeInteger(number) || (number < 0 && key !== 'maxTaskIdleMs')) {
      throw new ConfigError(`${where(key)} must be a ${key === 'maxTaskIdleMs' ? '' : 'non-negative '}integer; got ${JSON.stringify(value)}`, { context: { key } });
    }
    config[key] = number;
  }
  return config as unknown as RunConfig;
}

export { nearestKey } from './config-file.js';
