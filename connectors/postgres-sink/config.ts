import type { ConnectionOptions } from 'node:tls';
import { KAFKA_SECURITY_CONFIG_KEYS, KAFKA_SECURITY_UNSUPPORTED_KEYS, parseKafkaSecurityConfig, type KafkaSecurityOptions } from '../../src/kafka/client-security.js';
import { postgresTls } from '../../src/postgres-tls.js';
import { parseValueFormat, VALUE_FORMAT_NAMES, type ValueFormat } from './value-converter.js';
import { SinkConfigError } from './errors.js';

/** A sink configuration as written by users: Debezium JDBC sink keys, flat, as in a Kafka Connect JSON config. */
export type SinkConfigInput = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

export type InsertMode = 'insert' | 'upsert' | 'update';
export type PrimaryKeyMode = 'none' | 'record_key' | 'record_value';
export type SchemaEvolution = 'none' | 'basic';
export type KeyFormat = 'json' | 'string';
export type KeyWindow = 'none' | 'json' | 'time' | 'session';
export type SchemasEnable = 'auto' | 'true' | 'false';

/** The validated configuration the sink runs with. */
export interface SinkConfig {
  readonly name: string;
  /** pg's connection settings; `ssl` from `connection.ssl*` or the URL's `sslmode`, ... (libpq's meanings). */
  readonly connection: { readonly connectionString: string; readonly user?: string; readonly password?: string; readonly ssl?: false | ConnectionOptions };
  /** `security`: TLS and SASL to Kafka, from `security.protocol`, `sasl.*`, `ssl.*` (undefined: PLAINTEXT). */
  readonly kafka: { readonly brokers: readonly string[]; readonly clientId: string; readonly groupId: string; readonly sessionTimeoutMs: number; readonly security?: KafkaSecurityOptions };
  readonly topics: readonly string[] | RegExp;
  readonly insertMode: InsertMode;
  readonly primaryKeyMode: PrimaryKeyMode;
  readonly primaryKeyFields: readonly string[];
  readonly deleteEnabled: boolean;
  readonly truncateEnabled: boolean;
  readonly schemaEvolution: SchemaEvolution;
  readonly tableNameFormat: string;
  readonly batchSize: number;
  readonly keyFormat: KeyFormat;
  readonly keyWindow: KeyWindow;
  readonly windowSizeMs: number | undefined;
  readonly keySchemasEnable: SchemasEnable;
  readonly valueSchemasEnable: SchemasEnable;
  /** `value.converter`: the byte format of values (JSON unless set; `long` reads a `Serdes.long()` count). */
  readonly valueFormat: ValueFormat;
  /** `value.converter.schema.registry.url`: where `value.converter=avro` fetches writer schemas. */
  readonly valueSchemaRegistryUrl: string | undefined;
  readonly errorsTolerance: 'none' | 'all';
  readonly deadLetterTopic: string | undefined;
  readonly deadLetterContextHeaders: boolean;
  readonly toastPlaceholder: string | undefined;
  readonly flushMaxRetries: number;
  readonly flushRetryDelayMs: number;
  readonly fromBeginning: boolean;
  /** `utf8.invalid`: invalid UTF-8 in a key or value is a bad record ('fail') or decoded with U+FFFD ('replace'). */
  readonly utf8Invalid: 'fail' | 'replace';
  /** `table.include.list`: the tables records may write to, as anchored patterns over `schema.table` or `table`. */
  readonly tableIncludeList: readonly RegExp[] | undefined;
}

/** Keys every Kafka Connect config carries that mean nothing to this sink; accepted so Debezium configs load as they are. */
export const SINK_IGNORED_KEYS: readonly string[] = ['connector.class', 'tasks.max', 'key.converter', 'quote.identifiers'];
const IGNORED_KEYS = new Set(SINK_IGNORED_KEYS);

/** Keys refused with a reason of their own (`transforms` and its `transforms.*` sub-keys), rather than as unknown. */
export const SINK_UNSUPPORTED_KEYS: Readonly<Record<string, string>> = {
  transforms: 'single message transforms are not supported; flattened records (ExtractNewRecordState output) are read as they are',
  ...KAFKA_SECURITY_UNSUPPORTED_KEYS,
};

