import { describe, expect, it } from 'vitest';
import { Serdes } from '../../serde/serdes.js';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, strings } from '../../testing/test-kit.js';

describe('KTable filter / filterNot', () => {
  it('turns a failing update into a tombstone and still forwards it (no old values)', () => {
    const b = new StreamsBuilder();
    b.table('in', strings)
      .filter((_, v) => v !== 'hide')
      .toStream()
      .to('out');
    expect(runThrough(b, [['a', 'show', 1], ['a', 'hide', 2], ['b', 'hide', 3]]).records).toEqual([
      ['a', 'show', 1],
      ['a', null, 2],
      ['b', null, 3],
    ]);
  });

  it('filters old values too, so a row leaving the filter is subtracted from its group', () => {
    const b = new StreamsBuilder();
    b.table('in', strings)
      .filterNot((_, v) => v.startsWith('x'))
      .groupBy((k, v) => [v, k], strings)
      .count()
      .toStream()
      .to('out', { value: Serdes.long() });
    const topology = b.build();
    expect(topology.sendsOldValues('KTABLE-FILTER-0000000003')).toBe(true);
    expect(topology.sendsOldValues('KTABLE-SOURCE-0000000002')).toBe(true);
    expect(runThrough<string, number>(b, [['k1', 'xa', 1], ['k1', 'b', 2], ['k1', 'xc', 3]], { value: Serdes.long() }).records).toEqual([
      ['b', 1, 2],
      ['b', 0, 3],
    ]);
  });
});
