import { describe, expect, it } from 'vitest';
import { mapColumnType, type PgType, type TypeMappingOptions } from './column-types.js';
import { valueJson, schemaJson } from '../connect/json-converter.js';
import { parseArrayLiteral } from './array-literal.js';
import { twosComplementBytes, parseDecimal, stripTrailingZeros } from './numeric.js';

const OPTS: TypeMappingOptions = {
  decimalHandlingMode: 'precise', timePrecisionMode: 'adaptive', binaryHandlingMode: 'bytes', intervalHandlingMode: 'numeric',
  hstoreHandlingMode: 'json', moneyFractionDigits: 2, unavailableValuePlaceholder: '__debezium_unavailable_value',
};
const base = (name: string): PgType => ({ oid: 0, name, category: 'base' });
const arr = (name: string): PgType => ({ oid: 0, name: `_${name}`, category: 'array', element: base(name) });

/** JSON payload text of one PG text value through the mapping. */
function json(type: PgType, typmod: number, text: string, opts: Partial<TypeMappingOptions> = {}): string {
  const m = mapColumnType(type, typmod, { ...OPTS, ...opts });
  if (m === null) throw new Error('unmapped');
  return valueJson(m.schema, m.convert(text), '');
}
function schema(type: PgType, typmod: number, opts: Partial<TypeMappingOptions> = {}): string {
  const m = mapColumnType(type, typmod, { ...OPTS, ...opts });
  return m === null ? 'omitted' : schemaJson(m.schema);
}
const numTypmod = (p: number, s: number) => ((p << 16) | s) + 4;

