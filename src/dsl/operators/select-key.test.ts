import { describe, expect, it } from 'vitest';
import { Serdes } from '../../serde/serdes.js';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, stringStream } from '../../testing/test-kit.js';

describe('selectKey', () => {
  it('replaces the key and keeps value and timestamp', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .selectKey((_, v) => v.charAt(0))
      .to('out', { key: Serdes.string() });
    expect(runThrough(b, [['a', 'xy', 2]]).records).toEqual([['x', 'xy', 2]]);
  });

  it('marks the stream; the repartition path drops null keys before the sink', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .selectKey((_, v) => (v === 'none' ? (null as unknown as string) : v))
      .groupByKey({ key: Serdes.string() })
      .count()
      .toStream()
      .to('out', { value: Serdes.long() });
    const { records, driver } = runThrough<string, number>(b, [['a', 'none', 1], ['b', 'v', 2]], { value: Serdes.long() });
    expect(records).toEqual([['v', 1, 2]]);
    expect(driver.droppedRecords).toBe(0);
  });
});
