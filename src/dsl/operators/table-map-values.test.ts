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

describe('materialized KTable mapValues / filter', () => {
  it('keeps the derived table in a queryable store and reads old values from it', () => {
    const b = new StreamsBuilder();
    const lengths = b.table('in', strings).mapValues((v) => v.length, { storeName: 'lengths', value: Serdes.long() });
    expect(lengths.queryableStoreName).toBe('lengths');
    lengths
      .filter((_, n) => n > 1, { storeName: 'long-ones' })
      .groupBy((k, n) => [String(n), k], strings)
      .count()
      .toStream()
      .to('out', { value: Serdes.long() });
    const topology = b.build();
    // materialized nodes serve old values themselves: the source table stays unmaterialized
    expect(topology.node('KTABLE-SOURCE-0000000002').stores).toEqual([]);
    const { records, driver } = runThrough<string, number>(b, [['a', 'xx', 1], ['a', 'xxx', 2], ['a', 'x', 3]], { value: Serdes.long() });
    expect(records).toEqual([
      ['2', 1, 1],
      ['2', 0, 2],
      ['3', 1, 2],
      ['3', 0, 3],
    ]);
    expect(driver.getKeyValueStore<string, number>('lengths').get('a')).toBe(1);
    expect(driver.getKeyValueStore<string, number>('long-ones').get('a')).toBeUndefined();
  });

  it('join hook: a source table is materialized on request, a derived one must be materialized explicitly', () => {
    const b = new StreamsBuilder();
    const table = b.table('in', strings);
    table.requireStore();
    table.mapValues((v) => v.length).requireStore();
    expect(() => b.build()).toThrow(/KTABLE-MAPVALUES-0000000003 \(TableMapValues\) must be materialized.*storeName/);
    const ok = new StreamsBuilder();
    const source = ok.table('in', strings);
    source.requireStore();
    expect(ok.build().storeOf('KTABLE-SOURCE-0000000002')).toBe('in-STATE-STORE-0000000000');
  });
});
