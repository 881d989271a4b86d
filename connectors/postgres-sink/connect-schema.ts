/**
 * Kafka Connect schemas as JsonConverter writes them (`{"schema": ..., "payload": ...}`), and the
 * PostgreSQL column type the sink creates for each, following Debezium's JDBC sink for PostgreSQL.
 */

export type ConnectType =
  | 'boolean' | 'int8' | 'int16' | 'int32' | 'int64' | 'float' | 'double'
  | 'bytes' | 'string' | 'array' | 'map' | 'struct';

export interface ConnectSchema {
  readonly type: ConnectType;
  readonly optional?: boolean;
  readonly name?: string;
  readonly version?: number;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly fields?: readonly ConnectField[];
  readonly items?: ConnectSchema;
  readonly keys?: ConnectSchema;
  readonly values?: ConnectSchema;
  readonly default?: unknown;
}

export interface ConnectField extends ConnectSchema {
  readonly field: string;
}

const CONNECT_TYPES = new Set<string>([
  'boolean', 'int8', 'int16', 'int32', 'int64', 'float', 'double', 'bytes', 'string', 'array', 'map', 'struct',
]);

/** Logical type names the sink understands (Kafka Connect's and Debezium's). */
export const Logical = {
  Decimal: 'org.apache.kafka.connect.data.Decimal',
  ConnectDate: 'org.apache.kafka.connect.data.Date',
  ConnectTime: 'org.apache.kafka.connect.data.Time',
  ConnectTimestamp: 'org.apache.kafka.connect.data.Timestamp',
  VariableScaleDecimal: 'io.debezium.data.VariableScaleDecimal',
  Date: 'io.debezium.time.Date',
  Time: 'io.debezium.time.Time',
  MicroTime: 'io.debezium.time.MicroTime',
  NanoTime: 'io.debezium.time.NanoTime',
  Timestamp: 'io.debezium.time.Timestamp',
  MicroTimestamp: 'io.debezium.time.MicroTimestamp',
  NanoTimestamp: 'io.debezium.time.NanoTimestamp',
  ZonedTimestamp: 'io.debezium.time.ZonedTimestamp',
  ZonedTime: 'io.debezium.time.ZonedTime',
  MicroDuration: 'io.debezium.time.MicroDuration',
  Interval: 'io.debezium.time.Interval',
  Json: 'io.debezium.data.Json',
  Uuid: 'io.debezium.data.Uuid',
  Enum: 'io.debezium.data.Enum',
  EnumSet: 'io.debezium.data.EnumSet',
  Xml: 'io.debezium.data.Xml',
  Bits: 'io.debezium.data.Bits',
} as const;

/**
 * Checks that an untrusted JSON value is a Connect schema, returning it typed, or a reason it is not.
 * Only the shape the sink relies on is checked; unknown properties are ignored as JsonConverter does.
 */
