import type { SinkConfig } from './config.js';
import { asConnectSchema, columnTypeFor, type ConnectField, type ConnectSchema } from './connect-schema.js';
import {
  decodeValue, inferColumnType, schemalessBindValue, ValueDecodeError, type BindValue,
} from './decode-value.js';
import { BadRecordError, SinkError, type RecordOrigin } from './errors.js';
import { FramedJsonCache, parseConverterText } from './framed-json.js';
import { assertUsableIdentifier, parseTableName, tableName, type TableRef } from './identifiers.js';
import { isUtf8 } from 'node:buffer';
import { decodePrimitive } from './value-converter.js';
import type { AvroValueReader } from './avro-values.js';
import { isJsonObject, parseJson, type JsonObject, type JsonValue } from './json.js';

/** A Kafka record as the sink receives it. */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
}

/** One column of one record: the bind value and, for schema evolution, the type to create it with. */
export interface ColumnValue {
  readonly value: BindValue;
  /** null when the value does not tell (a schemaless null). */
  readonly type: string | null;
  readonly optional: boolean;
}

export type Columns = ReadonlyMap<string, ColumnValue>;

/** What one Kafka record asks of the target table. */
export type SinkOperation =
  | { readonly kind: 'upsert'; readonly table: TableRef; readonly key: readonly string[]; readonly columns: Columns; readonly origin: RecordOrigin }
  | { readonly kind: 'delete'; readonly table: TableRef; readonly key: readonly string[]; readonly columns: Columns; readonly origin: RecordOrigin }
  | { readonly kind: 'truncate'; readonly table: TableRef; readonly origin: RecordOrigin }
  | { readonly kind: 'skip'; readonly reason: string; readonly origin: RecordOrigin };

/** Column names used for the window bounds of windowed changelog keys. */
export const WINDOW_START_COLUMN = 'window_start';
export const WINDOW_END_COLUMN = 'window_end';
/** Column that holds a primitive (non-object) changelog value, e.g. a count. */
export const VALUE_COLUMN = 'value';
/** Column that holds a primitive key when primary.key.fields does not name one. */
export const DEFAULT_KEY_COLUMN = 'key';

interface Decoded {
  readonly schema: ConnectSchema | undefined;
  readonly payload: JsonValue;
}

function originOf(record: KafkaRecord): RecordOrigin {
  return { topic: record.topic, partition: record.partition, offset: record.offset };
}

/** JsonConverter framing: `{"schema":..., "payload":...}` when schemas are enabled, the bare value otherwise. */
function unwrapConverter(value: JsonValue, schemasEnable: SinkConfig['valueSchemasEnable'], what: string): Decoded {
  const framed = isJsonObject(value) && 'schema' in value && 'payload' in value && Object.keys(value).length === 2;
  if (schemasEnable === 'false' || (schemasEnable === 'auto' && !framed)) return { schema: undefined, payload: value };
  if (!framed) throw new Error(`${what} is not {"schema":...,"payload":...} although schemas are enabled`);
  const rawSchema = value['schema'];
  if (rawSchema === null) return { schema: undefined, payload: value['payload'] ?? null };
  const schema = asConnectSchema(rawSchema, `${what} schema`);
  if (typeof schema === 'string') throw new Error(schema);
  return { schema, payload: value['payload'] ?? null };
}

// Schemas seen in this process, shared by every sink in it: entries are keyed by their exact text and immutable.
const knownSchemas = new FramedJsonCache();

/** Parses and unwraps a JsonConverter text; a schema seen before is neither parsed nor validated again. */
function decodeConverterText(text: string, schemasEnable: SinkConfig['valueSchemasEnable'], what: string): Decoded {
  if (schemasEnable === 'false') return unwrapConverter(parseJson(text), schemasEnable, what);
  const parsed = parseConverterText(text, knownSchemas);
  if ('schema' in parsed) return { schema: parsed.schema, payload: parsed.payload };
  return unwrapConverter(parsed.value, schemasEnable, what);
}

function fieldSchema(schema: ConnectSchema | undefined, name: string): ConnectField | undefined {
  return schema?.fields?.find((f) => f.field === name);
}

