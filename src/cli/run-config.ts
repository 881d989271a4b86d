import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import type { ProcessingGuarantee } from '../runtime/kafka-streams.js';

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
}

type Key = keyof RunConfig;

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
};
const KEYS = Object.keys(RUN_CONFIG_VARIABLES) as Key[];
const INTEGER_KEYS: readonly Key[] = ['commitIntervalMs', 'sessionTimeoutMs', 'cacheMaxBytes', 'maxTaskIdleMs'];
const GUARANTEES: readonly ProcessingGuarantee[] = ['at_least_once', 'exactly_once'];
const ENV_REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

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
 */
export async function loadRunConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<RunConfig> {
  const raw: Partial<Record<Key, unknown>> = path === undefined ? {} : await readConfigFile(path, env);
  for (const key of KEYS) {
    const value = env[RUN_CONFIG_VARIABLES[key]];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  return validate(raw, path);
}

async function readConfigFile(path: string, env: NodeJS.ProcessEnv): Promise<Partial<Record<Key, unknown>>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError(`cannot read config file ${path}: ${(cause as Error).message}`, { cause, context: { file: path } });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(cause as Error).message}`, { cause, context: { file: path } });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object`, { context: { file: path } });
  }
  const out: Partial<Record<Key, unknown>> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(KEYS as string[]).includes(key)) {
      const near = nearestKey(key, KEYS);
      throw new ConfigError(`config file ${path}: unknown key "${key}"${near === undefined ? '' : ` (did you mean "${near}"?)`}; known keys: ${KEYS.join(', ')}`, {
        context: { file: path, key },
      });
    }
    out[key as Key] = substituteEnv(value, key, env);
  }
  return out;
}

function substituteEnv(value: unknown, key: string, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REFERENCE, (_match, name: string) => {
      const found = env[name];
      if (found === undefined) throw new ConfigError(`${key}: environment variable ${name} is not set`, { context: { key, variable: name } });
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item) => substituteEnv(item, key, env));
  return value;
}

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

/** The known key closest to `key` by edit distance, if close enough to be a likely typo. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
