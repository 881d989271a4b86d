import { describe, expect, it } from 'vitest';
import { columnTypeFor, type ConnectSchema } from './connect-schema.js';
import {
  decodeValue, formatDecimal, inferColumnType, twosComplementToBigInt, ValueDecodeError, widenColumnType,
} from './decode-value.js';
import { parseJson } from './json.js';

const logical = (type: ConnectSchema['type'], name: string, parameters?: Record<string, string>): ConnectSchema =>
  ({ type, name, optional: true, ...(parameters === undefined ? {} : { parameters }) });
const decimal = (scale: number, precision?: number) =>
  logical('bytes', 'org.apache.kafka.connect.data.Decimal', { scale: String(scale), ...(precision === undefined ? {} : { 'connect.decimal.precision': String(precision) }) });

describe('Decimal', () => {
  it('decodes the reference examples', () => {
    expect(decodeValue(decimal(2, 10), 'AeI6', 'balance')).toBe('1234.50');
    expect(decodeValue(decimal(2, 10), 'Jw8=', 'balance')).toBe('99.99');
    expect(decodeValue(decimal(2, 10), 'Aw1A', 'balance')).toBe('2000.00');
  });

  it('reads negative two\'s-complement values and small scales', () => {
    expect(twosComplementToBigInt(Buffer.from([0xff]))).toBe(-1n);
    expect(twosComplementToBigInt(Buffer.from([0xfe, 0x1d, 0xc6]))).toBe(-123450n);
    expect(decodeValue(decimal(2), Buffer.from([0xfe, 0x1d, 0xc6]).toString('base64'), 'x')).toBe('-1234.50');
    expect(decodeValue(decimal(3), Buffer.from([0x05]).toString('base64'), 'x')).toBe('0.005');
    expect(decodeValue(decimal(0), 'AA==', 'x')).toBe('0');
  });

  it('formats exactly, whatever the size', () => {
    expect(formatDecimal(123456789012345678901234567890n, 10)).toBe('12345678901234567890.1234567890');
    expect(formatDecimal(-5n, 3)).toBe('-0.005');
    expect(formatDecimal(12n, -2)).toBe('1200');
  });

  it('accepts decimal.format=NUMERIC numbers, keeping long ones exact', () => {
    expect(decodeValue(decimal(2), 1234.5, 'x')).toBe('1234.5');
    const v = (parseJson('{"n":12345678901234567890.12}') as Record<string, never>)['n'];
    expect(decodeValue(decimal(2), v, 'x')).toBe('12345678901234567890.12');
  });

  it('rejects bytes that are not base64', () => {
    expect(() => decodeValue(decimal(2), 'not base64!', 'after.balance')).toThrow(ValueDecodeError);
    expect(() => decodeValue(decimal(2), 'not base64!', 'after.balance')).toThrow(/after\.balance/);
  });

  it('creates numeric(p, s) columns', () => {
    expect(columnTypeFor(decimal(2, 10))).toBe('numeric(10, 2)');
    expect(columnTypeFor(decimal(2))).toBe('numeric');
  });
});

describe('VariableScaleDecimal', () => {
  const schema = logical('struct', 'io.debezium.data.VariableScaleDecimal');
  it('decodes {scale, value}', () => {
    expect(decodeValue(schema, { scale: 4, value: 'AYr3' }, 'x')).toBe('10.1111');
  });
  it('rejects a malformed struct', () => {
    expect(() => decodeValue(schema, { value: 'AYr3' }, 'x')).toThrow(/scale/);
  });
  it('creates numeric columns', () => expect(columnTypeFor(schema)).toBe('numeric'));
});

