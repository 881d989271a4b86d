import { describe, expect, it } from 'vitest';
import { LosslessNumber, parseJson, stringifyJson } from './json.js';

describe('parseJson', () => {
  it('keeps integers beyond 2^53 exact', () => {
    const v = parseJson('{"ts_ns":1705314660512345000,"small":42,"f":1.5}') as Record<string, unknown>;
    expect(v['ts_ns']).toBeInstanceOf(LosslessNumber);
    expect((v['ts_ns'] as LosslessNumber).value).toBe('1705314660512345000');
    expect(v['small']).toBe(42);
    expect(v['f']).toBe(1.5);
  });

  it('uses plain numbers when nothing can lose precision', () => {
    expect(parseJson('[1,2.25,-3]')).toEqual([1, 2.25, -3]);
  });

  it('prints lossless numbers back exactly', () => {
    expect(stringifyJson(parseJson('{"a":9223372036854775807,"b":"x"}'))).toBe('{"a":9223372036854775807,"b":"x"}');
  });

  it('throws on malformed text', () => {
    expect(() => parseJson('{"a":')).toThrow();
    expect(() => parseJson('{"a":12345678901234567890')).toThrow();
  });
});

describe('parseJson fast path for long numbers', () => {
  it('leaves digits inside strings alone and keeps every long number exact', () => {
    const v = parseJson('{"s":"12345678901234567890","a":[-12345678901234567890,1.2345678901234567891],"n":{"x":"\\"q\\" 99999999999999999"}}');
    expect(stringifyJson(v)).toBe('{"s":"12345678901234567890","a":[-12345678901234567890,1.2345678901234567891],"n":{"x":"\\"q\\" 99999999999999999"}}');
    expect((v as { s: unknown }).s).toBe('12345678901234567890');
  });

  it('is not fooled by a string that spells its internal marker', () => {
    const v = parseJson('{"s":"\\u0000#1","n":12345678901234567890}') as Record<string, unknown>;
    expect(v['s']).toBe('\u0000#1');
    expect((v['n'] as LosslessNumber).value).toBe('12345678901234567890');
  });
});
