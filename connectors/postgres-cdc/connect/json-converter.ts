/**
 * Byte-exact replica of Kafka Connect's JsonConverter (schemas.enable true/false, decimal.format BASE64,
 * replace.null.with.default true). Output is compact, keys in Jackson insertion order.
 */
import type { ConnectSchema, ConnectStruct, ConnectValue } from './schema.js';
import { javaDoubleToString, javaFloatToString } from './java-numbers.js';
import { CdcDataError } from '../errors.js';

export interface JsonConverterOptions {
  readonly schemasEnable: boolean;
}

/** Serialises a value with its schema; a null value with a null schema is a tombstone (null bytes). */
export function toConnectJson(schema: ConnectSchema | null, value: ConnectValue, opts: JsonConverterOptions): Buffer | null {
  if (schema === null && value === null) return null;
  if (schema === null) throw new CdcDataError('schemaless values are not produced by the CDC source');
  const payload = valueJson(schema, value, '');
  const text = opts.schemasEnable ? `{"schema":${cachedSchemaJson(schema)},"payload":${payload}}` : payload;
  return Buffer.from(text, 'utf8');
}

/**
 * The schema block of every event of a table is the same text until PostgreSQL sends a new Relation message, which
 * builds new (immutable) schema objects; keying on the object's identity caches it per relation and drops it with
 * the relation's old schema.
 */
const schemaTexts = new WeakMap<ConnectSchema, string>();

function cachedSchemaJson(schema: ConnectSchema): string {
  let text = schemaTexts.get(schema);
  if (text === undefined) {
    text = schemaJson(schema);
    schemaTexts.set(schema, text);
  }
  return text;
}

/** Schema as JsonConverter.asJsonSchema writes it; `fieldName` appends the struct member name last. */
export function schemaJson(schema: ConnectSchema, fieldName?: string): string {
  const parts: string[] = [`"type":${quote(schema.type)}`];
  if (schema.type === 'struct') {
    parts.push(`"fields":[${(schema.fields ?? []).map((f) => schemaJson(f.schema, f.name)).join(',')}]`);
  } else if (schema.type === 'array') {
    parts.push(`"items":${schemaJson(required(schema.items, 'items'))}`);
  } else if (schema.type === 'map') {
    parts.push(`"keys":${schemaJson(required(schema.keys, 'keys'))}`, `"values":${schemaJson(required(schema.values, 'values'))}`);
  }
  parts.push(`"optional":${schema.optional}`);
  if (schema.name !== undefined) parts.push(`"name":${quote(schema.name)}`);
  if (schema.version !== undefined) parts.push(`"version":${schema.version}`);
  if (schema.doc !== undefined) parts.push(`"doc":${quote(schema.doc)}`);
  if (schema.parameters !== undefined) {
    const params = Object.entries(schema.parameters).map(([k, v]) => `${quote(k)}:${quote(v)}`);
    parts.push(`"parameters":{${params.join(',')}}`);
  }
  if (schema.default !== undefined) parts.push(`"default":${valueJson({ ...schema, default: undefined }, schema.default, 'default')}`);
  if (fieldName !== undefined) parts.push(`"field":${quote(fieldName)}`);
  return `{${parts.join(',')}}`;
}

/** Payload as JsonConverter.convertToJson writes it. */
export function valueJson(schema: ConnectSchema, value: ConnectValue | undefined, path: string): string {
  if (value === null || value === undefined) {
    if (schema.default !== undefined && schema.default !== null) return valueJson({ ...schema, default: undefined }, schema.default, path);
    if (schema.optional) return 'null';
    throw new CdcDataError(`conversion error: null value for required field ${path || '(root)'}`, { context: { field: path } });
  }
  switch (schema.type) {
    case 'boolean':
      return expect(typeof value === 'boolean', schema, path, value) && value ? 'true' : 'false';
    case 'int8':
    case 'int16':
    case 'int32':
      if (typeof value === 'number' && Number.isInteger(value)) return String(value);
      if (typeof value === 'bigint') return value.toString();
      return fail(schema, path, value);
    case 'int64':
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
      return fail(schema, path, value);
    case 'float':
    case 'double': {
      if (typeof value !== 'number') return fail(schema, path, value);
      const text = schema.type === 'float' ? javaFloatToString(value) : javaDoubleToString(value);
      return Number.isFinite(value) ? text : `"${text}"`;
    }
    case 'string':
      return typeof value === 'string' ? quote(value) : fail(schema, path, value);
    case 'bytes':
      return value instanceof Uint8Array ? `"${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')}"` : fail(schema, path, value);
    case 'array': {
      if (!Array.isArray(value)) return fail(schema, path, value);
      const items = required(schema.items, 'items');
      return `[${(value as readonly ConnectValue[]).map((v, i) => valueJson(items, v, `${path}[${i}]`)).join(',')}]`;
    }
    case 'map': {
      if (!(value instanceof Map)) return fail(schema, path, value);
      const vs = required(schema.values, 'values');
      const entries = [...(value as ReadonlyMap<string, ConnectValue>)].map(([k, v]) => `${quote(String(k))}:${valueJson(vs, v, `${path}.${k}`)}`);
      return `{${entries.join(',')}}`;
    }
    case 'struct': {
      if (typeof value !== 'object' || value instanceof Uint8Array || Array.isArray(value) || value instanceof Map) return fail(schema, path, value);
      const s = value as ConnectStruct;
      const members = (schema.fields ?? []).map((f) => `${quote(f.name)}:${valueJson(f.schema, s[f.name], path ? `${path}.${f.name}` : f.name)}`);
      return `{${members.join(',')}}`;
    }
  }
}

function expect(ok: boolean, schema: ConnectSchema, path: string, value: unknown): boolean {
  if (!ok) fail(schema, path, value);
  return true;
}

function fail(schema: ConnectSchema, path: string, value: unknown): never {
  throw new CdcDataError(`value ${describe(value)} does not match schema type ${schema.type} at ${path || '(root)'}`, { context: { field: path } });
}

function describe(value: unknown): string {
  return typeof value === 'bigint' ? `${value}n` : typeof value === 'object' ? Object.prototype.toString.call(value) : JSON.stringify(value);
}

function required<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new CdcDataError(`schema is missing ${what}`);
  return v;
}

/** Jackson string escaping: short escapes for \b \t \n \f \r, `\u00XX` (upper-case hex) for other controls. */
export function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20) out += s[i];
    else if (c === 0x08) out += '\\b';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0c) out += '\\f';
    else if (c === 0x0d) out += '\\r';
    else out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `${out}"`;
}
