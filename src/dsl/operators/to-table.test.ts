import { describe, expect, it } from 'vitest';
import { Serdes } from '../../serde/serdes.js';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, stringStream } from '../../testing/test-kit.js';

describe('toTable', () => {
  it('has upsert semantics: null key dropped (counted), null value deletes', () => {
    const b = new StreamsBuilder();
    stringStream(b).toTable({ storeName: 'latest' }).toStream().to('out');
    const { records, driver } = runThrough(b, [['a', '1', 1], [null, 'x', 2], ['a', '2', 3], ['a', null, 4]]);
    expect(records).toEqual([['a', '1', 1], ['a', '2', 3], ['a', null, 4]]);
    expect(driver.droppedRecords).toBe(1);
    expect(driver.getKeyValueStore<string, string>('latest').get('a')).toBeUndefined();
  });

  it('repartitions first when the key may have changed', () => {
    const b = new StreamsBuilder();
    stringStream(b).selectKey((_, v) => v).toTable({ key: Serdes.string() }).toStream().to('out');
    const topology = b.build();
    expect(topology.repartitionTopics.map((t) => t.topic)).toEqual(['KSTREAM-TOTABLE-0000000002-repartition']);
    expect(runThrough(b, [['a', 'x', 1]]).records).toEqual([['x', 'x', 1]]);
  });
});
