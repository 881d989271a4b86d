/**
 * Connector configuration with Debezium's PostgreSQL connector keys and defaults.
 *
 * @example
 * const config = parseCdcConfig({
 *   'topic.prefix': 'dbserver1', 'database.hostname': 'localhost', 'database.user': 'postgres',
 *   'database.dbname': 'postgres', 'kafka.bootstrap.servers': 'localhost:9092', 'table.include.list': 'public.customers',
 * });
 */
import type { ConnectionOptions } from 'node:tls';
import { KAFKA_SECURITY_CONFIG_KEYS, parseKafkaSecurityConfig, type KafkaSecurityOptions } from '../../src/kafka/client-security.js';
import { postgresTls } from '../../src/postgres-tls.js';
import { CdcConfigError } from './errors.js';
import type { BinaryHandlingMode, DecimalHandlingMode, HstoreHandlingMode, IntervalHandlingMode, TimePrecisionMode } from './types/column-types.js';

export type SnapshotMode = 'initial' | 'always' | 'no_data' | 'initial_only' | 'when_needed';
export type PublicationAutocreateMode = 'all_tables' | 'filtered' | 'disabled' | 'no_tables';
export type RawConfig = Readonly<Record<string, string | number | boolean>>;

export interface CdcConfig {
  readonly name: string;
  readonly topicPrefix: string;
  readonly database: {
    readonly connectionString?: string;
    readonly host: string;
    readonly port: number;
    readonly user: string;
    readonly password?: string;
    readonly dbname: string;
    /** TLS to PostgreSQL (pg's `ssl`), from `database.ssl*` or the URL's `sslmode`, ...; undefined: none. */
    readonly ssl?: false | ConnectionOptions;
  };
  readonly slotName: string;
  readonly slotDropOnStop: boolean;
  readonly publicationName: string;
  readonly publicationAutocreateMode: PublicationAutocreateMode;
  readonly schemaInclude?: readonly RegExp[];
  readonly schemaExclude?: readonly RegExp[];
  readonly tableInclude?: readonly RegExp[];
  readonly tableExclude?: readonly RegExp[];
  readonly columnInclude?: readonly RegExp[];
  readonly columnExclude?: readonly RegExp[];
  readonly snapshotMode: SnapshotMode;
  readonly snapshotFetchSize: number;
  readonly decimalHandlingMode: DecimalHandlingMode;
  readonly timePrecisionMode: TimePrecisionMode;
  readonly binaryHandlingMode: BinaryHandlingMode;
  readonly intervalHandlingMode: IntervalHandlingMode;
  readonly hstoreHandlingMode: HstoreHandlingMode;
  readonly moneyFractionDigits: number;
  readonly tombstonesOnDelete: boolean;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatActionQuery?: string;
  readonly heartbeatTopic: string;
  readonly provideTransactionMetadata: boolean;
  readonly transactionTopic: string;
  readonly messageKeyColumns: readonly { readonly table: RegExp; readonly columns: readonly string[] }[];
  readonly skippedOperations: ReadonlySet<string>;
  readonly unavailableValuePlaceholder: string;
  readonly keySchemasEnable: boolean;
  readonly valueSchemasEnable: boolean;
  readonly kafkaBrokers: readonly string[];
  /** TLS and SASL to Kafka, from `security.protocol`, `sasl.*`, `ssl.*`; undefined: PLAINTEXT. */
  readonly kafkaSecurity?: KafkaSecurityOptions;
  readonly offsetStorageTopic: string;
  readonly statusUpdateIntervalMs: number;
  readonly sourceInfoVersion: boolean;
  /** Retries of retriable errors before the source fails: -1 no limit, 0 none (Debezium's errors.max.retries). */
  readonly errorsMaxRetries: number;
  /** First pause before a retry, doubled per failed attempt up to errorsRetryDelayMaxMs. */
  readonly errorsRetryDelayInitialMs: number;
  readonly errorsRetryDelayMaxMs: number;
  /** How often the slot's health (wal_status, lag, retained WAL) is read; 0 only at start. */
  readonly slotHealthCheckIntervalMs: number;
  /** Warn when the slot's confirmed position is this many WAL bytes behind the server (0: never). */
  readonly slotLagWarnBytes: number;
  /** Warn when the slot's confirmed position is where the server was this long ago (0: never). */
  readonly slotLagWarnMs: number;
  /** Warn when the slot keeps this many WAL bytes on the server's disk (0: never). */
  readonly slotRetainedWalWarnBytes: number;
  /** Keys the connector does not know; reported as warnings (Debezium configs carry Connect keys too). */
  readonly unknownKeys: readonly string[];
}

