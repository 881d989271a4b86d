import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder } from '../../index.js';
import { TopologyTestDriver } from '../../testing/index.js';

const s = { key: Serdes.string(), value: Serdes.string() };

describe('KStream-KTable and KStream-GlobalKTable joins', () => {
  it('left join passes null for a missing row; a null key with a value joins with null; table updates emit nothing', () => {
    const b = new StreamsBuilder();
    const users = b.table('users', s);
    b.stream('clicks', s)
      .leftJoin(users, (click, user) => `${click}/${user ?? 'unknown'}`)
      .to('out', s);
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    const clicks = driver.createInputTopic('clicks', Serdes.string(), Serdes.string());
    const table = driver.createInputTopic('users', Serdes.string(), Serdes.string());
    const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
    clicks.pipeInput('u1', 'c1', 1);
    table.pipeInput('u1', 'Ann', 2);
    clicks.pipeInput('u1', 'c2', 3);
    clicks.pipeInput(null, 'c3', 4);
    clicks.pipeInput('u1', null, 5);
    expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['u1', 'c1/unknown', 1],
      ['u1', 'c2/Ann', 3],
      [null, 'c3/unknown', 4],
    ]);
    expect(driver.droppedRecords).toBe(1);
  });

  // Kafka Streams 4.3.1 (the oracle) joins a null lookup key with null in a left join (KIP-962); the older
  // behaviour, dropping it, is what Kafka Streams' shouldNotJoinOnNullKeyMapperValues once tested.
  it('global table join looks up keySelector(key, value); leftJoin joins a null lookup key with null', () => {
    const b = new StreamsBuilder();
    const pages = b.globalTable('pages', { ...s, storeName: 'pages' });
    b.stream('views', s)
      .leftJoin(pages, (_user, page) => (page === 'none' ? null : page), (page, title) => `${page}:${title ?? '?'}`)
      .to('out', s);
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    driver.createInputTopic('pages', Serdes.string(), Serdes.string()).pipeInput('/docs', 'Docs', 0);
    const views = driver.createInputTopic('views', Serdes.string(), Serdes.string());
    const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
    views.pipeInput('ann', '/docs', 1);
    views.pipeInput('bob', '/blog', 2);
    views.pipeInput('cid', 'none', 3);
    expect(out.readKeyValuesToList()).toEqual([
      ['ann', '/docs:Docs'],
      ['bob', '/blog:?'],
      ['cid', 'none:?'],
    ]);
    expect(driver.droppedRecords).toBe(0);
  });

  it('repartitions a re-keyed stream before joining a table', () => {
    const b = new StreamsBuilder();
    const users = b.table('users', s);
    b.stream('clicks', s)
      .selectKey((_k, v) => v.split(':')[0]!)
      .join(users, (click, user) => `${click}@${user}`)
      .to('out', s);
    const topology = b.build();
    expect(topology.repartitionTopics.map((t) => t.topic)).toEqual([expect.stringMatching(/KSTREAM-JOIN-\d+-repartition/)]);
    expect(topology.copartitionGroups.some((g) => g.includes('users'))).toBe(true);
    const driver = new TopologyTestDriver(topology, { initialWallClockTime: 0 });
    driver.createInputTopic('users', Serdes.string(), Serdes.string()).pipeInput('u1', 'Ann', 0);
    driver.createInputTopic('clicks', Serdes.string(), Serdes.string()).pipeInput('x', 'u1:home', 1);
    expect(driver.createOutputTopic('out', Serdes.string(), Serdes.string()).readKeyValuesToList()).toEqual([['u1', 'u1:home@Ann']]);
  });
});
