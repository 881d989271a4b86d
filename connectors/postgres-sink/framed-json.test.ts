import { describe, expect, it } from 'vitest';
import { FramedJsonCache, parseConverterText } from './framed-json.js';
import { LosslessNumber } from './json.js';

const schema = { type: 'struct', fields: [{ type: 'int64', optional: false, field: 'id' }], optional: false, name: 's.Key' };
const text = (payload: string, s: object = schema) => `{"schema":${JSON.stringify(s)},"payload":${payload}}`;

describe('FramedJsonCache', () => {
  it('parses the whole text the first time and only the payload once the schema is known', () => {
    const cache = new FramedJsonCache();
    const first = parseConverterText(text('{"id":1}'), cache);
    expect(first).toEqual({ value: { schema, payload: { id: 1 } } });
    const second = parseConverterText(text('{"id":2}'), cache);
    expect(second).toEqual({ schema, payload: { id: 2 } });
  });

  it('keeps int64 payload values exact on the fast path', () => {
    const cache = new FramedJsonCache();
    parseConverterText(text('{"id":1}'), cache);
    const fast = parseConverterText(text('{"id":9007199254740993}'), cache);
    expect('schema' in fast && fast.payload).toEqual({ id: new LosslessNumber('9007199254740993') });
  });

  it('falls back to a full parse for anything but schema, payload and the closing brace', () => {
    const cache = new FramedJsonCache();
    parseConverterText(text('{"id":1}'), cache);
    expect(cache.parse(`${text('{"id":1}').slice(0, -1)},"extra":1}`)).toBeUndefined();
    expect(cache.parse(text('{"id":1}', { ...schema, name: 'other.Key' }))).toBeUndefined();
    expect(cache.parse(`{"schema": ${JSON.stringify(schema)}, "payload": {"id":1}}`)).toBeUndefined();
    expect(() => parseConverterText(`${text('{"id":1}').slice(0, -1)},"extra":}`, cache)).toThrow();
  });

  it('does not remember a schema that is not a valid Connect schema', () => {
    const cache = new FramedJsonCache();
    const bad = { type: 'no-such-type' };
    parseConverterText(text('{"id":1}', bad), cache);
    expect(cache.parse(text('{"id":2}', bad))).toBeUndefined();
  });
});
