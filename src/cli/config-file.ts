/**
 * The one reader of the CLI's config files (`tributary run`, `cdc` and `sink`): a JSON object, optionally wrapped
 * as a Kafka Connect connector definition, with `${env:NAME}` replaced in every string and every key checked.
 *
 * Its error messages name keys, files and variables, never values: a config file holds passwords, and what the
 * CLI prints ends up in terminals, CI logs and log collectors.
 *
 * @example
 * const raw = await readConfigFile('sink.json', {
 *   known: ['connection.url', 'connection.password', 'topics'],
 *   ignored: ['connector.class'],
 *   connectWrapper: true,
 *   error: (message, { key }) => new SinkConfigError(message, { key }),
 * });
 */
import { readFile } from 'node:fs/promises';

/** What a loader error says; each command turns it into its own error class. */
export interface ConfigFileErrorDetails {
  /** The key at fault, or `--config` when the file as a whole is. */
  readonly key: string;
  readonly file: string;
  readonly variable?: string;
  readonly cause?: unknown;
}

/** The keys a command reads, and how its config file may be written. */
export interface ConfigFileSpec {
  /** Keys the command reads; an unknown key is rejected with the nearest of these (or of `ignored`) suggested. */
  readonly known: readonly string[];
  /** Keys accepted and not read, such as Kafka Connect's `connector.class`, so existing Connect configs load as they are. */
  readonly ignored?: readonly string[];
  /** Prefixes of accepted, unread keys (`topic.creation.` covers `topic.creation.default.partitions`). */
  readonly ignoredPrefixes?: readonly string[];
  /** Keys (and their `key.*` sub-keys) refused with a reason of their own instead of "unknown key". */
  readonly unsupported?: Readonly<Record<string, string>>;
  /** Accept Kafka Connect's REST form `{"name": ..., "config": {...}}` besides a flat object. */
  readonly connectWrapper?: boolean;
  /** The error of the command (ConfigError, CdcConfigError, SinkConfigError) for a message. */
  readonly error: (message: string, details: ConfigFileErrorDetails) => Error;
}

const ENV_REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** Up to this many known keys are listed when no single one is near an unknown key; longer lists only drown the message. */
const MAX_KEYS_LISTED = 12;

/**
 * Reads and checks a config file; see {@link parseConfigText}. The result maps each key to its value with every
 * `${env:NAME}` replaced; the command validates the values.
 */
export async function readConfigFile(path: string, spec: ConfigFileSpec, env: NodeJS.ProcessEnv = process.env): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw spec.error(`cannot read config file ${path}: ${(cause as Error).message}`, { key: '--config', file: path, cause });
  }
  return parseConfigText(text, path, spec, env);
}

/**
 * Parses the text of a config file (`file` names it in messages): a JSON object, or with `spec.connectWrapper` a
 * Connect definition whose `name` joins the keys of its `config`. Every key must be known, ignored or explained
 * by `spec`; `${env:NAME}` in any string (also inside lists) is replaced by that environment variable, as Kafka
 * Connect's EnvVarConfigProvider does, so secrets can stay out of the file.
 */
export function parseConfigText(text: string, file: string, spec: ConfigFileSpec, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // JSON.parse may quote the text around the mistake, and the file holds passwords: say only where it is
    const where = /position \d+(?: \(line \d+ column \d+\))?/.exec((err as Error).message)?.[0];
    throw spec.error(`config file ${file} is not valid JSON${where === undefined ? '' : ` (at ${where})`}`, { key: '--config', file });
  }
  if (!isObject(parsed)) throw spec.error(`config file ${file} must hold a JSON object`, { key: '--config', file });
  const flat = spec.connectWrapper === true && isObject(parsed['config']) ? unwrapConnect(parsed, file, spec) : parsed;
  checkKeys(Object.keys(flat), file, spec);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) out[key] = substituteEnv(value, key, file, spec, env);
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{"name": n, "config": {...}}` -> `{...config, name: n}`: the outer name is the connector's, as Connect uses it. */
function unwrapConnect(wrapper: Record<string, unknown>, file: string, spec: ConfigFileSpec): Record<string, unknown> {
  for (const key of Object.keys(wrapper)) {
    if (key !== 'name' && key !== 'config') {
      throw spec.error(`config file ${file}: unknown key "${key}" beside "config" (a Kafka Connect definition holds only "name" and "config")`, { key, file });
    }
  }
  const config = wrapper['config'] as Record<string, unknown>;
  return wrapper['name'] === undefined ? config : { ...config, name: wrapper['name'] };
}

function checkKeys(keys: readonly string[], file: string, spec: ConfigFileSpec): void {
  const known = new Set(spec.known);
  const ignored = new Set(spec.ignored ?? []);
  for (const key of keys) {
    if (known.has(key) || ignored.has(key) || (spec.ignoredPrefixes ?? []).some((prefix) => key.startsWith(prefix))) continue;
    const reason = Object.entries(spec.unsupported ?? {}).find(([name]) => key === name || key.startsWith(`${name}.`))?.[1];
    if (reason !== undefined) throw spec.error(`config file ${file}: ${key}: ${reason}`, { key, file });
    const candidates = [...spec.known, ...(spec.ignored ?? [])];
    const near = nearestKey(key, candidates);
    const hint = near !== undefined ? ` (did you mean "${near}"?)` : spec.known.length <= MAX_KEYS_LISTED ? `; known keys: ${spec.known.join(', ')}` : '';
    throw spec.error(`config file ${file}: unknown key "${key}"${hint}`, { key, file });
  }
}

function substituteEnv(value: unknown, key: string, file: string, spec: ConfigFileSpec, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REFERENCE, (_match, name: string) => {
      const found = env[name];
      // The message names the key and the variable only: the rest of the string may be a secret (a URL's password).
      if (found === undefined) throw spec.error(`${key}: environment variable ${name} is not set (referenced in config file ${file})`, { key, file, variable: name });
      return found;
    });
  }
  if (Array.isArray(value)) return value.map((item) => substituteEnv(item, key, file, spec, env));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, key, file, spec, env)]));
  return value;
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