/** The keys the connector reads (the Debezium PostgreSQL connector's names). */
export const CDC_CONFIG_KEYS: readonly string[] = [
  'name', 'topic.prefix', 'database.hostname', 'database.port', 'database.user', 'database.password', 'database.dbname', 'database.url',
  'slot.name', 'slot.drop.on.stop', 'publication.name', 'publication.autocreate.mode', 'plugin.name',
  'schema.include.list', 'schema.exclude.list', 'table.include.list', 'table.exclude.list', 'column.include.list', 'column.exclude.list',
  'snapshot.mode', 'snapshot.fetch.size', 'decimal.handling.mode', 'time.precision.mode', 'binary.handling.mode', 'interval.handling.mode',
  'hstore.handling.mode', 'money.fraction.digits', 'tombstones.on.delete', 'heartbeat.interval.ms', 'heartbeat.action.query',
  'topic.heartbeat.prefix', 'topic.heartbeat.name', 'provide.transaction.metadata', 'topic.transaction', 'message.key.columns',
  'skipped.operations', 'unavailable.value.placeholder', 'key.converter.schemas.enable', 'value.converter.schemas.enable',
  'kafka.bootstrap.servers', 'bootstrap.servers', 'offset.storage.topic', 'status.update.interval.ms', 'source.info.version',
  'errors.max.retries', 'errors.retry.delay.initial.ms', 'errors.retry.delay.max.ms', 'slot.health.check.interval.ms',
  'slot.lag.warn.threshold.bytes', 'slot.lag.warn.threshold.ms', 'slot.retained.wal.warn.threshold.bytes',
  'topic.delimiter',
  // TLS to PostgreSQL (Debezium's names) and to Kafka (the Kafka client's names)
  'database.sslmode', 'database.sslrootcert', 'database.sslcert', 'database.sslkey', 'database.sslpassword',
  ...KAFKA_SECURITY_CONFIG_KEYS,
];

/**
 * Kafka Connect keys a Debezium connector config carries that change nothing in what this source emits (which
 * class runs it, how many tasks, Connect's own error logging); accepted and ignored so such configs load as they are.
 */
export const CDC_IGNORED_KEYS: readonly string[] = [
  'connector.class', 'tasks.max', 'key.converter', 'value.converter', 'header.converter', 'errors.log.enable', 'errors.log.include.messages',
];

/**
 * Prefixes of Connect keys accepted and ignored: Connect's topic creation settings. The events are the same; the
 * topics the source creates get one partition and the broker's default replication factor whatever they say.
 */
export const CDC_IGNORED_KEY_PREFIXES: readonly string[] = ['topic.creation.'];

const KNOWN = new Set([...CDC_CONFIG_KEYS, ...CDC_IGNORED_KEYS]);

function str(raw: RawConfig, key: string): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  return String(v).trim();
}

function oneOf<T extends string>(raw: RawConfig, key: string, allowed: readonly T[], def: T, aliases: Record<string, T> = {}): T {
  const v = str(raw, key);
  if (v === undefined || v === '') return def;
  const lower = v.toLowerCase();
  if (aliases[lower] !== undefined) return aliases[lower]!;
  if ((allowed as readonly string[]).includes(lower)) return lower as T;
  throw new CdcConfigError(`${key}: '${v}' is not one of ${allowed.join(', ')}`, { key });
}

function bool(raw: RawConfig, key: string, def: boolean): boolean {
  const v = raw[key];
  if (v === undefined) return def;
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (s === 'true') return true;
  if (s === 'false') return false;
  throw new CdcConfigError(`${key}: expected true or false, got '${v}'`, { key });
}

/**
 * The connection string to connect with: `database.password`, when given, replaces the URL's password (so a URL
 * without one plus a separately stored password works). Errors never repeat the URL: it may hold a password.
 */