describe('temporal types', () => {
  it('Date: days since epoch', () => {
    const s = logical('int32', 'io.debezium.time.Date');
    expect(decodeValue(s, 17109, 'd')).toBe('2016-11-04');
    expect(decodeValue(s, 0, 'd')).toBe('1970-01-01');
    expect(decodeValue(s, -719528, 'd')).toBe('0001-01-01 BC');
    expect(decodeValue(s, -719162, 'd')).toBe('0001-01-01');
    expect(decodeValue(logical('int32', 'org.apache.kafka.connect.data.Date'), 19737, 'd')).toBe('2024-01-15');
    expect(columnTypeFor(s)).toBe('date');
  });

  it('Time (ms), MicroTime (µs), NanoTime (ns)', () => {
    expect(decodeValue(logical('int32', 'io.debezium.time.Time'), 49890123, 't')).toBe('13:51:30.123000');
    expect(decodeValue(logical('int64', 'io.debezium.time.MicroTime'), 49890000000, 't')).toBe('13:51:30.000000');
    expect(decodeValue(logical('int64', 'io.debezium.time.MicroTime'), 86400000000, 't')).toBe('24:00:00.000000');
    expect(decodeValue(logical('int64', 'io.debezium.time.NanoTime'), 49890123456789, 't')).toBe('13:51:30.123456');
    expect(() => decodeValue(logical('int64', 'io.debezium.time.MicroTime'), -1, 't')).toThrow(/outside/);
    expect(columnTypeFor(logical('int64', 'io.debezium.time.MicroTime'))).toBe('time');
  });

  it('Timestamp (ms), MicroTimestamp (µs), NanoTimestamp (ns) as UTC wall time', () => {
    expect(decodeValue(logical('int64', 'io.debezium.time.MicroTimestamp'), 1478267490123456, 'ts')).toBe('2016-11-04 13:51:30.123456');
    expect(decodeValue(logical('int64', 'io.debezium.time.Timestamp'), 1478267490123, 'ts')).toBe('2016-11-04 13:51:30.123000');
    expect(decodeValue(logical('int64', 'org.apache.kafka.connect.data.Timestamp'), -1, 'ts')).toBe('1969-12-31 23:59:59.999000');
    const ns = (parseJson('[1478267490123456789]') as never[])[0];
    expect(decodeValue(logical('int64', 'io.debezium.time.NanoTimestamp'), ns, 'ts')).toBe('2016-11-04 13:51:30.123456');
    expect(columnTypeFor(logical('int64', 'io.debezium.time.MicroTimestamp'))).toBe('timestamp');
  });

  it('MicroTimestamp beyond 2^53 stays exact', () => {
    const us = (parseJson('[10000000000000000]') as never[])[0]; // 2286-11-20 17:46:40
    expect(decodeValue(logical('int64', 'io.debezium.time.MicroTimestamp'), us, 'ts')).toBe('2286-11-20 17:46:40.000000');
  });

  it('maps Debezium\'s infinity sentinels to infinity', () => {
    const [pos, neg] = parseJson('[9223372036825200000,-9223372036832400000]') as never[];
    const s = logical('int64', 'io.debezium.time.MicroTimestamp');
    expect(decodeValue(s, pos, 'ts')).toBe('infinity');
    expect(decodeValue(s, neg, 'ts')).toBe('-infinity');
  });

  it('ZonedTimestamp and ZonedTime pass through as text', () => {
    expect(decodeValue(logical('string', 'io.debezium.time.ZonedTimestamp'), '2024-01-15T10:30:00.000000Z', 'z')).toBe('2024-01-15T10:30:00.000000Z');
    expect(decodeValue(logical('string', 'io.debezium.time.ZonedTimestamp'), '+10000-01-01T00:00:00Z', 'z')).toBe('10000-01-01T00:00:00Z');
    expect(decodeValue(logical('string', 'io.debezium.time.ZonedTime'), '11:51:30.123789Z', 'z')).toBe('11:51:30.123789Z');
    expect(columnTypeFor(logical('string', 'io.debezium.time.ZonedTimestamp'))).toBe('timestamptz');
    expect(columnTypeFor(logical('string', 'io.debezium.time.ZonedTime'))).toBe('timetz');
  });

  it('MicroDuration as seconds, Interval as ISO text', () => {
    expect(decodeValue(logical('int64', 'io.debezium.time.MicroDuration'), 37091106780000, 'i')).toBe('37091106.780000 seconds');
    expect(decodeValue(logical('int64', 'io.debezium.time.MicroDuration'), -1500000, 'i')).toBe('-1.500000 seconds');
    expect(decodeValue(logical('string', 'io.debezium.time.Interval'), 'P1Y2M3DT4H5M6.78S', 'i')).toBe('P1Y2M3DT4H5M6.78S');
    expect(columnTypeFor(logical('int64', 'io.debezium.time.MicroDuration'))).toBe('interval');
  });
});

describe('string-based logical types', () => {
  it('Json, Uuid, Enum, Xml', () => {
    expect(decodeValue(logical('string', 'io.debezium.data.Json'), '["vip", "new"]', 'j')).toBe('["vip", "new"]');
    expect(decodeValue(logical('string', 'io.debezium.data.Uuid'), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'u')).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(decodeValue(logical('string', 'io.debezium.data.Enum', { allowed: 'a,b' }), 'b', 'e')).toBe('b');
    expect(columnTypeFor(logical('string', 'io.debezium.data.Json'))).toBe('json');
    expect(columnTypeFor(logical('string', 'io.debezium.data.Uuid'))).toBe('uuid');
    expect(columnTypeFor(logical('string', 'io.debezium.data.Enum'))).toBe('text');
    expect(columnTypeFor(logical('string', 'io.debezium.data.Xml'))).toBe('xml');
  });

  it('honours a propagated source column type', () => {
    const s: ConnectSchema = { type: 'string', name: 'io.debezium.data.Json', parameters: { '__debezium.source.column.type': 'JSONB' } };
    expect(columnTypeFor(s)).toBe('jsonb');
    const v: ConnectSchema = { type: 'string', parameters: { '__debezium.source.column.type': 'VARCHAR', '__debezium.source.column.length': '255' } };
    expect(columnTypeFor(v)).toBe('varchar(255)');
    const evil: ConnectSchema = { type: 'string', parameters: { '__debezium.source.column.type': 'text); DROP TABLE x; --' } };
    expect(columnTypeFor(evil)).toBe('text');
  });
});

