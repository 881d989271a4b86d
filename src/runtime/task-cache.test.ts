import { describe, expect, it } from 'vitest';
import type { OutgoingRecord } from '../errors.js';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import type { Topology } from '../graph/topology.js';
import { Serdes } from '../serde/serdes.js';
import type { KeyValueStore } from '../state/key-value-store.js';
import { RecordCache } from '../state/record-cache.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import { Task, type InputRecord } from './task.js';

const s = Serdes.string();
const long = Serdes.long();

interface Input {
  readonly topic: string;
  readonly key: string;
  readonly value: string | null;
  readonly timestamp: number;
}

/**
 * Runs a topology in one task over all its sub-topologies: each batch is processed and then committed,
 * repartition records are fed back and committed until none is left (one commit interval per batch).
 * Returns the outputs (and changelog records when asked) per topic, decoded with `decode`.
 */
function runInCommits(
  topology: Topology,
  cache: RecordCache | undefined,
  batches: readonly (readonly Input[])[],
  decode: (r: OutgoingRecord) => unknown = (r) => [r.key?.toString(), r.value === null ? null : long.deserialize(r.value, r.topic), r.timestamp],
  withChangelog = false,
) {
  const task = new Task({ id: { subtopology: 0, partition: 0 }, topology, applicationId: 'app', subtopologies: topology.subtopologies.map((t) => t.id), ...(cache === undefined ? {} : { cache }) });
  task.initialize();
  const outputs = new Map<string, unknown[]>();
  const offsets = new Map<string, number>();
  const feed = (records: readonly { topic: string; key: Buffer | null; value: Buffer | null; timestamp: number }[]) => {
    const raws: InputRecord[] = records.map((r) => {
      const offset = offsets.get(r.topic) ?? 0;
      offsets.set(r.topic, offset + 1);
      return { topic: r.topic, partition: 0, offset, key: r.key, value: r.value, timestamp: r.timestamp, headers: {} };
    });
    task.addRecords(raws);
  };
  for (const batch of batches) {
    feed(batch.map((i) => ({ topic: i.topic, key: s.serialize(i.key, i.topic), value: i.value === null ? null : s.serialize(i.value, i.topic), timestamp: i.timestamp })));
    for (;;) {
      task.processAll();
      const result = task.commit();
      const internal = result.records.filter((r) => task.inputTopics.includes(r.topic));
      for (const r of withChangelog ? [...result.records, ...result.changelog] : result.records) if (!task.inputTopics.includes(r.topic)) (outputs.get(r.topic) ?? outputs.set(r.topic, []).get(r.topic)!).push(decode(r));
      if (internal.length === 0) break;
      feed(internal);
    }
  }
  return { outputs, task };
}

function countTopology(caching?: boolean) {
  const b = new StreamsBuilder();
  b.stream('in', { key: s, value: s })
    .groupByKey()
    .count({ storeName: 'counts', ...(caching === undefined ? {} : { caching }) })
    .toStream()
    .to('out', { value: long });
  return b.build();
}

const inputs = (keys: string): Input[] => [...keys].map((key, i) => ({ topic: 'in', key, value: 'v', timestamp: i + 1 }));

