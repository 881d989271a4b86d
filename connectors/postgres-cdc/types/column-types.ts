/**
 * PostgreSQL column type -> Kafka Connect schema + converter from pgoutput text, per Debezium's PostgresValueConverter.
 * A null mapping means Debezium omits the column (unknown types, unsupported array elements).
 */
import type { ConnectSchema, ConnectValue } from '../connect/schema.js';
import { CdcDataError } from '../errors.js';
import { parseDecimal, rescale, stripTrailingZeros, toPlainString, twosComplementBytes } from './numeric.js';
import { parseArrayLiteral } from './array-literal.js';
import {
  TIMESTAMP_NEGATIVE_INFINITY, TIMESTAMP_POSITIVE_INFINITY, formatZonedTime, formatZonedTimestamp, microsToMillis,
  parseDateDays, parseIntervalMicros, parseTimeOfDay, parseTimestampMicros, parseTimestamptzMicros,
} from './temporal.js';

export type DecimalHandlingMode = 'precise' | 'double' | 'string';
export type TimePrecisionMode = 'adaptive' | 'adaptive_time_microseconds' | 'connect';
export type BinaryHandlingMode = 'bytes' | 'base64' | 'base64-url-safe' | 'hex';
export type IntervalHandlingMode = 'numeric' | 'string';
export type HstoreHandlingMode = 'json' | 'map';

export interface TypeMappingOptions {
  readonly decimalHandlingMode: DecimalHandlingMode;
  readonly timePrecisionMode: TimePrecisionMode;
  readonly binaryHandlingMode: BinaryHandlingMode;
  readonly intervalHandlingMode: IntervalHandlingMode;
  readonly hstoreHandlingMode: HstoreHandlingMode;
  readonly moneyFractionDigits: number;
  readonly unavailableValuePlaceholder: string;
}

/** A type as resolved from pg_type: domains resolved to their base, arrays to their element. */
export interface PgType {
  readonly oid: number;
  /** pg_type.typname, e.g. `int4`, `timestamptz`, `mood`. */
  readonly name: string;
  readonly category: 'base' | 'enum' | 'array';
  readonly enumLabels?: readonly string[];
  readonly element?: PgType;
}

export interface ColumnMapping {
  /** Schema with optional=false and no default; the table schema sets those per column. */
  readonly schema: ConnectSchema;
  readonly convert: (text: string) => ConnectValue;
  /** Value for a NOT NULL column without a default when PostgreSQL sent no value (DEFAULT identity deletes). */
  readonly fallback: ConnectValue;
  /** Value standing for an unchanged TOAST column. */
  readonly unavailable: ConnectValue;
}

const S = (type: ConnectSchema['type'], extra: Partial<ConnectSchema> = {}): ConnectSchema => ({ type, optional: false, ...extra });
const named = (type: ConnectSchema['type'], name: string, extra: Partial<ConnectSchema> = {}): ConnectSchema =>
  S(type, { name, version: 1, ...extra });

function intConv(type: 'int16' | 'int32'): (t: string) => ConnectValue {
  return (t) => {
    const n = Number(t);
    if (!Number.isInteger(n)) throw new CdcDataError(`not an integer for ${type}: '${t}'`, { context: { value: t } });
    return n;
  };
}

function floatConv(t: string): number {
  if (t === 'NaN') return NaN;
  if (t === 'Infinity') return Infinity;
  if (t === '-Infinity') return -Infinity;
  return Number(t);
}

function bytesFromPgHex(t: string): Buffer {
  if (!t.startsWith('\\x')) throw new CdcDataError('bytea must use bytea_output=hex', { context: { value: t.slice(0, 16) } });
  return Buffer.from(t.slice(2), 'hex');
}

function typmodPrecision(typmod: number): number | undefined {
  return typmod < 0 ? undefined : typmod;
}

/** numeric typmod encodes ((precision << 16) | scale) + 4. */
export function numericPrecisionScale(typmod: number): { precision: number; scale: number } | undefined {
  if (typmod < 4) return undefined;
  const v = typmod - 4;
  return { precision: (v >> 16) & 0xffff, scale: v & 0xffff };
}

function stringMapping(schema: ConnectSchema, opts: TypeMappingOptions, convert: (t: string) => ConnectValue = (t) => t): ColumnMapping {
  return { schema, convert, fallback: '', unavailable: opts.unavailableValuePlaceholder };
}