describe('primitive types', () => {
  it('checks integer ranges and keeps int64 exact', () => {
    expect(decodeValue({ type: 'int16' }, 1, 'i')).toBe(1);
    expect(() => decodeValue({ type: 'int16' }, 40000, 'i')).toThrow(/does not fit int16/);
    expect(() => decodeValue({ type: 'int32' }, 1.5, 'i')).toThrow(/expected an integer/);
    expect(() => decodeValue({ type: 'int32' }, 'abc', 'i')).toThrow(/expected an integer/);
    const big = (parseJson('[9223372036854775807]') as never[])[0];
    expect(decodeValue({ type: 'int64' }, big, 'i')).toBe('9223372036854775807');
  });

  it('floats, including Jackson\'s non-finite strings', () => {
    expect(decodeValue({ type: 'double' }, 4.44, 'f')).toBe(4.44);
    expect(decodeValue({ type: 'float' }, 'NaN', 'f')).toBe('NaN');
    expect(() => decodeValue({ type: 'double' }, 'x', 'f')).toThrow(/expected a number/);
  });

  it('booleans, strings and bytes', () => {
    expect(decodeValue({ type: 'boolean' }, true, 'b')).toBe(true);
    expect(() => decodeValue({ type: 'boolean' }, 'true', 'b')).toThrow(/boolean/);
    expect(decodeValue({ type: 'string' }, 'ab  ', 's')).toBe('ab  ');
    expect(() => decodeValue({ type: 'string' }, 5, 's')).toThrow(/string/);
    expect(decodeValue({ type: 'bytes' }, 'AQID', 'b')).toEqual(Buffer.from([1, 2, 3]));
    expect(columnTypeFor({ type: 'bytes' })).toBe('bytea');
  });

  it('Bits from little-endian bytes', () => {
    expect(decodeValue(logical('bytes', 'io.debezium.data.Bits', { length: '3' }), Buffer.from([0b101]).toString('base64'), 'b')).toBe('101');
    expect(decodeValue(logical('bytes', 'io.debezium.data.Bits', { length: '10' }), Buffer.from([0x01, 0x02]).toString('base64'), 'b')).toBe('1000000001');
  });

  it('nulls: optional fields are null, required ones are an error unless they have a default', () => {
    expect(decodeValue({ type: 'string', optional: true }, null, 'n')).toBeNull();
    expect(() => decodeValue({ type: 'string', optional: false }, null, 'after.name')).toThrow(/after\.name: null for a required field/);
    expect(decodeValue({ type: 'int32', optional: false, default: 0 }, undefined, 'id')).toBe(0);
  });
});

describe('arrays, maps and structs', () => {
  it('decodes array elements by their schema', () => {
    expect(decodeValue({ type: 'array', items: { type: 'int32', optional: true } }, [1, 2, null], 'a')).toEqual([1, 2, null]);
    expect(decodeValue({ type: 'array', items: logical('int32', 'io.debezium.time.Date') }, [17109], 'a')).toEqual(['2016-11-04']);
    expect(columnTypeFor({ type: 'array', items: { type: 'string' } })).toBe('text[]');
    expect(columnTypeFor({ type: 'array', items: decimal(2, 10) })).toBe('numeric(10, 2)[]');
    expect(() => decodeValue({ type: 'array', items: { type: 'int32' } }, [1, 'x'], 'a')).toThrow(/a\[1\]/);
  });

  it('writes maps and plain structs as JSON text', () => {
    expect(decodeValue({ type: 'map', keys: { type: 'string' }, values: { type: 'string' } }, { k: 'v' }, 'm')).toBe('{"k":"v"}');
    expect(columnTypeFor({ type: 'map' })).toBe('jsonb');
  });
});

describe('schemaless inference', () => {
  it('infers conservatively', () => {
    expect(inferColumnType(1)).toBe('bigint');
    expect(inferColumnType(1.5)).toBe('double precision');
    expect(inferColumnType('x')).toBe('text');
    expect(inferColumnType(true)).toBe('boolean');
    expect(inferColumnType({ a: 1 })).toBe('jsonb');
    expect(inferColumnType([1])).toBe('jsonb');
    expect(inferColumnType(null)).toBeNull();
    expect(inferColumnType((parseJson('[99999999999999999999]') as never[])[0]!)).toBe('numeric');
  });

  it('widens mixed types to one that holds both', () => {
    expect(widenColumnType('bigint', 'double precision')).toBe('numeric');
    expect(widenColumnType(null, 'text')).toBe('text');
    expect(widenColumnType('bigint', 'text')).toBe('text');
    expect(widenColumnType('jsonb', 'text')).toBe('jsonb');
  });
});
