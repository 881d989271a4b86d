import { describe, expect, it } from 'vitest';
import { javaDoubleToString, javaFloatToString } from './java-numbers.js';
import { quote, toConnectJson, valueJson } from './json-converter.js';

describe('JsonConverter details', () => {
  it.each([
    [1, '1.0'], [4.44, '4.44'], [1e10, '1.0E10'], [1.5e-5, '1.5E-5'], [0.001, '0.001'], [1234567.5, '1234567.5'], [12345678, '1.2345678E7'],
    [-2.5, '-2.5'], [0, '0.0'], [-0, '-0.0'], [NaN, 'NaN'], [Infinity, 'Infinity'],
  ])('Double.toString(%d) = %s', (v, s) => expect(javaDoubleToString(v)).toBe(s));

  it('prints float32 values with the shortest float digits', () => {
    expect(javaFloatToString(3.3)).toBe('3.3');
    expect(javaFloatToString(Math.fround(0.1))).toBe('0.1');
    expect(javaFloatToString(1e20)).toBe('1.0E20');
  });

  it('escapes strings like Jackson', () => {
    expect(quote('a"b\\c\n\t\u0001\u001f\u007f é')).toBe('"a\\"b\\\\c\\n\\t\\u0001\\u001F\u007f é"');
  });

  it('writes int64 exactly, bytes as Base64, defaults for nulls and tombstones as null bytes', () => {
    expect(valueJson({ type: 'int64', optional: false }, 9223372036854775807n, '')).toBe('9223372036854775807');
    expect(valueJson({ type: 'bytes', optional: false }, new Uint8Array([1, 2, 3]), '')).toBe('"AQID"');
    expect(valueJson({ type: 'string', optional: true, default: 'false' }, null, '')).toBe('"false"');
    expect(valueJson({ type: 'double', optional: true }, NaN, '')).toBe('"NaN"');
    expect(toConnectJson(null, null, { schemasEnable: true })).toBeNull();
    expect(() => valueJson({ type: 'int32', optional: false }, null, 'x.y')).toThrow(/null value for required field x.y/);
    expect(() => valueJson({ type: 'int32', optional: false }, 'nope', 'f')).toThrow(/does not match schema type int32 at f/);
  });

  it('writes map and array schemas in Connect key order', () => {
    const schema = { type: 'map' as const, optional: true, keys: { type: 'string' as const, optional: false }, values: { type: 'string' as const, optional: true } };
    expect(toConnectJson(schema, new Map([['a', '1']]), { schemasEnable: true })!.toString()).toBe(
      '{"schema":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"string","optional":true},"optional":true},"payload":{"a":"1"}}',
    );
  });

  it('writes a new schema block once the table schema is rebuilt, and the same block for every event until then', () => {
    const before = { type: 'struct' as const, optional: false, name: 't.Key', fields: [{ name: 'id', schema: { type: 'int32' as const, optional: false } }] };
    const after = { ...before, fields: [...before.fields, { name: 'tenant', schema: { type: 'string' as const, optional: true } }] };
    const first = toConnectJson(before, { id: 1 }, { schemasEnable: true })!.toString();
    expect(toConnectJson(before, { id: 2 }, { schemasEnable: true })!.toString()).toBe(first.replace('"payload":{"id":1}', '"payload":{"id":2}'));
    expect(toConnectJson(after, { id: 3, tenant: 'a' }, { schemasEnable: true })!.toString()).toBe(
      '{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},{"type":"string","optional":true,"field":"tenant"}],"optional":false,"name":"t.Key"},"payload":{"id":3,"tenant":"a"}}',
    );
  });
});