/** The keys the sink reads (the Debezium JDBC sink connector's names). */
export const SINK_CONFIG_KEYS: readonly string[] = [
  'name', 'connection.url', 'connection.username', 'connection.password', 'bootstrap.servers', 'group.id', 'client.id',
  'topics', 'topics.regex', 'insert.mode', 'primary.key.mode', 'primary.key.fields', 'delete.enabled', 'truncate.enabled',
  'schema.evolution', 'table.name.format', 'collection.name.format', 'batch.size', 'key.format', 'key.window',
  'key.window.size.ms', 'key.converter.schemas.enable', 'value.converter.schemas.enable', 'errors.tolerance',
  'errors.deadletterqueue.topic.name', 'errors.deadletterqueue.context.headers.enable', 'unavailable.value.placeholder',
  'flush.max.retries', 'flush.retry.delay.ms', 'consumer.auto.offset.reset', 'session.timeout.ms',
  'utf8.invalid', 'table.include.list', 'value.converter', 'value.converter.schema.registry.url',
  // TLS to PostgreSQL (libpq's parameters, also accepted in connection.url) and to Kafka (the Kafka client's names)
  'connection.sslmode', 'connection.sslrootcert', 'connection.sslcert', 'connection.sslkey', 'connection.sslpassword',
  ...KAFKA_SECURITY_CONFIG_KEYS,
];
const KNOWN_KEYS = new Set(SINK_CONFIG_KEYS);

function str(input: SinkConfigInput, key: string): string | undefined {
  const v = input[key];
  if (v === undefined || v === '') return undefined;
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

function list(input: SinkConfigInput, key: string): string[] {
  const v = input[key];
  if (v === undefined) return [];
  const items = Array.isArray(v) ? v.map(String) : String(v).split(',');
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
}

function oneOf<T extends string>(input: SinkConfigInput, key: string, allowed: readonly T[], fallback: T): T {
  const v = str(input, key);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new SinkConfigError(`'${v}' is not one of ${allowed.join(', ')}`, { key });
  }
  return v as T;
}

function bool(input: SinkConfigInput, key: string, fallback: boolean): boolean {
  const v = str(input, key);
  if (v === undefined) return fallback;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new SinkConfigError(`'${v}' is not true or false`, { key });
}

function int(input: SinkConfigInput, key: string, fallback: number, min: number): number {
  const v = str(input, key);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new SinkConfigError(`'${v}' is not an integer >= ${min}`, { key });
  return Number(v);
}

/**
 * `jdbc:postgresql://host:port/db?user=u` (Debezium) or `postgres://u:p@host:port/db` (libpq) -> a pg connection
 * string, with `connection.username` / `connection.password` put in place of the URL's own. pg reads the URL's
 * user and password before the explicit options, so they must be replaced in the URL itself to override it.
 * Error messages show the URL with its password redacted.
 */
export function connectionString(url: string, user?: string, password?: string): string {
  let text: string;
  if (url.startsWith('jdbc:postgresql:')) text = `postgresql:${url.slice('jdbc:postgresql:'.length)}`;
  else if (url.startsWith('postgres://') || url.startsWith('postgresql://')) text = url;
  else throw new SinkConfigError(`'${redactUrl(url)}' is neither jdbc:postgresql://... nor postgres://...`, { key: 'connection.url' });
  if (user === undefined && password === undefined) return text;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new SinkConfigError(`'${redactUrl(url)}' is not a valid URL`, { key: 'connection.url' });
  }
  if (user !== undefined) {
    parsed.searchParams.delete('user');
    parsed.username = encodeURIComponent(user);
  }
  if (password !== undefined) {
    parsed.searchParams.delete('password');
    parsed.password = encodeURIComponent(password);
  }
  return parsed.toString();
}

/**
 * A connection URL fit for messages and logs: the password in the authority part and any `password=` query
 * parameter are replaced by `***`. Works on text that is not a valid URL too.
 *
 * @example redactUrl('postgres://app:s3cret@db/app') // 'postgres://app:***@db/app'
 */
