import { describe, expect, it } from 'vitest';
import { Serdes } from '../../serde/serdes.js';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, stringStream } from '../../testing/test-kit.js';

describe('map', () => {
  it('replaces key and value and keeps the timestamp', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .map((k, v) => [v, k.toUpperCase()])
      .to('out', { key: Serdes.string(), value: Serdes.string() });
    expect(runThrough(b, [['a', 'x', 5], ['b', 'y', 7]]).records).toEqual([['x', 'A', 5], ['y', 'B', 7]]);
  });

  it('marks the stream: a following groupByKey aggregation reads through a repartition topic', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .map((k, v) => [v, k])
      .groupByKey({ key: Serdes.string(), value: Serdes.string() })
      .count()
      .toStream()
      .to('out', { value: Serdes.long() });
    const topology = b.build();
    expect(topology.repartitionTopics.map((t) => t.topic)).toEqual(['KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition']);
    expect(topology.subtopologies).toHaveLength(2);
    const { records, driver } = runThrough<string, number>(b, [['a', 'x', 1], ['b', 'x', 2]], { value: Serdes.long() });
    expect(records).toEqual([['x', 1, 1], ['x', 2, 2]]);
    expect(driver.producedTopicNames()).toContain('test-app-KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition');
  });

  it('loses the serdes: a sink without serdes is rejected at build time with a hint', () => {
    const b = new StreamsBuilder();
    stringStream(b).map((k, v) => [v.length, k]).to('out');
    expect(() => b.build()).toThrow(/no key serde is known.*to\(topic, \{ key, value \}\)/);
  });
});