describe('record cache in a task', () => {
  it('a grouped count with caching forwards one result per key per commit: the latest count with the latest timestamp', () => {
    const { outputs, task } = runInCommits(countTopology(), new RecordCache(1024 * 1024), [inputs('abaabca'), inputs('bb')]);
    expect(outputs.get('out')).toEqual([
      ['a', 4, 7],
      ['b', 2, 5],
      ['c', 1, 6],
      // An aggregate's timestamp never goes back: max(record, stored).
      ['b', 4, 5],
    ]);
    expect(task.getStateStore<KeyValueStore<string, number>>('counts').get('b')).toBe(4);
  });

  it('the changelog gets the latest value per key once per commit, with and without the cache', () => {
    for (const cache of [undefined, new RecordCache(1024 * 1024)]) {
      const { outputs } = runInCommits(countTopology(), cache, [inputs('aab')], undefined, true);
      expect(outputs.get('app-counts-changelog')).toEqual([
        ['a', 2, 2],
        ['b', 1, 3],
      ]);
    }
  });

  it('with caching: false on the store, or no cache budget, every update is forwarded', () => {
    const every = [
      ['a', 1, 1],
      ['b', 1, 2],
      ['a', 2, 3],
      ['a', 3, 4],
    ];
    expect(runInCommits(countTopology(false), new RecordCache(1024 * 1024), [inputs('abaa')]).outputs.get('out')).toEqual(every);
    expect(runInCommits(countTopology(), new RecordCache(0), [inputs('abaa')]).outputs.get('out')).toEqual(every);
    expect(runInCommits(countTopology(), undefined, [inputs('abaa')]).outputs.get('out')).toEqual(every);
  });

  it('a budget too small for one entry forwards every update, as without a cache', () => {
    const batches = [inputs('abaabcabb')];
    expect(runInCommits(countTopology(), new RecordCache(1), batches).outputs.get('out')).toEqual(runInCommits(countTopology(), undefined, batches).outputs.get('out'));
  });

  it('a KTable groupBy with adder and subtractor downstream of a cached table stays exact', () => {
    const topology = () => {
      const b = new StreamsBuilder();
      b.table('accounts', { key: s, value: s, storeName: 'accounts' })
        .groupBy((_, v) => [v.split(':')[0]!, Number(v.split(':')[1])] as const, { key: s, value: long })
        .reduce((agg, v) => agg + v, (agg, v) => agg - v, { storeName: 'totals', value: long })
        .toStream()
        .to('totals', { value: long });
      return b.build();
    };
    // Accounts move between regions and change amounts several times within one commit interval.
    const batches: Input[][] = [
      [
        { topic: 'accounts', key: 'x', value: 'eu:10', timestamp: 1 },
        { topic: 'accounts', key: 'y', value: 'us:5', timestamp: 2 },
        { topic: 'accounts', key: 'x', value: 'us:7', timestamp: 3 },
        { topic: 'accounts', key: 'x', value: 'eu:3', timestamp: 4 },
        { topic: 'accounts', key: 'z', value: 'eu:1', timestamp: 5 },
      ],
      [
        { topic: 'accounts', key: 'y', value: 'eu:2', timestamp: 6 },
        { topic: 'accounts', key: 'z', value: null, timestamp: 7 },
        { topic: 'accounts', key: 'y', value: 'us:9', timestamp: 8 },
        { topic: 'accounts', key: 'w', value: 'eu:4', timestamp: 9 },
        { topic: 'accounts', key: 'w', value: null, timestamp: 10 },
      ],
    ];
    const uncached = runInCommits(topology(), undefined, batches);
    const cached = runInCommits(topology(), new RecordCache(1024 * 1024), batches);
    const latest = (records: unknown[]) => Object.fromEntries((records as [string, number][]).map(([k, v]) => [k, v]));
    // Final totals: x=eu:3, y=us:9, z and w deleted.
    expect(latest(uncached.outputs.get('totals')!)).toEqual({ eu: 3, us: 9 });
    expect(latest(cached.outputs.get('totals')!)).toEqual({ eu: 3, us: 9 });
    expect(cached.outputs.get('totals')).toEqual([
      ['eu', 4, 5],
      ['us', 5, 2],
      // y moved within us (one change to us); z's delete changes eu; w, created and deleted, forwards nothing.
      ['us', 9, 8],
      ['eu', 3, 7],
    ]);
    expect(uncached.outputs.get('totals')!.length).toBeGreaterThan(cached.outputs.get('totals')!.length);
    const totals = cached.task.getStateStore<KeyValueStore<string, number>>('totals');
    expect([totals.get('eu'), totals.get('us')]).toEqual([3, 9]);
  });

  it('a cached table source forwards the latest value per key per commit, and nothing for a delete of a missing key', () => {
    const topology = (caching: boolean) => {
      const b = new StreamsBuilder();
      b.table('t', { key: s, value: s, storeName: 't', caching }).toStream().to('out', { value: s });
      return b.build();
    };
    const batches: Input[][] = [
      [
        { topic: 't', key: 'a', value: '1', timestamp: 1 },
        { topic: 't', key: 'a', value: '2', timestamp: 2 },
        { topic: 't', key: 'gone', value: null, timestamp: 3 },
      ],
      [{ topic: 't', key: 'a', value: null, timestamp: 4 }],
    ];
    const decode = (r: OutgoingRecord) => [r.key?.toString(), r.value?.toString() ?? null, r.timestamp];
    expect(runInCommits(topology(true), new RecordCache(1024 * 1024), batches, decode).outputs.get('out')).toEqual([
      ['a', '2', 2],
      ['a', null, 4],
    ]);
    expect(runInCommits(topology(false), new RecordCache(1024 * 1024), batches, decode).outputs.get('out')).toEqual([
      ['a', '1', 1],
      ['a', '2', 2],
      ['gone', null, 3],
      ['a', null, 4],
    ]);
  });

  it('materialized filter and mapValues stores cache too: one update per key per commit, with the right old values downstream', () => {
    const b = new StreamsBuilder();
    b.table('t', { key: s, value: s, caching: false })
      .mapValues((v) => Number(v), { storeName: 'numbers', value: long })
      .filter((_, v) => v > 0, { storeName: 'positive', value: long })
      .groupBy((k, v) => [k.split('-')[0]!, v] as const, { key: s, value: long })
      .reduce((agg, v) => agg + v, (agg, v) => agg - v, { storeName: 'sums', value: long })
      .toStream()
      .to('out', { value: long });
    const { outputs, task } = runInCommits(b.build(), new RecordCache(1024 * 1024), [
      [
        { topic: 't', key: 'g-1', value: '5', timestamp: 1 },
        { topic: 't', key: 'g-1', value: '-1', timestamp: 2 },
        { topic: 't', key: 'g-2', value: '3', timestamp: 3 },
        { topic: 't', key: 'g-1', value: '4', timestamp: 4 },
      ],
      [
        { topic: 't', key: 'g-2', value: '-3', timestamp: 5 },
        { topic: 't', key: 'g-1', value: '6', timestamp: 6 },
      ],
    ]);
    expect(outputs.get('out')).toEqual([
      ['g', 7, 4],
      ['g', 6, 6],
    ]);
    expect(task.getStateStore<KeyValueStore<string, number>>('numbers').get('g-2')).toBe(-3);
    expect(task.getStateStore<KeyValueStore<string, number>>('positive').get('g-2')).toBeUndefined();
  });

  it('a cogrouped aggregate updated by both inputs within one commit forwards once per key', () => {
    const b = new StreamsBuilder();
    const clicks = b.stream('clicks', { key: s, value: s }).groupByKey();
    const views = b.stream('views', { key: s, value: s }).groupByKey();
    clicks
      .cogroup((_k, _v, agg: number) => agg + 1)
      .cogroup(views, (_k, _v, agg: number) => agg + 100)
      .aggregate(() => 0, { storeName: 'stats', value: long })
      .toStream()
      .to('out', { value: long });
    const { outputs } = runInCommits(b.build(), new RecordCache(1024 * 1024), [
      [
        { topic: 'clicks', key: 'u', value: 'c', timestamp: 1 },
        { topic: 'views', key: 'u', value: 'v', timestamp: 2 },
        { topic: 'clicks', key: 'u', value: 'c', timestamp: 3 },
        { topic: 'views', key: 'w', value: 'v', timestamp: 4 },
      ],
    ]);
    expect(outputs.get('out')).toEqual([
      ['u', 102, 3],
      ['w', 100, 4],
    ]);
  });

  it('reads through the cache: a stream-table join sees the latest table value before any commit', () => {
    const b = new StreamsBuilder();
    const table = b.table('prices', { key: s, value: s, storeName: 'prices' });
    b.stream('orders', { key: s, value: s })
      .join(table, (order, price) => `${order}@${price}`)
      .to('joined', { value: s });
    const { outputs } = runInCommits(b.build(), new RecordCache(1024 * 1024), [
      [
        { topic: 'prices', key: 'p', value: '1', timestamp: 1 },
        { topic: 'prices', key: 'p', value: '2', timestamp: 2 },
        { topic: 'orders', key: 'p', value: 'o1', timestamp: 3 },
      ],
    ], (r) => r.value?.toString());
    expect(outputs.get('joined')).toEqual(['o1@2']);
  });

  it('a failure downstream of a flushed update goes through the processing error policy with the input record of that update', () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: s, value: s })
      .groupByKey()
      .count({ storeName: 'counts' })
      .toStream()
      .peek((k) => {
        if (k === 'bad') throw new Error('boom');
      })
      .to('out', { value: long });
    const failures: { offset: number | undefined; message: string }[] = [];
    const task = new Task({
      id: { subtopology: 0, partition: 0 },
      topology: b.build(),
      applicationId: 'app',
      cache: new RecordCache(1024 * 1024),
      errorPolicies: {
        processing: (error, record) => {
          failures.push({ offset: record?.offset, message: error.message });
          return { action: 'continue' };
        },
      },
    });
    task.addRecords([
      { topic: 'in', partition: 0, offset: 0, key: s.serialize('bad', 'in'), value: s.serialize('v', 'in'), timestamp: 1, headers: {} },
      { topic: 'in', partition: 0, offset: 1, key: s.serialize('ok', 'in'), value: s.serialize('v', 'in'), timestamp: 2, headers: {} },
      { topic: 'in', partition: 0, offset: 2, key: s.serialize('bad', 'in'), value: s.serialize('v', 'in'), timestamp: 3, headers: {} },
    ]);
    task.processAll();
    expect(failures).toEqual([]);
    const result = task.commit();
    expect(result.records.map((r) => r.key?.toString())).toEqual(['ok']);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.offset).toBe(2);
    expect(failures[0]!.message).toMatch(/forwarding a cached update of store counts failed: boom/);
    expect(task.droppedRecords).toBe(1);
  });

  it('a task closed without a commit drops what its cache held and gives the bytes back to the shared budget', () => {
    const cache = new RecordCache(1024 * 1024);
    const task = new Task({ id: { subtopology: 0, partition: 0 }, topology: countTopology(), applicationId: 'app', cache });
    task.addRecords([{ topic: 'in', partition: 0, offset: 0, key: s.serialize('a', 'in'), value: s.serialize('v', 'in'), timestamp: 1, headers: {} }]);
    task.processAll();
    expect(cache.sizeBytes).toBeGreaterThan(0);
    task.close();
    expect(cache.sizeBytes).toBe(0);
  });
});

