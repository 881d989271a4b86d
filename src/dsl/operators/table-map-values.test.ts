import { describe, expect, it } from 'vitest';
import { Serdes } from '../../serde/serdes.js';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, strings } from '../../testing/test-kit.js';

describe('KTable mapValues', () => {
  it('maps new values; deletes stay deletes', () => {
    const b = new StreamsBuilder();
    b.table('in', strings)
      .mapValues((v, k) => `${k}=${v.length}`)
      .toStream()
      .to('out', { value: Serdes.string() });
    expect(runThrough(b, [['a', 'xyz', 1], ['a', null, 2]]).records).toEqual([
      ['a', 'a=3', 1],
      ['a', null, 2],
    ]);
  });

  it('maps old values too when a downstream groupBy needs them', () => {
    const b = new StreamsBuilder();
    b.table('in', strings)
      .mapValues((v) => v.toUpperCase())
      .groupBy((k, v) => [v, k], strings)
      .count()
      .toStream()
      .to('out', { value: Serdes.long() });
    expect(runThrough<string, number>(b, [['k', 'a', 1], ['k', 'b', 2]], { value: Serdes.long() }).records).toEqual([
      ['A', 1, 1],
      ['A', 0, 2],
      ['B', 1, 2],
    ]);
  });
});
