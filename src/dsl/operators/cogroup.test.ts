import { describe, expect, it } from 'vitest';
import { Serdes } from '../../serde/serdes.js';
import { TopologyTestDriver } from '../../testing/topology-test-driver.js';
import { strings } from '../../testing/test-kit.js';
import { StreamsBuilder } from '../streams-builder.js';

describe('cogroup', () => {
  it('aggregates several grouped streams into one store, each with its own aggregator', () => {
    const b = new StreamsBuilder();
    const clicks = b.stream('clicks', strings).groupByKey();
    const views = b.stream('views', strings).groupByKey();
    clicks
      .cogroup((_, _v, agg: string) => `${agg}c`)
      .cogroup(views, (_, _v, agg) => `${agg}v`)
      .aggregate(() => '', { storeName: 'activity', value: Serdes.string() })
      .toStream()
      .to('out');
    const topology = b.build();
    expect([...topology.nodes.keys()].filter((n) => n.startsWith('COGROUP'))).toEqual([
      'COGROUPKSTREAM-AGGREGATE-0000000002',
      'COGROUPKSTREAM-AGGREGATE-0000000003',
      'COGROUPKSTREAM-MERGE-0000000004',
    ]);
    expect(topology.subtopologies).toHaveLength(1);
    const driver = new TopologyTestDriver(topology, { initialWallClockTime: 0 });
    const c = driver.createInputTopic('clicks', Serdes.string(), Serdes.string());
    const v = driver.createInputTopic('views', Serdes.string(), Serdes.string());
    const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
    c.pipeInput('u', 'x', 1);
    v.pipeInput('u', 'x', 2);
    c.pipeInput('u', 'x', 3);
    expect(out.readKeyValuesToList()).toEqual([['u', 'c'], ['u', 'cv'], ['u', 'cvc']]);
    expect(driver.getKeyValueStore<string, string>('activity').get('u')).toBe('cvc');
  });

  it('repartitions each marked input separately', () => {
    const b = new StreamsBuilder();
    const a = b.stream('a', strings).selectKey((_, v) => v).groupByKey({ key: Serdes.string() });
    const c = b.stream('c', strings).selectKey((_, v) => v).groupByKey({ key: Serdes.string() });
    a.cogroup((_, _v, n: number) => n + 1)
      .cogroup(c, (_, _v, n) => n + 10)
      .aggregate(() => 0, { value: Serdes.long() });
    expect(b.build().repartitionTopics.map((t) => t.topic)).toEqual([
      'COGROUPKSTREAM-AGGREGATE-STATE-STORE-0000000004-0-repartition',
      'COGROUPKSTREAM-AGGREGATE-STATE-STORE-0000000004-1-repartition',
    ]);
  });
});
