import { describe, expect, it } from 'vitest';
import { resolveResponse } from './fk-join-response-resolution.js';
import { valueHash } from './fk-join-value-hash.js';

const ser = (v: string): Buffer => Buffer.from(v);
const hashOf = (v: string) => valueHash(ser(v));
const joiner = (l: string, r: string | null): string => `${l}+${r ?? 'null'}`;

describe('foreign-key join response resolution', () => {
  it('joins a fresh response with the current left value', () => {
    expect(resolveResponse({ originalValueHash: hashOf('v2'), foreignValue: 'R' }, 'v2', ser, joiner, false)).toEqual({
      stale: false,
      value: 'v2+R',
    });
  });

  it('drops a response sent for an older left value (out-of-order update)', () => {
    expect(resolveResponse({ originalValueHash: hashOf('v1'), foreignValue: 'R' }, 'v2', ser, joiner, false)).toEqual({
      stale: true,
    });
    expect(resolveResponse({ originalValueHash: hashOf('v1'), foreignValue: 'R' }, null, ser, joiner, true)).toEqual({
      stale: true,
    });
  });

  it('a fresh response without a right value is a tombstone in an inner join and a join with null in a left join', () => {
    const response = { originalValueHash: hashOf('v'), foreignValue: null };
    expect(resolveResponse(response, 'v', ser, joiner, false)).toEqual({ stale: false, value: null });
    expect(resolveResponse(response, 'v', ser, joiner, true)).toEqual({ stale: false, value: 'v+null' });
  });

  it('a response to a delete (no hash) is a tombstone while the left row stays deleted', () => {
    const response = { originalValueHash: null, foreignValue: null };
    expect(resolveResponse(response, null, ser, joiner, false)).toEqual({ stale: false, value: null });
    expect(resolveResponse(response, null, ser, joiner, true)).toEqual({ stale: false, value: null });
    expect(resolveResponse(response, 'back', ser, joiner, true)).toEqual({ stale: true });
  });
});
