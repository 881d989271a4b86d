import { describe, expect, it } from 'vitest';
import { Serdes } from '../../serde/serdes.js';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, stringStream } from '../../testing/test-kit.js';

describe('KGroupedStream aggregate / count / reduce', () => {
  it('aggregate: first value starts from the initializer at the record ts, then ts = max(record ts, aggregate ts)', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .groupByKey()
      .aggregate(
        () => '0',
        (_, v, agg) => `${agg}+${v}`,
        { storeName: 'agg', value: Serdes.string() },
      )
      .toStream()
      .to('out');
    const { records, driver } = runThrough(b, [['A', '1', 10], ['A', '2', 5], ['B', '3', 1], ['A', '4', 20]]);
    expect(records).toEqual([
      ['A', '0+1', 10],
      ['A', '0+1+2', 10],
      ['B', '0+3', 1],
      ['A', '0+1+2+4', 20],
    ]);
    const store = driver.getKeyValueStore<string, string>('agg');
    expect(store.get('A')).toBe('0+1+2+4');
    expect(store.getWithTimestamp('B')).toEqual({ value: '0+3', timestamp: 1 });
  });

  it('count drops null keys and null values and counts them as dropped', () => {
    const b = new StreamsBuilder();
    stringStream(b).groupByKey().count({ storeName: 'counts' }).toStream().to('out', { value: Serdes.long() });
    const { records, driver } = runThrough<string, number>(b, [['a', 'x', 1], [null, 'x', 2], ['a', null, 3], ['a', 'y', 4]], { value: Serdes.long() });
    expect(records).toEqual([['a', 1, 1], ['a', 2, 4]]);
    expect(driver.droppedRecords).toBe(2);
  });

  it('reduce: the first value is the aggregate', () => {
    const b = new StreamsBuilder();
    stringStream(b).groupByKey().reduce((agg, v) => `${agg}|${v}`).toStream().to('out');
    expect(runThrough(b, [['a', 'x', 1], ['a', 'y', 2]]).records).toEqual([['a', 'x', 1], ['a', 'x|y', 2]]);
  });

  it('writes the latest aggregate per key to <app>-<store>-changelog at each commit', () => {
    const b = new StreamsBuilder();
    stringStream(b).groupByKey().count({ storeName: 'counts' });
    const { driver } = runThrough(b, [['a', 'x', 1], ['a', 'y', 2]]);
    const changelog = driver.createOutputTopic<string, number>('test-app-counts-changelog', Serdes.string(), Serdes.long());
    expect(changelog.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 1, 1],
      ['a', 2, 2],
    ]);
  });

  it('an aggregate without a value serde is rejected at build time with what to pass', () => {
    const b = new StreamsBuilder();
    stringStream(b).groupByKey().aggregate(() => 0, (_, v, n) => n + v.length);
    expect(() => b.build()).toThrow(/KSTREAM-AGGREGATE-STATE-STORE-0000000001.*no value serde; pass it in Materialized/);
  });

  it('groupBy re-keys through a repartition topic named after the store (or the Grouped name)', () => {
    const b = new StreamsBuilder();
    stringStream(b).groupBy((_, v) => v, { key: Serdes.string(), name: 'by-value' }).count();
    expect(b.build().repartitionTopics.map((t) => t.topic)).toEqual(['by-value-repartition']);
  });
});