export function redactUrl(url: string): string {
  return url
    .replace(/^([A-Za-z][A-Za-z0-9+.:-]*:\/\/[^/@:?#]*):[^?#]*@/, '$1:***@')
    .replace(/([?&;]password=)[^&;#]*/gi, '$1***');
}

/**
 * Validates a sink configuration and fills in Debezium's defaults. Every problem is reported with the key and
 * what to write instead.
 *
 * @example
 * parseSinkConfig({
 *   'connection.url': 'postgres://localhost:5432/app', 'bootstrap.servers': 'localhost:9092',
 *   topics: 'dbserver1.public.customers', 'insert.mode': 'upsert', 'primary.key.mode': 'record_key',
 *   'delete.enabled': true, 'schema.evolution': 'basic',
 * });
 */
export function parseSinkConfig(input: SinkConfigInput): SinkConfig {
  for (const key of Object.keys(input)) {
    const unsupported = Object.entries(SINK_UNSUPPORTED_KEYS).find(([name]) => key === name || key.startsWith(`${name}.`));
    if (unsupported !== undefined) throw new SinkConfigError(unsupported[1], { key });
    if (!KNOWN_KEYS.has(key) && !IGNORED_KEYS.has(key)) throw new SinkConfigError('unknown key', { key });
  }
  const name = str(input, 'name') ?? 'tributary-postgres-sink';

  const url = str(input, 'connection.url');
  if (url === undefined) throw new SinkConfigError('required, e.g. postgres://user:pass@localhost:5432/db', { key: 'connection.url' });
  const user = str(input, 'connection.username');
  const password = str(input, 'connection.password');
  const tls = postgresTls(connectionString(url, user, password), {
    sslmode: str(input, 'connection.sslmode'), sslrootcert: str(input, 'connection.sslrootcert'), sslcert: str(input, 'connection.sslcert'),
    sslkey: str(input, 'connection.sslkey'), sslpassword: str(input, 'connection.sslpassword'),
  }, (message, parameter) => new SinkConfigError(`${message} (connection.${parameter} or the URL's ${parameter})`, { key: `connection.${parameter}` }));
  const connection = {
    connectionString: tls.connectionString!,
    ...(user === undefined ? {} : { user }),
    ...(password === undefined ? {} : { password }),
    ...(tls.ssl === undefined ? {} : { ssl: tls.ssl }),
  };
  const kafkaSecurity = parseKafkaSecurityConfig(input, (message, key) => new SinkConfigError(message, { key }));

  const brokers = list(input, 'bootstrap.servers');
  if (brokers.length === 0) throw new SinkConfigError('required, e.g. localhost:9092', { key: 'bootstrap.servers' });

  const topicList = list(input, 'topics');
  const topicsRegex = str(input, 'topics.regex');
  if (topicList.length > 0 && topicsRegex !== undefined) throw new SinkConfigError('set either topics or topics.regex, not both', { key: 'topics' });
  let topics: readonly string[] | RegExp;
  if (topicsRegex !== undefined) {
    try {
      topics = new RegExp(`^(?:${topicsRegex})$`);
    } catch (e) {
      throw new SinkConfigError(`not a regular expression: ${(e as Error).message}`, { key: 'topics.regex' });
    }
  } else if (topicList.length > 0) {
    topics = topicList;
  } else {
    throw new SinkConfigError('required: a comma-separated list of topics (or set topics.regex)', { key: 'topics' });
  }

  const insertMode = oneOf(input, 'insert.mode', ['insert', 'upsert', 'update'] as const, 'insert');
  const pkModeText = str(input, 'primary.key.mode');
  if (pkModeText === 'kafka' || pkModeText === 'record_header') {
    throw new SinkConfigError(`'${pkModeText}' is not supported; use record_key, record_value or none`, { key: 'primary.key.mode' });
  }
  const primaryKeyMode = oneOf(input, 'primary.key.mode', ['none', 'record_key', 'record_value'] as const, 'none');
  const primaryKeyFields = list(input, 'primary.key.fields');
  if (insertMode !== 'insert' && primaryKeyMode === 'none') {
    throw new SinkConfigError(`'${insertMode}' needs a primary key: set primary.key.mode to record_key or record_value`, { key: 'insert.mode' });
  }
  const deleteEnabled = bool(input, 'delete.enabled', false);
  if (deleteEnabled && primaryKeyMode !== 'record_key') {
    throw new SinkConfigError('deletes are keyed by the record key: set primary.key.mode=record_key', { key: 'delete.enabled' });
  }
  const truncateEnabled = bool(input, 'truncate.enabled', false);
  const schemaEvolution = oneOf(input, 'schema.evolution', ['none', 'basic'] as const, 'none');
  const format1 = str(input, 'table.name.format');
  const format2 = str(input, 'collection.name.format');
  if (format1 !== undefined && format2 !== undefined && format1 !== format2) {
    throw new SinkConfigError('table.name.format and collection.name.format are the same setting; set one', { key: 'table.name.format' });
  }
  const tableNameFormat = format2 ?? format1 ?? '${topic}';
  const unknownPlaceholder = /\$\{(?!topic\}|source\.[A-Za-z0-9_]+\})[^}]*\}/.exec(tableNameFormat);
  if (unknownPlaceholder !== null) {
    throw new SinkConfigError(`unknown placeholder ${unknownPlaceholder[0]}; use \${topic} or \${source.<field>}`, { key: 'table.name.format' });
  }
  const batchSize = int(input, 'batch.size', 500, 1);
  const keyFormat = oneOf(input, 'key.format', ['json', 'string'] as const, 'json');
  const keyWindow = oneOf(input, 'key.window', ['none', 'json', 'time', 'session'] as const, 'none');
  const windowSizeText = str(input, 'key.window.size.ms');
  const windowSizeMs = windowSizeText === undefined ? undefined : int(input, 'key.window.size.ms', 0, 1);
  if (keyWindow === 'time' && windowSizeMs === undefined) {
    throw new SinkConfigError('required with key.window=time: the binary time-windowed key holds only the window start', { key: 'key.window.size.ms' });
  }
  if (keyWindow !== 'none' && primaryKeyMode !== 'record_key') {
    throw new SinkConfigError('windowed keys become key columns: set primary.key.mode=record_key', { key: 'key.window' });
  }
  const schemasEnable = ['auto', 'true', 'false'] as const;
  const keySchemasEnable = oneOf(input, 'key.converter.schemas.enable', schemasEnable, 'auto');
  const valueSchemasEnable = oneOf(input, 'value.converter.schemas.enable', schemasEnable, 'auto');
  const valueConverter = str(input, 'value.converter') ?? 'json';
  const valueFormat = parseValueFormat(valueConverter);
  if (valueFormat === undefined) {
    throw new SinkConfigError(`unknown value converter '${valueConverter}' (known: ${VALUE_FORMAT_NAMES.join(', ')})`, { key: 'value.converter' });
  }
  const valueSchemaRegistryUrl = str(input, 'value.converter.schema.registry.url');
  if (valueFormat === 'avro' && valueSchemaRegistryUrl === undefined) {
    throw new SinkConfigError('value.converter=avro reads writer schemas from a schema registry: set its URL', { key: 'value.converter.schema.registry.url' });
  }
  const errorsTolerance = oneOf(input, 'errors.tolerance', ['none', 'all'] as const, 'none');
  const deadLetterTopic = str(input, 'errors.deadletterqueue.topic.name');
  if (errorsTolerance === 'all' && deadLetterTopic === undefined) {
    throw new SinkConfigError('errors.tolerance=all needs a dead-letter topic, so that no bad record is dropped unseen', { key: 'errors.deadletterqueue.topic.name' });
  }
  if (deadLetterTopic !== undefined && errorsTolerance !== 'all') {
    throw new SinkConfigError('a dead-letter topic is set: set errors.tolerance=all to use it', { key: 'errors.tolerance' });
  }
  const offsetReset = oneOf(input, 'consumer.auto.offset.reset', ['earliest', 'latest'] as const, 'earliest');
  const placeholder = input['unavailable.value.placeholder'];
  const includeList = list(input, 'table.include.list');
  const tableIncludeList = includeList.length === 0 ? undefined : includeList.map((pattern) => {
    try {
      return new RegExp(`^(?:${pattern})$`);
    } catch (e) {
      throw new SinkConfigError(`'${pattern}' is not a regular expression: ${(e as Error).message}`, { key: 'table.include.list' });
    }
  });
  return {
    name,
    connection,
    kafka: {
      brokers,
      clientId: str(input, 'client.id') ?? name,
      groupId: str(input, 'group.id') ?? `connect-${name}`,
      // How long the group waits for a member that vanished (e.g. a killed process) before handing its partitions on.
      sessionTimeoutMs: int(input, 'session.timeout.ms', 30_000, 6_000),
      ...(kafkaSecurity === undefined ? {} : { security: kafkaSecurity }),
    },
    topics,
    insertMode,
    primaryKeyMode,
    primaryKeyFields,
    deleteEnabled,
    truncateEnabled,
    schemaEvolution,
    tableNameFormat,
    batchSize,
    keyFormat,
    keyWindow,
    windowSizeMs,
    keySchemasEnable,
    valueSchemasEnable,
    valueFormat,
    valueSchemaRegistryUrl,
    errorsTolerance,
    deadLetterTopic,
    deadLetterContextHeaders: bool(input, 'errors.deadletterqueue.context.headers.enable', true),
    // Debezium's default placeholder for unchanged TOAST values; an empty string turns the check off.
    toastPlaceholder: placeholder === undefined ? '__debezium_unavailable_value' : placeholder === '' ? undefined : String(placeholder),
    flushMaxRetries: int(input, 'flush.max.retries', 5, 0),
    flushRetryDelayMs: int(input, 'flush.retry.delay.ms', 1000, 0),
    fromBeginning: offsetReset === 'earliest',
    utf8Invalid: oneOf(input, 'utf8.invalid', ['fail', 'replace'] as const, 'fail'),
    tableIncludeList,
  };
}
