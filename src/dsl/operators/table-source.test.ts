import { describe, expect, it } from 'vitest';
import { Serdes } from '../../serde/serdes.js';
import { TopologyTestDriver } from '../../testing/topology-test-driver.js';
import { strings } from '../../testing/test-kit.js';
import { StreamsBuilder } from '../streams-builder.js';

describe('table source', () => {
  it('forwards every update and deletes as null values (C28); null keys are dropped and counted', () => {
    const b = new StreamsBuilder();
    b.table('in', strings).toStream().to('out');
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeInput('A', '1', 10);
    input.pipeInput(null, 'x', 11);
    input.pipeInput('A', null, 14);
    input.pipeInput('B', null, 15);
    expect(driver.createOutputTopic('out', Serdes.string(), Serdes.string()).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['A', '1', 10],
      ['A', null, 14],
      ['B', null, 15],
    ]);
    expect(driver.droppedRecords).toBe(1);
  });

  it('is not materialized unless named or needed for old values', () => {
    const plain = new StreamsBuilder();
    plain.table('in', strings).toStream().to('out');
    expect(plain.build().stores.size).toBe(0);

    const named = new StreamsBuilder();
    const table = named.table('in', { ...strings, storeName: 'users' });
    expect(table.queryableStoreName).toBe('users');
    const driver = new TopologyTestDriver(named.build());
    driver.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('u1', 'Ann', 1);
    expect(driver.getKeyValueStore<string, string>('users').get('u1')).toBe('Ann');

    const regrouped = new StreamsBuilder();
    regrouped.table('in', strings).groupBy((k, v) => [v, k], strings).count();
    const topology = regrouped.build();
    expect(topology.stores.has('in-STATE-STORE-0000000000')).toBe(true);
    expect(topology.node('KTABLE-SOURCE-0000000002').stores).toEqual(['in-STATE-STORE-0000000000']);
  });

  it('globalTable feeds a store readable by every task and reports a global sub-topology', () => {
    const b = new StreamsBuilder();
    const countries = b.globalTable('countries', strings);
    b.stream('in', strings).to('out');
    const topology = b.build();
    expect(topology.globalSubtopologies).toHaveLength(1);
    expect(topology.describe().toString()).toContain('Sub-topology: 0 for global store (will not generate tasks)');
    const driver = new TopologyTestDriver(topology);
    driver.createInputTopic('countries', Serdes.string(), Serdes.string()).pipeInput('de', 'Germany', 1);
    expect(driver.getKeyValueStore<string, string>(countries.queryableStoreName).get('de')).toBe('Germany');
  });
});