describe('PostgreSQL -> Connect type table', () => {
  it.each([
    ['bool', -1, 't', 'true'],
    ['int2', -1, '1', '1'],
    ['int4', -1, '123456', '123456'],
    ['int8', -1, '9223372036854775807', '9223372036854775807'],
    ['oid', -1, '4294967295', '4294967295'],
    ['float4', -1, '3.3', '3.3'],
    ['float8', -1, '4.44', '4.44'],
    ['float8', -1, '1e+10', '1.0E10'],
    ['float8', -1, 'NaN', '"NaN"'],
    ['float8', -1, '-Infinity', '"-Infinity"'],
    ['text', -1, 'a"b\n', '"a\\"b\\n"'],
    ['bpchar', 8, 'ab  ', '"ab  "'],
    ['uuid', -1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"'],
    ['jsonb', -1, '{"bar": "baz"}', '"{\\"bar\\": \\"baz\\"}"'],
    ['bytea', -1, '\\x010203', '"AQID"'],
    ['date', -1, '2016-11-04', '17109'],
    ['date', -1, '1969-12-31', '-1'],
    ['time', -1, '13:51:30', '49890000000'],
    ['time', -1, '24:00:00', '86400000000'],
    ['time', 3, '13:51:30.123', '49890123'],
    ['timetz', -1, '13:51:30.123789+02', '"11:51:30.123789Z"'],
    ['timetz', -1, '13:51:30.123+02', '"11:51:30.123Z"'],
    ['timestamp', -1, '2016-11-04 13:51:30.123456', '1478267490123456'],
    ['timestamp', 3, '2016-11-04 13:51:30.123', '1478267490123'],
    ['timestamp', -1, 'infinity', '9223372036825200000'],
    ['timestamp', -1, '-infinity', '-9223372036832400000'],
    ['timestamptz', -1, '2016-11-04 13:51:30.123456+02', '"2016-11-04T11:51:30.123456Z"'],
    ['timestamptz', -1, '2020-04-01 11:51:02+00', '"2020-04-01T11:51:02.000000Z"'],
    ['timestamptz', 3, '2020-04-01 11:51:02.5+00', '"2020-04-01T11:51:02.500Z"'],
    ['timestamptz', -1, '10000-01-01 00:00:00+00', '"+10000-01-01T00:00:00.000000Z"'],
    ['timestamptz', -1, 'infinity', '"infinity"'],
    ['interval', -1, 'P1Y2M3DT4H5M6.78S', '37091106780000'],
    ['interval', -1, 'PT-1S', '-1000000'],
    ['inet', -1, '192.168.2.0/12', '"192.168.2.0/12"'],
    ['int4range', -1, '[1,5)', '"[1,5)"'],
    ['money', -1, '$1,234.11', '"AeIT"'],
    ['money', -1, '-$0.01', '"/w=="'],
  ])('%s(%i) %s -> %s', (name, typmod, text, expected) => {
    expect(json(base(name), typmod, text)).toBe(expected);
  });

  it('numeric in the three decimal handling modes', () => {
    expect(json(base('numeric'), numTypmod(10, 2), '1234.50')).toBe('"AeI6"');
    expect(json(base('numeric'), numTypmod(3, 2), '1.1')).toBe('"bg=="'); // rescaled to 1.10
    expect(json(base('numeric'), numTypmod(10, 2), '-1.00')).toBe('"nA=="');
    expect(json(base('numeric'), -1, '10.1111')).toBe('{"scale":4,"value":"AYr3"}');
    expect(json(base('numeric'), -1, '100.00')).toBe('{"scale":-2,"value":"AQ=="}');
    expect(json(base('numeric'), numTypmod(6, 4), '22.2200', { decimalHandlingMode: 'double' })).toBe('22.22');
    expect(json(base('numeric'), numTypmod(6, 4), '22.2200', { decimalHandlingMode: 'string' })).toBe('"22.2200"');
    expect(json(base('numeric'), -1, 'NaN', { decimalHandlingMode: 'string' })).toBe('"NAN"');
    expect(json(base('numeric'), numTypmod(38, 0), '99999999999999999999999999999999999999')).toBe(
      `"${Buffer.from(twosComplementBytes(99999999999999999999999999999999999999n)).toString('base64')}"`,
    );
    expect(schema(base('numeric'), numTypmod(10, 2))).toBe(
      '{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"10"}}',
    );
    expect(schema(base('numeric'), -1)).toBe(
      '{"type":"struct","fields":[{"type":"int32","optional":false,"field":"scale"},{"type":"bytes","optional":false,"field":"value"}],"optional":false,"name":"io.debezium.data.VariableScaleDecimal","version":1,"doc":"Variable scaled decimal"}',
    );
  });

  it('two\'s complement bytes match Java BigInteger.toByteArray', () => {
    const hex = (v: bigint) => Buffer.from(twosComplementBytes(v)).toString('hex');
    expect([0n, 127n, 128n, -1n, -128n, -129n, 123450n].map(hex)).toEqual(['00', '7f', '0080', 'ff', '80', 'ff7f', '01e23a']);
    expect(stripTrailingZeros(parseDecimal('0.000'))).toEqual({ unscaled: 0n, scale: 0 });
  });

  it('time.precision.mode adaptive_time_microseconds and connect', () => {
    expect(schema(base('time'), 3, { timePrecisionMode: 'adaptive_time_microseconds' })).toContain('io.debezium.time.MicroTime');
    expect(json(base('time'), -1, '13:51:30.123456', { timePrecisionMode: 'connect' })).toBe('49890123');
    expect(schema(base('timestamp'), -1, { timePrecisionMode: 'connect' })).toContain('org.apache.kafka.connect.data.Timestamp');
    expect(json(base('timestamp'), -1, '1969-12-31 23:59:59.9995', { timePrecisionMode: 'connect' })).toBe('-1');
    expect(schema(base('date'), -1, { timePrecisionMode: 'connect' })).toContain('org.apache.kafka.connect.data.Date');
  });

  it('binary handling modes', () => {
    expect(json(base('bytea'), -1, '\\xfbff', { binaryHandlingMode: 'base64' })).toBe('"+/8="');
    expect(json(base('bytea'), -1, '\\xfbff', { binaryHandlingMode: 'base64-url-safe' })).toBe('"-_8="');
    expect(json(base('bytea'), -1, '\\x010203', { binaryHandlingMode: 'hex' })).toBe('"010203"');
    expect(schema(base('bytea'), -1, { binaryHandlingMode: 'hex' })).toBe('{"type":"string","optional":false}');
  });

  it('arrays, enums, bits, hstore and unknown types', () => {
    expect(json(arr('int4'), -1, '{1,2,NULL}')).toBe('[1,2,null]');
    expect(json(arr('text'), -1, '{one,"two, three","a\\"q"}')).toBe('["one","two, three","a\\"q"]');
    expect(json(arr('date'), -1, '{2016-11-04}')).toBe('[17109]');
    expect(schema(arr('text'), -1)).toBe('{"type":"array","items":{"type":"string","optional":true},"optional":false}');
    expect(schema(arr('money'), -1)).toBe('omitted');
    expect(schema(base('tsvector'), -1)).toBe('omitted');
    const mood: PgType = { oid: 1, name: 'mood', category: 'enum', enumLabels: ['sad', 'ok', 'happy'] };
    expect(schema(mood, -1)).toBe('{"type":"string","optional":false,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"sad,ok,happy"}}');
    expect(json(base('bit'), 1, '1')).toBe('true');
    expect(json(base('bit'), 10, '1000000001')).toBe('"AQI="');
    expect(json(base('hstore'), -1, '"a"=>"1", "b"=>NULL')).toBe('"{\\"a\\":\\"1\\",\\"b\\":null}"');
    expect(parseArrayLiteral('{}')).toEqual([]);
  });
});