describe('record cache in the TopologyTestDriver', () => {
  it('merges only the updates one input record makes to the same key', () => {
    const topology = () => {
      const b = new StreamsBuilder();
      b.stream('in', { key: s, value: s })
        .flatMapValues((v) => [...v])
        .groupByKey()
        .count({ storeName: 'counts' })
        .toStream()
        .to('out', { value: long });
      return b.build();
    };
    const run = (cacheMaxBytes: number | undefined) => {
      const driver = new TopologyTestDriver(topology(), cacheMaxBytes === undefined ? {} : { cacheMaxBytes });
      const input = driver.createInputTopic<string, string>('in', s, s);
      const output = driver.createOutputTopic<string, number>('out', s, long);
      input.pipeInput('a', 'xyz', 1);
      input.pipeInput('a', 'x', 2);
      input.pipeInput('b', 'xy', 3);
      const values = output.readKeyValuesToList();
      driver.close();
      return values;
    };
    expect(run(undefined)).toEqual([
      ['a', 1],
      ['a', 2],
      ['a', 3],
      ['a', 4],
      ['b', 1],
      ['b', 2],
    ]);
    expect(run(0)).toEqual(run(undefined));
    expect(run(1024 * 1024)).toEqual([
      ['a', 3],
      ['a', 4],
      ['b', 2],
    ]);
  });
});
