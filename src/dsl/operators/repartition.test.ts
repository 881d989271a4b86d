import { describe, expect, it } from 'vitest';
import { Serdes } from '../../serde/serdes.js';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, stringStream } from '../../testing/test-kit.js';

describe('repartition', () => {
  it('writes through <app>-<name>-repartition and reads it back; the result is not marked', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .selectKey((_, v) => v)
      .repartition({ name: 'by-value', key: Serdes.string(), partitions: 4 })
      .groupByKey()
      .count()
      .toStream()
      .to('out', { value: Serdes.long() });
    const topology = b.build();
    expect(topology.repartitionTopics).toEqual([{ topic: 'by-value-repartition', partitions: 4 }]);
    const { records, driver } = runThrough<string, number>(b, [['a', 'x', 1], ['b', 'x', 2]], { value: Serdes.long() });
    expect(records).toEqual([['x', 1, 1], ['x', 2, 2]]);
    expect(driver.createOutputTopic('test-app-by-value-repartition', Serdes.string(), Serdes.string()).readKeyValuesToList()).toEqual([
      ['x', 'x'],
      ['x', 'x'],
    ]);
  });

  it('generates a KSTREAM-REPARTITION name when none is given', () => {
    const b = new StreamsBuilder();
    stringStream(b).repartition().to('out');
    expect(b.build().repartitionTopics.map((t) => t.topic)).toEqual(['KSTREAM-REPARTITION-0000000001-repartition']);
  });
});
