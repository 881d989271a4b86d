import { describe, expect, it } from 'vitest';
import { Serdes } from '../../serde/serdes.js';
import { TopologyTestDriver } from '../../testing/topology-test-driver.js';
import { StreamsBuilder } from '../streams-builder.js';
import { strings } from '../../testing/test-kit.js';

describe('merge', () => {
  it('forwards the records of both inputs in arrival order', () => {
    const b = new StreamsBuilder();
    const left = b.stream('left', strings);
    const right = b.stream('right', strings);
    left.merge(right).to('out');
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    const l = driver.createInputTopic('left', Serdes.string(), Serdes.string());
    const r = driver.createInputTopic('right', Serdes.string(), Serdes.string());
    const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
    l.pipeInput('a', 'l1', 1);
    r.pipeInput('b', 'r1', 2);
    l.pipeInput('c', 'l2', 3);
    expect(out.readKeyValuesToList()).toEqual([['a', 'l1'], ['b', 'r1'], ['c', 'l2']]);
  });

  it('is marked for repartitioning when either input is', () => {
    const b = new StreamsBuilder();
    const left = b.stream('left', strings).selectKey((_, v) => v);
    const right = b.stream('right', strings);
    right.merge(left).groupByKey().count();
    expect(b.build().repartitionTopics).toHaveLength(1);
  });
});
