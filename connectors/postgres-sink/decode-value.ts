import { TributaryError, type TributaryErrorOptions } from '../../src/errors.js';
import { Logical, type ConnectSchema } from './connect-schema.js';
import { LosslessNumber, isJsonObject, stringifyJson, type JsonValue } from './json.js';
import {
  daysToDate, microsToInterval, microsToTime, microsToTimestamp, nanosToTimestamp, zonedTimestamp,
} from './temporal.js';

/** What the sink hands to `pg` as a parameter. Text is coerced by PostgreSQL to the column's type. */
export type BindValue = string | number | boolean | Buffer | null | BindValue[];

/** Options of {@link ValueDecodeError}: the field's path is required. */
export interface ValueDecodeErrorOptions extends Omit<TributaryErrorOptions, 'retriable'> {
  readonly path: string;
}

/**
 * A payload value does not match its schema. `path` names the field, e.g. `after.balance`. Not retriable.
 *
 * A TributaryError but deliberately not a SinkError: the record conversion turns any error that is not a SinkError
 * into a `BadRecordError` naming the record, and the writer treats SinkErrors as not caused by the data.
 */
export class ValueDecodeError extends TributaryError {
  readonly path: string;
  constructor(message: string, options: ValueDecodeErrorOptions) {
    super(`${options.path}: ${message}`, { ...options, retriable: false, context: { path: options.path, ...options.context } });
    this.path = options.path;
  }
}

const INTEGER_TEXT = /^-?\d+$/;
const DECIMAL_TEXT = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const RANGES: Record<'int8' | 'int16' | 'int32' | 'int64', readonly [bigint, bigint]> = {
  int8: [-128n, 127n],
  int16: [-32768n, 32767n],
  int32: [-2147483648n, 2147483647n],
  int64: [-9223372036854775808n, 9223372036854775807n],
};

function toBigInt(value: JsonValue, path: string): bigint {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (value instanceof LosslessNumber && INTEGER_TEXT.test(value.value)) return BigInt(value.value);
  throw new ValueDecodeError(`expected an integer, got ${describe(value)}`, { path });
}