/** Columns of a struct (with schema) or a JSON object (schemaless). */
function columnsOf(schema: ConnectSchema | undefined, payload: JsonObject, path: string, into: Map<string, ColumnValue>): void {
  if (schema !== undefined && schema.type === 'struct') {
    for (const field of schema.fields ?? []) {
      into.set(field.field, {
        value: decodeValue(field, payload[field.field], `${path}.${field.field}`),
        type: columnTypeFor(field),
        optional: field.optional !== false,
      });
    }
    for (const name of Object.keys(payload)) {
      if (fieldSchema(schema, name) === undefined) throw new ValueDecodeError('field is not in the schema', { path: `${path}.${name}` });
    }
    return;
  }
  for (const [name, value] of Object.entries(payload)) {
    into.set(name, { value: schemalessBindValue(value), type: inferColumnType(value), optional: true });
  }
}

/** The record key as columns, after taking the window layout apart. */
function keyColumns(record: KafkaRecord, config: SinkConfig): Map<string, ColumnValue> {
  if (record.key === null) throw new Error('the record has no key, but primary.key.mode=record_key');
  let keyBytes: Buffer = record.key;
  const columns = new Map<string, ColumnValue>();
  let windowBounds: [bigint, bigint] | undefined;
  if (config.keyWindow === 'time' || config.keyWindow === 'session') {
    // Kafka Streams windowed serializers: time = key + start(8); session = key + end(8) + start(8)
    const suffix = config.keyWindow === 'time' ? 8 : 16;
    if (keyBytes.length < suffix) throw new Error(`a ${config.keyWindow}-windowed key needs at least ${suffix} bytes`);
    const inner = keyBytes.subarray(0, keyBytes.length - suffix);
    if (config.keyWindow === 'time') {
      const start = keyBytes.readBigInt64BE(keyBytes.length - 8);
      windowBounds = [start, start + BigInt(config.windowSizeMs ?? 0)];
    } else {
      windowBounds = [keyBytes.readBigInt64BE(keyBytes.length - 8), keyBytes.readBigInt64BE(keyBytes.length - 16)];
    }
    keyBytes = inner;
  }
  let schema: ConnectSchema | undefined;
  let payload: JsonValue;
  if (config.keyFormat === 'string') {
    schema = undefined;
    payload = utf8Text(keyBytes, config, 'the key');
  } else {
    const decoded = decodeConverterText(utf8Text(keyBytes, config, 'the key'), config.keySchemasEnable, 'the key');
    schema = decoded.schema;
    payload = decoded.payload;
  }
  if (config.keyWindow === 'json') {
    // {"key": <key>, "window": {"start": <epoch ms>, "end": <epoch ms>}}
    const window = isJsonObject(payload) ? payload['window'] : undefined;
    if (!isJsonObject(payload) || !('key' in payload) || !isJsonObject(window)) {
      throw new Error('a json-windowed key must be {"key": ..., "window": {"start": ms, "end": ms}}');
    }
    const start = window['start'];
    const end = window['end'];
    if (typeof start !== 'number' || typeof end !== 'number' || !Number.isInteger(start) || !Number.isInteger(end)) {
      throw new Error('window.start and window.end must be integer epoch milliseconds');
    }
    windowBounds = [BigInt(start), BigInt(end)];
    schema = schema?.type === 'struct' ? fieldSchema(schema, 'key') : undefined;
    payload = payload['key'] ?? null;
  }
  if (isJsonObject(payload)) {
    columnsOf(schema, payload, 'key', columns);
    if (config.primaryKeyFields.length > 0) {
      for (const name of [...columns.keys()]) if (!config.primaryKeyFields.includes(name)) columns.delete(name);
      for (const name of config.primaryKeyFields) if (!columns.has(name)) throw new Error(`key field '${name}' of primary.key.fields is not in the key`);
    }
  } else {
    if (payload === null) throw new Error('the record key is null, but primary.key.mode=record_key');
    const name = config.primaryKeyFields[0] ?? DEFAULT_KEY_COLUMN;
    columns.set(name, schema !== undefined
      ? { value: decodeValue(schema, payload, 'key'), type: columnTypeFor(schema), optional: false }
      : { value: schemalessBindValue(payload), type: inferColumnType(payload), optional: false });
  }
  if (windowBounds !== undefined) {
    columns.set(WINDOW_START_COLUMN, { value: msToTimestamptz(windowBounds[0]), type: 'timestamptz', optional: false });
    columns.set(WINDOW_END_COLUMN, { value: msToTimestamptz(windowBounds[1]), type: 'timestamptz', optional: false });
  }
  for (const c of columns.values()) {
    if (c.value === null) throw new Error('a key column is null');
  }
  return columns;
}

