import { describe, expect, it } from 'vitest';
import { Serdes } from '../../serde/serdes.js';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, stringStream } from '../../testing/test-kit.js';

describe('mapValues', () => {
  it('maps the value with (value, key), keeping key and timestamp', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .mapValues((v, k) => `${k}:${v}`)
      .to('out', { value: Serdes.string() });
    expect(runThrough(b, [['a', 'x', 3]]).records).toEqual([['a', 'a:x', 3]]);
  });

  it('keeps the key serde and does not mark for repartitioning', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .mapValues((v) => v.length)
      .groupByKey({ value: Serdes.long() })
      .reduce((a, v) => a + v)
      .toStream()
      .to('out', { value: Serdes.long() });
    const topology = b.build();
    expect(topology.repartitionTopics).toEqual([]);
    expect(runThrough<string, number>(b, [['a', 'xx', 1], ['a', 'yyy', 2]], { value: Serdes.long() }).records).toEqual([
      ['a', 2, 1],
      ['a', 5, 2],
    ]);
  });
});
