import { describe, expect, it } from 'vitest';
import { sameValueHash, valueHash } from './fk-join-value-hash.js';

// Expected halves printed by Kafka Streams 4.3.1's own Murmur3.hash128 (the hash its foreign-key join uses).
describe('foreign-key join value hash', () => {
  it('matches Kafka Streams for a short value (tail only)', () => {
    expect(valueHash(Buffer.from('hello'))).toEqual([3512725192710940516n, 6227047293690958278n]);
  });

  it('matches Kafka Streams for two full blocks and a tail of 8 bytes, with bytes above 0x7f', () => {
    const bytes = Buffer.alloc(40);
    for (let i = 0; i < 40; i++) bytes[i] = (i * 7 - 100) & 0xff;
    expect(valueHash(bytes)).toEqual([8003870423769575730n, 248438288538869230n]);
  });

  it('matches Kafka Streams for an empty value', () => {
    expect(valueHash(Buffer.alloc(0))).toEqual([-7122613646888064702n, -8341524471658347240n]);
  });

  it('compares hashes by value; null matches only null', () => {
    expect(sameValueHash(valueHash(Buffer.from('a')), valueHash(Buffer.from('a')))).toBe(true);
    expect(sameValueHash(valueHash(Buffer.from('a')), valueHash(Buffer.from('b')))).toBe(false);
    expect(sameValueHash(null, valueHash(Buffer.from('a')))).toBe(false);
    expect(sameValueHash(null, null)).toBe(true);
  });
});
