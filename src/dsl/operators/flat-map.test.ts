import { describe, expect, it } from 'vitest';
import { Serdes } from '../../serde/serdes.js';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, stringStream } from '../../testing/test-kit.js';

describe('flatMap', () => {
  it('emits zero or more records per input, all with the input timestamp', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .flatMap((k, v) => v.split(' ').filter((w) => w.length > 0).map((w) => [w, k] as const))
      .to('out', { key: Serdes.string(), value: Serdes.string() });
    expect(runThrough(b, [['a', 'x y', 4], ['b', '', 5], ['c', 'z', 6]]).records).toEqual([
      ['x', 'a', 4],
      ['y', 'a', 4],
      ['z', 'c', 6],
    ]);
  });

  it('marks the stream for repartitioning', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .flatMap((k, v) => [[v, k] as const])
      .toTable({ key: Serdes.string(), value: Serdes.string() });
    expect(b.build().repartitionTopics.map((t) => t.topic)).toEqual(['KSTREAM-TOTABLE-0000000002-repartition']);
  });
});
