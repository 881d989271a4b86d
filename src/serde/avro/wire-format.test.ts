import { describe, expect, it } from 'vitest';
import { bodyOf, frame, schemaIdOf } from './wire-format.js';

describe('schema registry wire format', () => {
  it('frames a body as magic byte 0, a 4-byte big-endian schema id and the body', () => {
    const framed = frame(0x01020304, Buffer.from([0xaa, 0xbb]));
    expect([...framed]).toEqual([0, 1, 2, 3, 4, 0xaa, 0xbb]);
    expect(schemaIdOf(framed)).toBe(0x01020304);
    expect([...bodyOf(framed)]).toEqual([0xaa, 0xbb]);
  });

  it('reads ids above 2^31 as unsigned', () => {
    expect(schemaIdOf(frame(0xfffffffe, Buffer.alloc(0)))).toBe(0xfffffffe);
  });

  it('rejects bytes without the magic byte or too short for a header', () => {
    expect(schemaIdOf(Buffer.from('{"a":1}'))).toBeUndefined();
    expect(schemaIdOf(Buffer.from([0, 0, 0, 1]))).toBeUndefined();
    expect(schemaIdOf(Buffer.alloc(0))).toBeUndefined();
  });
});
