import { describe, expect, it } from 'vitest';
import { Serdes } from '../../serde/serdes.js';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, strings } from '../../testing/test-kit.js';

describe('KTable groupBy + KGroupedTable aggregations', () => {
  it('count moves a row between groups: subtract from the old group, then add to the new (C13 raw output)', () => {
    const b = new StreamsBuilder();
    b.table('in', strings)
      .groupBy((k, v) => [v, k], strings)
      .count()
      .toStream()
      .to('out', { value: Serdes.long() });
    const { records } = runThrough<string, number>(b, [['k1', 'v1', 0], ['k1', 'v2', 1], ['k2', 'v1', 2], ['tick', 'tick', 3], ['tick', 'tock', 4]], { value: Serdes.long() });
    expect(records).toEqual([
      ['v1', 1, 0],
      ['v1', 0, 1],
      ['v2', 1, 1],
      ['v1', 1, 2],
      ['tick', 1, 3],
      ['tick', 0, 4],
      ['tock', 1, 4],
    ]);
  });

  it('aggregate with the same group key sends one combined subtract+add update (C27)', () => {
    const b = new StreamsBuilder();
    b.table('in', strings)
      .groupBy((k, v) => [k, v], strings)
      .aggregate(
        () => '0',
        (_, v, agg) => `${agg}+${v}`,
        (_, v, agg) => `${agg}-${v}`,
        { value: Serdes.string() },
      )
      .toStream()
      .to('out');
    expect(runThrough(b, [['A', '1', 10], ['A', '3', 20], ['B', '4', 18], ['B', '7', 15]]).records).toEqual([
      ['A', '0+1', 10],
      ['A', '0+1-1+3', 20],
      ['B', '0+4', 18],
      ['B', '0+4-4+7', 18],
    ]);
  });

  it('reduce: deleting a row subtracts its value from the group', () => {
    const b = new StreamsBuilder();
    b.table('in', strings)
      .groupBy((_, v) => ['all', v], strings)
      .reduce(
        (agg, v) => `${agg}${v}`,
        (agg, v) => agg.replace(v, ''),
        { storeName: 'joined' },
      )
      .toStream()
      .to('out');
    const { records, driver } = runThrough(b, [['a', 'x', 1], ['b', 'y', 2], ['a', null, 3]]);
    expect(records).toEqual([
      ['all', 'x', 1],
      ['all', 'xy', 2],
      ['all', 'y', 3],
    ]);
    expect(driver.getKeyValueStore<string, string>('joined').get('all')).toBe('y');
  });

  it('names nodes like Kafka Streams: store, sink, source, then the aggregate processor', () => {
    const b = new StreamsBuilder();
    b.table('in', strings).groupBy((k, v) => [v, k], strings).count();
    expect([...b.build().nodes.keys()]).toEqual([
      'KSTREAM-SOURCE-0000000001',
      'KTABLE-SOURCE-0000000002',
      'KTABLE-SELECT-0000000003',
      'KSTREAM-SINK-0000000005',
      'KSTREAM-SOURCE-0000000006',
      'KTABLE-AGGREGATE-0000000007',
    ]);
  });

  it('requires the grouped value serde for the repartition topic, and says where to pass it', () => {
    const b = new StreamsBuilder();
    b.table('in', strings).groupBy((k, v) => [v, k.length]).count();
    expect(() => b.build()).toThrow(/no key serde is known.*groupBy/);
  });
});
