import { describe, expect, it } from 'vitest';
import { combinedKey, combinedKeyPrefix, splitCombinedKey } from './fk-join-combined-key.js';

// Layout checked against Kafka Streams 4.3.1's CombinedKeySchema: ("c1", "o1") is 00000002 'c1' 'o1'.
describe('foreign-key join subscription store keys', () => {
  it('lays out the foreign key length, the foreign key, then the primary key', () => {
    expect(combinedKey(Buffer.from('c1'), Buffer.from('o1')).toString('hex')).toBe('0000000263316f31');
  });

  it('all subscribers of one foreign key share its prefix, and a longer foreign key with the same start does not', () => {
    const prefix = combinedKeyPrefix(Buffer.from('c1'));
    expect(combinedKey(Buffer.from('c1'), Buffer.from('o9')).subarray(0, prefix.length)).toEqual(prefix);
    expect(combinedKey(Buffer.from('c12'), Buffer.from('o9')).subarray(0, prefix.length)).not.toEqual(prefix);
  });

  it('splits back into both keys and refuses a key whose length does not fit', () => {
    expect(splitCombinedKey(combinedKey(Buffer.from('c1'), Buffer.from('o1')))).toEqual({
      foreignKey: Buffer.from('c1'),
      primaryKey: Buffer.from('o1'),
    });
    expect(() => splitCombinedKey(Buffer.from('00000009aa', 'hex'))).toThrow(/9-byte foreign key in 5 bytes/);
  });
});