function connectionUrl(text: string, password: string | undefined): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (err) {
    // the TypeError carries the input: keep it out of the cause chain
    throw new CdcConfigError('database.url is not a valid URL (expected postgres://user[:password]@host[:port]/dbname)', {
      key: 'database.url',
      cause: new Error((err as Error).name),
    });
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new CdcConfigError(`database.url: unsupported scheme '${url.protocol}' (expected postgres:// or postgresql://)`, { key: 'database.url' });
  }
  if (password !== undefined) url.password = encodeURIComponent(password);
  return url;
}

function int(raw: RawConfig, key: string, def: number, min = 0): number {
  const v = raw[key];
  if (v === undefined || v === '') return def;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isInteger(n) || n < min) throw new CdcConfigError(`${key}: expected an integer >= ${min}, got '${v}'`, { key });
  return n;
}

/** Comma-separated regular expressions, each matched against the whole identifier, case-insensitively. */
function regexList(raw: RawConfig, key: string): RegExp[] | undefined {
  const v = str(raw, key);
  if (v === undefined || v === '') return undefined;
  return v.split(',').map((p) => p.trim()).filter((p) => p !== '').map((p) => {
    try {
      return new RegExp(`^(?:${p})$`, 'i');
    } catch (err) {
      throw new CdcConfigError(`${key}: '${p}' is not a valid regular expression`, { key, cause: err });
    }
  });
}

function exclusive(raw: RawConfig, a: string, b: string): void {
  if (str(raw, a) && str(raw, b)) throw new CdcConfigError(`${a} and ${b} cannot both be set`, { key: a });
}

function parseKeyColumns(raw: RawConfig): CdcConfig['messageKeyColumns'] {
  const v = str(raw, 'message.key.columns');
  if (v === undefined || v === '') return [];
  return v.split(';').map((entry) => entry.trim()).filter((e) => e !== '').map((entry) => {
    const idx = entry.lastIndexOf(':');
    if (idx <= 0) throw new CdcConfigError(`message.key.columns: '${entry}' must look like <schema>.<table>:<col>[,<col>]`, { key: 'message.key.columns' });
    const columns = entry.slice(idx + 1).split(',').map((c) => c.trim()).filter((c) => c !== '');
    if (columns.length === 0) throw new CdcConfigError(`message.key.columns: '${entry}' names no columns`, { key: 'message.key.columns' });
    return { table: new RegExp(`^(?:${entry.slice(0, idx).trim()})$`, 'i'), columns };
  });
}

function kafkaSecurity(raw: RawConfig): { kafkaSecurity?: KafkaSecurityOptions } {
  const security = parseKafkaSecurityConfig(raw, (message, key) => new CdcConfigError(message, { key }));
  return security === undefined ? {} : { kafkaSecurity: security };
}

