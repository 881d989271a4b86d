import { describe, expect, it } from 'vitest';
import { HyperLogLog, murmur3 } from './hyperloglog.js';

describe('murmur3', () => {
  it('matches the reference MurmurHash3 x86_32 vectors (seed 0)', () => {
    expect(murmur3('')).toBe(0);
    expect(murmur3('hello')).toBe(0x248bfa47);
    expect(murmur3('Hello, world!')).toBe(0xc0363e43);
    expect(murmur3('The quick brown fox jumps over the lazy dog')).toBe(0x2e4ff723);
  });
});

describe('HyperLogLog', () => {
  it('counts small sets exactly enough and ignores duplicates', () => {
    let s = HyperLogLog.empty();
    expect(s.estimate()).toBe(0);
    for (const u of ['a', 'b', 'c', 'a', 'b', 'a']) s = s.add(u);
    expect(s.estimate()).toBe(3);
  });

  it('estimates large cardinalities within a few standard errors', () => {
    let s = HyperLogLog.empty(10);
    for (let i = 0; i < 50_000; i++) s = s.add(`user-${i % 20_000}`);
    const error = Math.abs(s.estimate() - 20_000) / 20_000;
    expect(error).toBeLessThan(0.1);
  });

  it('merges as a set union and round-trips through JSON', () => {
    let a = HyperLogLog.empty(8);
    let b = HyperLogLog.empty(8);
    for (let i = 0; i < 100; i++) a = a.add(`x${i}`);
    for (let i = 50; i < 150; i++) b = b.add(`x${i}`);
    const union = a.merge(b);
    expect(Math.abs(union.estimate() - 150)).toBeLessThan(15);
    const copy = HyperLogLog.fromJSON(JSON.parse(JSON.stringify(union)) as never);
    expect(copy.estimate()).toBe(union.estimate());
    expect(() => a.merge(HyperLogLog.empty(9))).toThrow(/precision/);
  });

  it('is immutable', () => {
    const empty = HyperLogLog.empty();
    empty.add('a');
    expect(empty.estimate()).toBe(0);
  });
});