function msToTimestamptz(ms: bigint): string {
  const date = new Date(Number(ms));
  if (Number.isNaN(date.getTime())) throw new Error(`window bound ${ms} ms is out of range`);
  return date.toISOString();
}

/** `${topic}` (dots become underscores, as Debezium does) and `${source.<field>}` from the envelope. */
export function resolveTableName(format: string, topic: string, source: JsonObject | undefined): TableRef {
  let name = format.replaceAll('${topic}', topic.replaceAll('.', '_'));
  name = name.replace(/\$\{source\.([A-Za-z0-9_]+)\}/g, (_m, field: string) => {
    if (source === undefined) throw new Error(`table.name.format uses \${source.${field}} but the record is not a Debezium change event`);
    const v = source[field];
    if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`source.${field} is missing from the change event`);
    return String(v);
  });
  return parseTableName(name);
}

function isPlaceholder(value: BindValue, placeholder: string): boolean {
  if (value === placeholder) return true;
  if (Buffer.isBuffer(value)) return value.length === placeholder.length && value.toString('utf8') === placeholder;
  return Array.isArray(value) && value.length === 1 && value[0] === placeholder;
}

const ROW_OPS = new Set(['c', 'r', 'u']);

/**
 * Reads one Kafka record into the operation it asks for. A record that cannot be read throws a
 * BadRecordError naming its topic, partition and offset; nothing is dropped without a reason.
 *
 * Accepted values: Debezium change events (`before/after/source/op`), flattened rows (ExtractNewRecordState
 * output or any JSON object), primitive changelog values (written to a `value` column) and tombstones; each with
 * or without JsonConverter schemas.
 */
export function decodeRecord(record: KafkaRecord, config: SinkConfig, avro?: AvroValueReader): SinkOperation {
  const origin = originOf(record);
  let stage: BadRecordError['stage'] = 'VALUE_CONVERTER';
  try {
    let decoded: Decoded | undefined;
    if (record.value !== null) {
      decoded = decodeValueBytes(record.value, config, avro);
    }
    stage = 'TRANSFORMATION';
    const payload = decoded?.payload ?? null;
    const envelope = isEnvelope(decoded);
    const source = envelope && isJsonObject(payload) && isJsonObject(payload['source']) ? payload['source'] : undefined;
    const table = resolveTableName(config.tableNameFormat, record.topic, source);
    checkTableAllowed(table, config);

    let rowSchema: ConnectSchema | undefined = decoded?.schema;
    let row: JsonValue = payload;
    if (envelope && isJsonObject(payload)) {
      const op = payload['op'];
      if (op === 'd') row = null;
      else if (op === 't') {
        return config.truncateEnabled ? { kind: 'truncate', table, origin } : { kind: 'skip', reason: 'truncate event and truncate.enabled=false', origin };
      } else if (typeof op === 'string' && ROW_OPS.has(op)) {
        row = payload['after'] ?? null;
        rowSchema = fieldSchema(decoded?.schema, 'after');
        if (!isJsonObject(row)) throw new Error(`a '${op}' change event has no "after" row`);
      } else {
        throw new Error(`unknown change event op ${JSON.stringify(op)}`);
      }
    }

    stage = 'TASK_PUT';
    if (row === null) {
      if (!config.deleteEnabled) return { kind: 'skip', reason: 'delete or tombstone and delete.enabled=false', origin };
      const key = keyColumns(record, config);
      checkColumns(key);
      return { kind: 'delete', table, key: [...key.keys()], columns: key, origin };
    }

    const columns = new Map<string, ColumnValue>();
    if (isJsonObject(row)) columnsOf(rowSchema?.type === 'struct' ? rowSchema : undefined, row, envelope ? 'after' : 'value', columns);
    else {
      columns.set(VALUE_COLUMN, rowSchema !== undefined
        ? { value: decodeValue(rowSchema, row, 'value'), type: columnTypeFor(rowSchema), optional: rowSchema.optional !== false }
        : { value: schemalessBindValue(row), type: inferColumnType(row), optional: true });
    }
    if (config.toastPlaceholder !== undefined) {
      for (const [name, column] of columns) if (isPlaceholder(column.value, config.toastPlaceholder)) columns.delete(name);
    }

    let key: string[] = [];
    if (config.primaryKeyMode === 'record_key') {
      const keyCols = keyColumns(record, config);
      key = [...keyCols.keys()];
      for (const [name, column] of keyCols) columns.set(name, column);
    } else if (config.primaryKeyMode === 'record_value') {
      key = config.primaryKeyFields.length > 0 ? [...config.primaryKeyFields] : [...columns.keys()];
      for (const name of key) {
        const column = columns.get(name);
        if (column === undefined || column.value === null) throw new Error(`primary key field '${name}' is missing or null in the value`);
        columns.set(name, { ...column, optional: false });
      }
    }
    checkColumns(columns);
    return { kind: 'upsert', table, key, columns, origin };
  } catch (e) {
    if (e instanceof BadRecordError) throw e;
    if (e instanceof SinkError && !(e.name === 'UnsafeIdentifierError')) throw e;
    throw new BadRecordError((e as Error).message, { origin, stage, cause: e });
  }
}