function describe(value: JsonValue): string {
  if (value instanceof LosslessNumber) return value.value;
  const text = stringifyJson(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

function decodeBase64(value: JsonValue, path: string): Buffer {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) {
    throw new ValueDecodeError(`expected base64 bytes, got ${describe(value)}`, { path });
  }
  return Buffer.from(value, 'base64');
}

/** Big-endian two's-complement bytes (Java BigInteger.toByteArray) -> BigInt. */
export function twosComplementToBigInt(bytes: Buffer): bigint {
  if (bytes.length === 0) return 0n;
  const unsigned = BigInt(`0x${bytes.toString('hex')}`);
  return (bytes[0]! & 0x80) !== 0 ? unsigned - (1n << BigInt(bytes.length * 8)) : unsigned;
}

/** Unscaled integer and scale -> exact decimal text (`123450`, 2 -> `1234.50`). */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  let text: string;
  if (scale <= 0) {
    text = digits === '0' ? '0' : digits + '0'.repeat(-scale);
  } else {
    const padded = digits.padStart(scale + 1, '0');
    text = `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
  }
  return negative ? `-${text}` : text;
}

function decodeDecimal(schema: ConnectSchema, value: JsonValue, path: string): string {
  // decimal.format=NUMERIC writes the number itself
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value instanceof LosslessNumber && DECIMAL_TEXT.test(value.value)) return value.value;
  const scaleText = schema.parameters?.['scale'];
  if (scaleText === undefined || !INTEGER_TEXT.test(scaleText)) {
    throw new ValueDecodeError('Decimal schema has no integer "scale" parameter', { path });
  }
  return formatDecimal(twosComplementToBigInt(decodeBase64(value, path)), Number(scaleText));
}

function decodeVariableScaleDecimal(value: JsonValue, path: string): string {
  if (!isJsonObject(value)) throw new ValueDecodeError(`expected {scale, value}, got ${describe(value)}`, { path });
  const scale = value['scale'];
  if (typeof scale !== 'number' || !Number.isInteger(scale)) throw new ValueDecodeError('expected an int32', { path: `${path}.scale` });
  return formatDecimal(twosComplementToBigInt(decodeBase64(value['value'] ?? null, `${path}.value`)), scale);
}

function expectString(value: JsonValue, path: string): string {
  if (typeof value !== 'string') throw new ValueDecodeError(`expected a string, got ${describe(value)}`, { path });
  return value;
}

/** io.debezium.data.Bits: little-endian bytes, `length` bits -> bit string for bit/varbit columns. */
function decodeBits(schema: ConnectSchema, value: JsonValue, path: string): string {
  const bytes = decodeBase64(value, path);
  const lengthParam = schema.parameters?.['length'];
  const length = lengthParam !== undefined && INTEGER_TEXT.test(lengthParam) ? Number(lengthParam) : bytes.length * 8;
  let bits = '';
  for (let i = length - 1; i >= 0; i--) {
    const byte = bytes[Math.floor(i / 8)] ?? 0;
    bits += (byte >> (i % 8)) & 1 ? '1' : '0';
  }
  return bits;
}

function decodeLogical(schema: ConnectSchema, value: JsonValue, path: string): BindValue | undefined {
  switch (schema.name) {
    case Logical.Decimal: return decodeDecimal(schema, value, path);
    case Logical.VariableScaleDecimal: return decodeVariableScaleDecimal(value, path);
    case Logical.Date: case Logical.ConnectDate: return daysToDate(toBigInt(value, path));
    case Logical.Time: case Logical.ConnectTime: return microsToTimeChecked(toBigInt(value, path) * 1000n, path);
    case Logical.MicroTime: return microsToTimeChecked(toBigInt(value, path), path);
    case Logical.NanoTime: return microsToTimeChecked(toBigInt(value, path) / 1000n, path);
    case Logical.Timestamp: case Logical.ConnectTimestamp: return microsToTimestamp(toBigInt(value, path) * 1000n);
    case Logical.MicroTimestamp: return microsToTimestamp(toBigInt(value, path));
    case Logical.NanoTimestamp: return nanosToTimestamp(toBigInt(value, path));
    case Logical.ZonedTimestamp: return zonedTimestamp(expectString(value, path));
    case Logical.ZonedTime: return expectString(value, path);
    case Logical.MicroDuration: return microsToInterval(toBigInt(value, path));
    case Logical.Bits: return schema.type === 'bytes' ? decodeBits(schema, value, path) : undefined;
    default: return undefined;
  }
}

function microsToTimeChecked(us: bigint, path: string): string {
  try {
    return microsToTime(us);
  } catch (e) {
    throw new ValueDecodeError((e as Error).message, { path });
  }
}

/**
 * Decodes one payload value by its Connect schema into a bind value: logical types become PostgreSQL
 * input text, int64 beyond 2^53 stays exact, bytes become Buffers, arrays stay arrays, and maps and plain
 * structs become JSON text.
 *
 * @example decodeValue({ type: 'bytes', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '2' } }, 'AeI6')
 * // '1234.50'
 */
export function decodeValue(schema: ConnectSchema, value: JsonValue | undefined, path: string): BindValue {
  if (value === null || value === undefined) {
    if (schema.optional === false && schema.default === undefined) {
      throw new ValueDecodeError('null for a required field', { path });
    }
    return value === undefined && schema.default !== undefined ? decodeValue(schema, schema.default as JsonValue, path) : null;
  }
  const logical = decodeLogical(schema, value, path);
  if (logical !== undefined) return logical;
  switch (schema.type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw new ValueDecodeError(`expected a boolean, got ${describe(value)}`, { path });
      return value;
    case 'int8': case 'int16': case 'int32': case 'int64': {
      const n = toBigInt(value, path);
      const [min, max] = RANGES[schema.type];
      if (n < min || n > max) throw new ValueDecodeError(`${n} does not fit ${schema.type}`, { path });
      return typeof value === 'number' ? value : n.toString();
    }
    case 'float': case 'double':
      if (typeof value === 'number') return value;
      if (value instanceof LosslessNumber) return value.value;
      // Jackson writes non-finite doubles as quoted strings
      if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return value;
      throw new ValueDecodeError(`expected a number, got ${describe(value)}`, { path });
    case 'string':
      if (schema.name === Logical.Json && typeof value !== 'string') return stringifyJson(value);
      return expectString(value, path);
    case 'bytes':
      return decodeBase64(value, path);
    case 'array': {
      if (!Array.isArray(value)) throw new ValueDecodeError(`expected an array, got ${describe(value)}`, { path });
      const items = schema.items;
      if (items === undefined) throw new ValueDecodeError('array schema has no items', { path });
      const decoded = value.map((v, i) => decodeValue(items, v, `${path}[${i}]`));
      // arrays of composite values go to jsonb columns as JSON text
      return items.type === 'array' || items.type === 'map' || items.type === 'struct' ? JSON.stringify(decoded) : decoded;
    }
    case 'map': case 'struct':
      if (typeof value !== 'object' || value instanceof LosslessNumber) {
        throw new ValueDecodeError(`expected an object, got ${describe(value)}`, { path });
      }
      return stringifyJson(value);
  }
}

/**
 * A schemaless JSON value as a bind value: objects and arrays as JSON text (for json/jsonb columns),
 * numbers too long for a double as their exact text.
 */
export function schemalessBindValue(value: JsonValue): BindValue {
  if (value instanceof LosslessNumber) return value.value;
  if (typeof value === 'object' && value !== null) return stringifyJson(value);
  return value;
}

/** The column type the sink creates for a schemaless value; null means "not known yet". */
export function inferColumnType(value: JsonValue): string | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'bigint' : 'double precision';
  if (value instanceof LosslessNumber) {
    const text = value.value;
    const fitsInt64 = INTEGER_TEXT.test(text) && BigInt(text) >= RANGES.int64[0] && BigInt(text) <= RANGES.int64[1];
    return fitsInt64 ? 'bigint' : 'numeric';
  }
  if (typeof value === 'string') return 'text';
  return 'jsonb';
}

/** Two inferred types of one column seen in one batch -> the type that holds both. */
export function widenColumnType(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null || a === b) return a;
  const integers = ['smallint', 'integer', 'bigint'];
  if (integers.includes(a) && integers.includes(b)) return 'bigint';
  const isNumeric = (t: string) => integers.includes(t) || t === 'real' || t === 'double precision' || t.startsWith('numeric');
  if (isNumeric(a) && isNumeric(b)) return 'numeric';
  if (a === 'jsonb' || b === 'jsonb') return 'jsonb';
  return 'text';
}
