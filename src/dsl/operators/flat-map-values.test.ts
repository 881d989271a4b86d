import { describe, expect, it } from 'vitest';
import { Serdes } from '../../serde/serdes.js';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, stringStream } from '../../testing/test-kit.js';

describe('flatMapValues', () => {
  it('emits each value with the input key and timestamp', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .flatMapValues((v) => v.split(','))
      .to('out', { value: Serdes.string() });
    expect(runThrough(b, [['k', 'a,b', 9]]).records).toEqual([['k', 'a', 9], ['k', 'b', 9]]);
  });

  it('does not mark for repartitioning', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .flatMapValues((v) => [v])
      .toTable();
    expect(b.build().repartitionTopics).toEqual([]);
  });
});