/** The value's bytes by `value.converter`: JsonConverter text, a primitive serde's bytes, or registry Avro. */
function decodeValueBytes(bytes: Buffer, config: SinkConfig, avro: AvroValueReader | undefined): Decoded {
  switch (config.valueFormat) {
    case 'json': return decodeConverterText(utf8Text(bytes, config, 'the value'), config.valueSchemasEnable, 'the value');
    case 'avro':
      if (avro === undefined) throw new Error('value.converter=avro needs the Avro value reader of the sink');
      return avro.decode(bytes);
    default: return decodePrimitive(config.valueFormat, bytes);
  }
}

/** PostgreSQL's limit on the columns of a table (MaxHeapAttributeNumber). */
export const MAX_COLUMNS = 1600;

/**
 * Column names come from the record, so a record can ask for a column PostgreSQL cannot create. Checking here
 * makes that a bad record (dead-letter or stop, by errors.tolerance) instead of a failing CREATE/ALTER TABLE.
 */
function checkColumns(columns: Columns): void {
  if (columns.size > MAX_COLUMNS) throw new Error(`the record has ${columns.size} fields; a PostgreSQL table holds at most ${MAX_COLUMNS} columns`);
  for (const name of columns.keys()) assertUsableIdentifier(name);
}

/**
 * The bytes as UTF-8 text. Invalid UTF-8 is an error unless `utf8.invalid=replace`: decoding it would store
 * U+FFFD in place of the original bytes, a silent change of the data.
 */
function utf8Text(bytes: Buffer, config: SinkConfig, what: string): string {
  if (config.utf8Invalid === 'fail' && !isUtf8(bytes)) {
    throw new Error(`${what} is not valid UTF-8 (set utf8.invalid=replace to store U+FFFD in place of invalid bytes)`);
  }
  return bytes.toString('utf8');
}

/** `table.include.list`: a record whose table matches none of the patterns is refused, whatever it names. */
function checkTableAllowed(table: TableRef, config: SinkConfig): void {
  if (config.tableIncludeList === undefined) return;
  const name = tableName(table);
  if (!config.tableIncludeList.some((pattern) => pattern.test(name))) {
    throw new Error(`table ${JSON.stringify(name)} is not in table.include.list`);
  }
}

function isEnvelope(decoded: Decoded | undefined): boolean {
  if (decoded === undefined) return false;
  if (decoded.schema !== undefined) {
    if (decoded.schema.name?.endsWith('.Envelope') === true) return true;
    return decoded.schema.name === undefined && fieldSchema(decoded.schema, 'op') !== undefined && fieldSchema(decoded.schema, 'after') !== undefined;
  }
  const p = decoded.payload;
  return isJsonObject(p) && typeof p['op'] === 'string' && 'after' in p && 'before' in p;
}