function binaryEncode(mode: BinaryHandlingMode, bytes: Buffer): ConnectValue {
  switch (mode) {
    case 'bytes':
      return new Uint8Array(bytes);
    case 'base64':
      return bytes.toString('base64');
    case 'base64-url-safe':
      return bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    case 'hex':
      return bytes.toString('hex');
  }
}

function hstoreToJson(text: string): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const re = /"((?:[^"\\]|\\.)*)"\s*=>\s*(NULL|"((?:[^"\\]|\\.)*)")\s*(?:,\s*|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const unescape = (s: string): string => s.replace(/\\(.)/g, '$1');
    out.set(unescape(m[1]!), m[2] === 'NULL' ? null : unescape(m[3]!));
    if (re.lastIndex >= text.length) break;
  }
  return out;
}

function bitsToBytes(bits: string, length: number): Uint8Array {
  const n = Math.max(Math.ceil(length / 8), Math.ceil(bits.length / 8));
  const out = new Uint8Array(n);
  for (let i = 0; i < bits.length; i++) {
    if (bits[bits.length - 1 - i] === '1') out[i >> 3]! |= 1 << (i & 7);
  }
  return out;
}

const decimalFallback = (): Uint8Array => new Uint8Array([0]);

export function mapColumnType(type: PgType, typmod: number, opts: TypeMappingOptions): ColumnMapping | null {
  if (type.category === 'enum') {
    const schema = named('string', 'io.debezium.data.Enum', { parameters: { allowed: (type.enumLabels ?? []).join(',') } });
    return stringMapping(schema, opts);
  }
  if (type.category === 'array') return mapArray(type, opts);
  const placeholderBytes = new Uint8Array(Buffer.from(opts.unavailableValuePlaceholder, 'utf8'));
  switch (type.name) {
    case 'bool':
      return { schema: S('boolean'), convert: (t) => t === 't' || t === 'true', fallback: false, unavailable: null };
    case 'int2':
      return { schema: S('int16'), convert: intConv('int16'), fallback: 0, unavailable: null };
    case 'int4':
      return { schema: S('int32'), convert: intConv('int32'), fallback: 0, unavailable: null };
    case 'int8':
    case 'oid':
      return { schema: S('int64'), convert: (t) => BigInt(t), fallback: 0n, unavailable: null };
    case 'float4':
      return { schema: S('float'), convert: floatConv, fallback: 0, unavailable: null };
    case 'float8':
      return { schema: S('double'), convert: floatConv, fallback: 0, unavailable: null };
    case 'numeric':
      return mapNumeric(typmod, opts, placeholderBytes);
    case 'money':
      return mapMoney(opts, placeholderBytes);
    case 'text': case 'varchar': case 'bpchar': case 'char': case 'name': case 'citext':
    case 'inet': case 'cidr': case 'macaddr': case 'macaddr8':
    case 'int4range': case 'int8range': case 'numrange': case 'tsrange': case 'tstzrange': case 'daterange':
    case 'int4multirange': case 'int8multirange': case 'nummultirange': case 'tsmultirange': case 'tstzmultirange': case 'datemultirange':
    case 'ltree':
      return stringMapping(S('string'), opts);
    case 'uuid':
      return { schema: named('string', 'io.debezium.data.Uuid'), convert: (t) => t, fallback: '00000000-0000-0000-0000-000000000000', unavailable: opts.unavailableValuePlaceholder };
    case 'json': case 'jsonb':
      return { schema: named('string', 'io.debezium.data.Json'), convert: (t) => t, fallback: '{}', unavailable: opts.unavailableValuePlaceholder };
    case 'xml':
      return stringMapping(named('string', 'io.debezium.data.Xml'), opts);
    case 'hstore':
      if (opts.hstoreHandlingMode === 'map') {
        return {
          schema: S('map', { keys: S('string'), values: { type: 'string', optional: true } }),
          convert: hstoreToJson, fallback: new Map(), unavailable: null,
        };
      }
      return {
        schema: named('string', 'io.debezium.data.Json'),
        convert: (t) => `{${[...hstoreToJson(t)].map(([k, v]) => `${JSON.stringify(k)}:${v === null ? 'null' : JSON.stringify(v)}`).join(',')}}`,
        fallback: '{}', unavailable: opts.unavailableValuePlaceholder,
      };
    case 'bytea': {
      const schema = opts.binaryHandlingMode === 'bytes' ? S('bytes') : S('string');
      return {
        schema,
        convert: (t) => binaryEncode(opts.binaryHandlingMode, bytesFromPgHex(t)),
        fallback: opts.binaryHandlingMode === 'bytes' ? new Uint8Array(0) : '',
        unavailable: binaryEncode(opts.binaryHandlingMode, Buffer.from(opts.unavailableValuePlaceholder, 'utf8')),
      };
    }
    case 'bit': case 'varbit': {
      if (type.name === 'bit' && typmod === 1) return { schema: S('boolean'), convert: (t) => t === '1', fallback: false, unavailable: null };
      const length = typmod > 0 ? typmod : 1;
      return {
        schema: named('bytes', 'io.debezium.data.Bits', { parameters: { length: String(length) } }),
        convert: (t) => bitsToBytes(t, length), fallback: new Uint8Array(0), unavailable: placeholderBytes,
      };
    }
    case 'date':
      return {
        schema: opts.timePrecisionMode === 'connect' ? named('int32', 'org.apache.kafka.connect.data.Date') : named('int32', 'io.debezium.time.Date'),
        convert: parseDateDays, fallback: 0, unavailable: null,
      };
    case 'time':
      return mapTime(typmodPrecision(typmod), opts);
    case 'timetz':
      return { schema: named('string', 'io.debezium.time.ZonedTime'), convert: formatZonedTime, fallback: '00:00:00Z', unavailable: null };
    case 'timestamp':
      return mapTimestamp(typmodPrecision(typmod), opts);
    case 'timestamptz': {
      const digits = typmodPrecision(typmod) ?? 6;
      return {
        schema: named('string', 'io.debezium.time.ZonedTimestamp'),
        convert: (t) => (t === 'infinity' || t === '-infinity' ? t : formatZonedTimestamp(parseTimestamptzMicros(t), digits)),
        fallback: formatZonedTimestamp(0n, digits), unavailable: null,
      };
    }
    case 'interval':
      if (opts.intervalHandlingMode === 'string') {
        return { schema: named('string', 'io.debezium.time.Interval'), convert: (t) => t, fallback: 'PT0S', unavailable: null };
      }
      return { schema: named('int64', 'io.debezium.time.MicroDuration'), convert: parseIntervalMicros, fallback: 0n, unavailable: null };
    default:
      return null;
  }
}

function mapNumeric(typmod: number, opts: TypeMappingOptions, placeholderBytes: Uint8Array): ColumnMapping {
  const ps = numericPrecisionScale(typmod);
  if (opts.decimalHandlingMode === 'double') {
    return { schema: S('double'), convert: floatConv, fallback: 0, unavailable: null };
  }
  if (opts.decimalHandlingMode === 'string') {
    return {
      schema: S('string'),
      convert: (t) => (t === 'NaN' ? 'NAN' : t === 'Infinity' || t === '-Infinity' ? t.toUpperCase() : toPlainString(parseDecimal(t))),
      fallback: '0', unavailable: opts.unavailableValuePlaceholder,
    };
  }
  if (ps === undefined) {
    const schema = named('struct', 'io.debezium.data.VariableScaleDecimal', {
      doc: 'Variable scaled decimal',
      fields: [{ name: 'scale', schema: S('int32') }, { name: 'value', schema: S('bytes') }],
    });
    return {
      schema,
      convert: (t) => {
        if (t === 'NaN' || t.endsWith('Infinity')) return null;
        const d = stripTrailingZeros(parseDecimal(t));
        return { scale: d.scale, value: twosComplementBytes(d.unscaled) };
      },
      fallback: { scale: 0, value: decimalFallback() },
      unavailable: null,
    };
  }
  const schema = named('bytes', 'org.apache.kafka.connect.data.Decimal', {
    parameters: { scale: String(ps.scale), 'connect.decimal.precision': String(ps.precision) },
  });
  return {
    schema,
    convert: (t) => (t === 'NaN' || t.endsWith('Infinity') ? null : twosComplementBytes(rescale(parseDecimal(t), ps.scale).unscaled)),
    fallback: decimalFallback(),
    unavailable: placeholderBytes,
  };
}

function parseMoney(t: string, digits: number): { unscaled: bigint; scale: number } {
  const negative = t.includes('-') || t.startsWith('(');
  const cleaned = t.replace(/[^0-9.]/g, '');
  const d = rescale(parseDecimal(cleaned === '' ? '0' : cleaned), digits);
  return negative ? { unscaled: -d.unscaled, scale: d.scale } : d;
}

function mapMoney(opts: TypeMappingOptions, placeholderBytes: Uint8Array): ColumnMapping {
  const digits = opts.moneyFractionDigits;
  if (opts.decimalHandlingMode === 'double') {
    return { schema: S('double'), convert: (t) => Number(toPlainString(parseMoney(t, digits))), fallback: 0, unavailable: null };
  }
  if (opts.decimalHandlingMode === 'string') {
    return { schema: S('string'), convert: (t) => toPlainString(parseMoney(t, digits)), fallback: '0', unavailable: opts.unavailableValuePlaceholder };
  }
  return {
    schema: named('bytes', 'org.apache.kafka.connect.data.Decimal', { parameters: { scale: String(digits) } }),
    convert: (t) => twosComplementBytes(parseMoney(t, digits).unscaled),
    fallback: decimalFallback(),
    unavailable: placeholderBytes,
  };
}

function mapTime(precision: number | undefined, opts: TypeMappingOptions): ColumnMapping {
  const micros = (t: string): bigint => parseTimeOfDay(t).micros;
  if (opts.timePrecisionMode === 'connect') {
    return { schema: named('int32', 'org.apache.kafka.connect.data.Time'), convert: (t) => Number(micros(t) / 1000n), fallback: 0, unavailable: null };
  }
  if (opts.timePrecisionMode === 'adaptive' && precision !== undefined && precision <= 3) {
    return { schema: named('int32', 'io.debezium.time.Time'), convert: (t) => Number(micros(t) / 1000n), fallback: 0, unavailable: null };
  }
  return { schema: named('int64', 'io.debezium.time.MicroTime'), convert: micros, fallback: 0n, unavailable: null };
}

function mapTimestamp(precision: number | undefined, opts: TypeMappingOptions): ColumnMapping {
  const micros = (t: string): bigint =>
    t === 'infinity' ? TIMESTAMP_POSITIVE_INFINITY : t === '-infinity' ? TIMESTAMP_NEGATIVE_INFINITY : parseTimestampMicros(t);
  const millis = (t: string): bigint => (t === 'infinity' || t === '-infinity' ? micros(t) : microsToMillis(micros(t)));
  if (opts.timePrecisionMode === 'connect') {
    return { schema: named('int64', 'org.apache.kafka.connect.data.Timestamp'), convert: millis, fallback: 0n, unavailable: null };
  }
  if (opts.timePrecisionMode === 'adaptive' && precision !== undefined && precision <= 3) {
    return { schema: named('int64', 'io.debezium.time.Timestamp'), convert: millis, fallback: 0n, unavailable: null };
  }
  return { schema: named('int64', 'io.debezium.time.MicroTimestamp'), convert: micros, fallback: 0n, unavailable: null };
}

function mapArray(type: PgType, opts: TypeMappingOptions): ColumnMapping | null {
  const element = type.element;
  if (element === undefined) return null;
  if (['money', 'interval', 'xml', 'point'].includes(element.name)) return null;
  const inner = mapColumnType(element, -1, opts);
  if (inner === null || inner.schema.type === 'array') return null;
  const items: ConnectSchema = { ...inner.schema, optional: true };
  const unavailable: ConnectValue =
    items.type === 'string'
      ? [opts.unavailableValuePlaceholder]
      : items.type === 'int16' || items.type === 'int32'
        ? [...Buffer.from(opts.unavailableValuePlaceholder, 'utf8')]
        : items.type === 'int64'
          ? [...Buffer.from(opts.unavailableValuePlaceholder, 'utf8')].map((b) => BigInt(b))
          : null;
  return {
    schema: S('array', { items }),
    convert: (t) => parseArrayLiteral(t).map((e) => (e === null ? null : inner.convert(e))),
    fallback: [],
    unavailable,
  };
}