export function asConnectSchema(value: unknown, path = 'schema'): ConnectSchema | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path} is not an object`;
  const s = value as Record<string, unknown>;
  if (typeof s['type'] !== 'string' || !CONNECT_TYPES.has(s['type'])) return `${path}.type is not a Connect type`;
  if (s['name'] !== undefined && typeof s['name'] !== 'string') return `${path}.name is not a string`;
  if (s['parameters'] !== undefined && (typeof s['parameters'] !== 'object' || s['parameters'] === null)) {
    return `${path}.parameters is not an object`;
  }
  if (s['type'] === 'struct') {
    if (!Array.isArray(s['fields'])) return `${path}.fields is missing`;
    for (const [i, f] of (s['fields'] as unknown[]).entries()) {
      const problem = asConnectSchema(f, `${path}.fields[${i}]`);
      if (typeof problem === 'string') return problem;
      if (typeof (f as Record<string, unknown>)['field'] !== 'string') return `${path}.fields[${i}].field is not a string`;
    }
  }
  if (s['type'] === 'array') {
    const problem = asConnectSchema(s['items'], `${path}.items`);
    if (typeof problem === 'string') return problem;
  }
  return s as unknown as ConnectSchema;
}

// Debezium's column.propagate.source.type passes the source column type in these parameters; when
// present (and plain), the sink creates the same type instead of a generic one.
const SOURCE_TYPE_PARAM = '__debezium.source.column.type';
const SOURCE_LENGTH_PARAM = '__debezium.source.column.length';
const SOURCE_SCALE_PARAM = '__debezium.source.column.scale';
const PLAIN_TYPE_NAME = /^[A-Za-z][A-Za-z0-9_ ]{0,62}$/;
const DIGITS = /^\d{1,4}$/;

/**
 * The PostgreSQL type the sink uses when it creates a column for a field of this schema.
 * Every name returned comes from a fixed vocabulary or is checked to be a plain type name, so it is safe
 * to place in DDL.
 */
export function columnTypeFor(schema: ConnectSchema): string {
  const propagated = propagatedSourceType(schema);
  if (propagated !== undefined) return propagated;
  switch (schema.name) {
    case Logical.Decimal: {
      const scale = schema.parameters?.['scale'];
      const precision = schema.parameters?.['connect.decimal.precision'];
      if (precision !== undefined && scale !== undefined && DIGITS.test(precision) && DIGITS.test(scale)) {
        return `numeric(${precision}, ${scale})`;
      }
      return 'numeric';
    }
    // Debezium's sink maps this to double precision; numeric keeps every digit.
    case Logical.VariableScaleDecimal: return 'numeric';
    case Logical.Date: case Logical.ConnectDate: return 'date';
    case Logical.Time: case Logical.ConnectTime: return 'time(3)';
    case Logical.MicroTime: case Logical.NanoTime: return 'time';
    case Logical.Timestamp: case Logical.ConnectTimestamp: return 'timestamp(3)';
    case Logical.MicroTimestamp: case Logical.NanoTimestamp: return 'timestamp';
    case Logical.ZonedTimestamp: return 'timestamptz';
    case Logical.ZonedTime: return 'timetz';
    case Logical.MicroDuration: case Logical.Interval: return 'interval';
    case Logical.Json: return 'json';
    case Logical.Uuid: return 'uuid';
    case Logical.Xml: return 'xml';
    case Logical.Bits: return 'bit varying';
    case Logical.Enum: case Logical.EnumSet: return 'text';
    default: break;
  }
  switch (schema.type) {
    case 'boolean': return 'boolean';
    case 'int8': case 'int16': return 'smallint';
    case 'int32': return 'integer';
    case 'int64': return 'bigint';
    case 'float': return 'real';
    case 'double': return 'double precision';
    case 'string': return 'text';
    case 'bytes': return 'bytea';
    case 'array': {
      const items = schema.items;
      if (items === undefined || items.type === 'array' || items.type === 'map' || items.type === 'struct') return 'jsonb';
      return `${columnTypeFor(items)}[]`;
    }
    case 'map': case 'struct': return 'jsonb';
  }
}

function propagatedSourceType(schema: ConnectSchema): string | undefined {
  const type = schema.parameters?.[SOURCE_TYPE_PARAM];
  if (type === undefined || !PLAIN_TYPE_NAME.test(type)) return undefined;
  const lower = type.toLowerCase();
  const length = schema.parameters?.[SOURCE_LENGTH_PARAM];
  const scale = schema.parameters?.[SOURCE_SCALE_PARAM];
  const sized = ['varchar', 'character varying', 'bpchar', 'char', 'character', 'numeric', 'decimal', 'bit', 'varbit'];
  if (sized.includes(lower) && length !== undefined && DIGITS.test(length) && Number(length) > 0) {
    const name = lower === 'bpchar' ? 'char' : lower;
    if ((lower === 'numeric' || lower === 'decimal') && scale !== undefined && DIGITS.test(scale)) return `${name}(${length}, ${scale})`;
    if (lower === 'numeric' || lower === 'decimal') return `${name}(${length})`;
    return `${name}(${length})`;
  }
  // Only types that take the sink's bind format unchanged are propagated.
  const passThrough = ['jsonb', 'json', 'text', 'inet', 'cidr', 'macaddr', 'macaddr8', 'int4range', 'int8range',
    'numrange', 'tsrange', 'tstzrange', 'daterange', 'money', 'xml', 'uuid', 'varchar', 'numeric'];
  return passThrough.includes(lower) ? lower : undefined;
}