export function parseCdcConfig(raw: RawConfig): CdcConfig {
  const topicPrefix = str(raw, 'topic.prefix');
  if (!topicPrefix) throw new CdcConfigError('topic.prefix is required (the logical server name, e.g. "dbserver1")', { key: 'topic.prefix' });
  if (!/^[A-Za-z0-9._-]+$/.test(topicPrefix)) throw new CdcConfigError(`topic.prefix '${topicPrefix}' may only contain A-Z a-z 0-9 . _ -`, { key: 'topic.prefix' });
  const password = raw['database.password'] === undefined ? undefined : String(raw['database.password']);
  const urlText = str(raw, 'database.url');
  const connectionUrlParsed = urlText ? connectionUrl(urlText, password) : undefined;
  const tls = postgresTls(connectionUrlParsed?.toString(), {
    sslmode: str(raw, 'database.sslmode'), sslrootcert: str(raw, 'database.sslrootcert'), sslcert: str(raw, 'database.sslcert'),
    sslkey: str(raw, 'database.sslkey'), sslpassword: raw['database.sslpassword'] === undefined ? undefined : String(raw['database.sslpassword']),
  }, (message, parameter) => new CdcConfigError(`database.${parameter} (or the URL's ${parameter}): ${message}`, { key: `database.${parameter}` }));
  const connectionString = tls.connectionString;
  let dbname = str(raw, 'database.dbname');
  let user = str(raw, 'database.user');
  let host = str(raw, 'database.hostname');
  let port = int(raw, 'database.port', 5432, 1);
  if (connectionUrlParsed) {
    const url = connectionUrlParsed;
    dbname ??= decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined;
    user ??= decodeURIComponent(url.username) || undefined;
    host ??= url.hostname || undefined;
    if (raw['database.port'] === undefined && url.port) port = Number(url.port);
  }
  if (!dbname) throw new CdcConfigError('database.dbname is required (or database.url)', { key: 'database.dbname' });
  if (!user) throw new CdcConfigError('database.user is required (or database.url)', { key: 'database.user' });
  // Topic names are built with '.'; another delimiter would be accepted and silently not used.
  const delimiter = str(raw, 'topic.delimiter');
  if (delimiter !== undefined && delimiter !== '.') throw new CdcConfigError(`topic.delimiter: only '.' is supported, got '${delimiter}'`, { key: 'topic.delimiter' });
  const plugin = str(raw, 'plugin.name');
  if (plugin !== undefined && plugin !== 'pgoutput') throw new CdcConfigError(`plugin.name: only pgoutput is supported, got '${plugin}'`, { key: 'plugin.name' });
  exclusive(raw, 'schema.include.list', 'schema.exclude.list');
  exclusive(raw, 'table.include.list', 'table.exclude.list');
  exclusive(raw, 'column.include.list', 'column.exclude.list');
  const brokers = (str(raw, 'kafka.bootstrap.servers') ?? str(raw, 'bootstrap.servers') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (brokers.length === 0) throw new CdcConfigError('kafka.bootstrap.servers is required (host:port[,host:port])', { key: 'kafka.bootstrap.servers' });
  const slotName = str(raw, 'slot.name') ?? 'debezium';
  if (!/^[a-z0-9_]{1,63}$/.test(slotName)) throw new CdcConfigError(`slot.name '${slotName}' must be 1-63 lower-case letters, digits or _`, { key: 'slot.name' });
  const skipped = new Set((str(raw, 'skipped.operations') ?? 't').split(',').map((s) => s.trim()).filter((s) => s !== '' && s !== 'none'));
  for (const op of skipped) if (!['c', 'u', 'd', 't'].includes(op)) throw new CdcConfigError(`skipped.operations: unknown operation '${op}' (c, u, d, t, none)`, { key: 'skipped.operations' });
  const heartbeatPrefix = str(raw, 'topic.heartbeat.prefix') ?? '__debezium-heartbeat';
  const cfg: CdcConfig = {
    name: str(raw, 'name') ?? `tributary-postgres-cdc-${topicPrefix}`,
    topicPrefix,
    database: {
      ...(connectionString ? { connectionString } : {}),
      host: host ?? 'localhost',
      port,
      user,
      ...(password !== undefined ? { password } : {}),
      dbname,
      ...(tls.ssl === undefined ? {} : { ssl: tls.ssl }),
    },
    slotName,
    slotDropOnStop: bool(raw, 'slot.drop.on.stop', false),
    publicationName: str(raw, 'publication.name') ?? 'dbz_publication',
    publicationAutocreateMode: oneOf(raw, 'publication.autocreate.mode', ['all_tables', 'filtered', 'disabled', 'no_tables'], 'all_tables'),
    schemaInclude: regexList(raw, 'schema.include.list'),
    schemaExclude: regexList(raw, 'schema.exclude.list'),
    tableInclude: regexList(raw, 'table.include.list'),
    tableExclude: regexList(raw, 'table.exclude.list'),
    columnInclude: regexList(raw, 'column.include.list'),
    columnExclude: regexList(raw, 'column.exclude.list'),
    snapshotMode: oneOf(raw, 'snapshot.mode', ['initial', 'always', 'no_data', 'initial_only', 'when_needed'], 'initial', { never: 'no_data', exported: 'initial' }),
    snapshotFetchSize: int(raw, 'snapshot.fetch.size', 10240, 1),
    decimalHandlingMode: oneOf(raw, 'decimal.handling.mode', ['precise', 'double', 'string'], 'precise'),
    timePrecisionMode: oneOf(raw, 'time.precision.mode', ['adaptive', 'adaptive_time_microseconds', 'connect'], 'adaptive'),
    binaryHandlingMode: oneOf(raw, 'binary.handling.mode', ['bytes', 'base64', 'base64-url-safe', 'hex'], 'bytes'),
    intervalHandlingMode: oneOf(raw, 'interval.handling.mode', ['numeric', 'string'], 'numeric'),
    hstoreHandlingMode: oneOf(raw, 'hstore.handling.mode', ['json', 'map'], 'json'),
    moneyFractionDigits: int(raw, 'money.fraction.digits', 2),
    tombstonesOnDelete: bool(raw, 'tombstones.on.delete', true),
    heartbeatIntervalMs: int(raw, 'heartbeat.interval.ms', 0),
    ...(str(raw, 'heartbeat.action.query') ? { heartbeatActionQuery: str(raw, 'heartbeat.action.query')! } : {}),
    heartbeatTopic: str(raw, 'topic.heartbeat.name') ?? `${heartbeatPrefix}.${topicPrefix}`,
    provideTransactionMetadata: bool(raw, 'provide.transaction.metadata', false),
    transactionTopic: `${topicPrefix}.${str(raw, 'topic.transaction') ?? 'transaction'}`,
    messageKeyColumns: parseKeyColumns(raw),
    skippedOperations: skipped,
    unavailableValuePlaceholder: str(raw, 'unavailable.value.placeholder') ?? '__debezium_unavailable_value',
    keySchemasEnable: bool(raw, 'key.converter.schemas.enable', true),
    valueSchemasEnable: bool(raw, 'value.converter.schemas.enable', true),
    kafkaBrokers: brokers,
    ...kafkaSecurity(raw),
    offsetStorageTopic: str(raw, 'offset.storage.topic') ?? 'tributary-cdc-offsets',
    statusUpdateIntervalMs: int(raw, 'status.update.interval.ms', 10_000, 1),
    sourceInfoVersion: bool(raw, 'source.info.version', true),
    errorsMaxRetries: int(raw, 'errors.max.retries', -1, -1),
    errorsRetryDelayInitialMs: int(raw, 'errors.retry.delay.initial.ms', 300, 1),
    errorsRetryDelayMaxMs: int(raw, 'errors.retry.delay.max.ms', 10_000, 1),
    slotHealthCheckIntervalMs: int(raw, 'slot.health.check.interval.ms', 30_000),
    slotLagWarnBytes: int(raw, 'slot.lag.warn.threshold.bytes', 1024 ** 3),
    slotLagWarnMs: int(raw, 'slot.lag.warn.threshold.ms', 300_000),
    slotRetainedWalWarnBytes: int(raw, 'slot.retained.wal.warn.threshold.bytes', 4 * 1024 ** 3),
    unknownKeys: Object.keys(raw).filter((k) => !KNOWN.has(k) && !CDC_IGNORED_KEY_PREFIXES.some((p) => k.startsWith(p))),
  };
  return cfg;
}

/** Whether a table is captured by schema/table include/exclude lists (system schemas never are). */
export function tableCaptured(cfg: CdcConfig, schema: string, table: string): boolean {
  if (['pg_catalog', 'information_schema', 'pg_toast'].includes(schema)) return false;
  if (cfg.schemaInclude && !cfg.schemaInclude.some((r) => r.test(schema))) return false;
  if (cfg.schemaExclude?.some((r) => r.test(schema))) return false;
  const id = `${schema}.${table}`;
  if (cfg.tableInclude && !cfg.tableInclude.some((r) => r.test(id))) return false;
  if (cfg.tableExclude?.some((r) => r.test(id))) return false;
  return true;
}

export function columnCaptured(cfg: CdcConfig, schema: string, table: string, column: string): boolean {
  const id = `${schema}.${table}.${column}`;
  if (cfg.columnInclude && !cfg.columnInclude.some((r) => r.test(id))) return false;
  if (cfg.columnExclude?.some((r) => r.test(id))) return false;
  return true;
}

export function keyColumnsFor(cfg: CdcConfig, schema: string, table: string): readonly string[] | undefined {
  const id = `${schema}.${table}`;
  return cfg.messageKeyColumns.find((e) => e.table.test(id))?.columns;
}
