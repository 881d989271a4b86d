import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { Serdes } from '../serde/serdes.js';
import type { KeyValueStore } from '../state/key-value-store.js';
import { ManualClockScheduler } from '../testing/manual-clock-scheduler.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import type { Processor, ProcessorContext } from './processor.js';
import { Record as RecordOf } from './record.js';
import { Task, type InputRecord } from './task.js';

const s = Serdes.string();
const raw = (topic: string, partition: number, offset: number, key: string, value: string, timestamp: number): InputRecord => ({
  topic,
  partition,
  offset,
  key: s.serialize(key, topic),
  value: s.serialize(value, topic),
  timestamp,
  headers: {},
});

function countTopology() {
  const b = new StreamsBuilder();
  b.stream('in', { key: s, value: s }).groupByKey().count({ storeName: 'counts' }).toStream().to('out', { value: Serdes.long() });
  return b.build();
}

describe('Task', () => {
  it('processes the buffered record with the smallest timestamp first and tracks stream time', () => {
    const b = new StreamsBuilder();
    b.stream(['a', 'b'], { key: s, value: s }).to('out');
    const task = new Task({ id: { subtopology: 0, partition: 1 }, topology: b.build(), applicationId: 'app' });
    task.initialize();
    task.addRecords([raw('a', 1, 0, 'x', 'a0', 5), raw('a', 1, 1, 'x', 'a1', 1)]);
    task.addRecords([raw('b', 1, 7, 'x', 'b7', 3)]);
    expect(task.bufferedRecords).toBe(3);
    expect(task.processAll()).toBe(3);
    const result = task.commit();
    // per partition order is kept; across partitions the smaller head timestamp goes first
    expect(result.records.map((r) => r.value!.toString())).toEqual(['b7', 'a0', 'a1']);
    expect(task.streamTime).toBe(5);
    expect([...result.offsets].sort((x, y) => x.topic.localeCompare(y.topic))).toEqual([
      { topic: 'a', partition: 1, offset: 2 },
      { topic: 'b', partition: 1, offset: 8 },
    ]);
    expect(task.commit().offsets).toEqual([]);
  });

  it('commit returns outputs, repartition records with the application prefix, changelog records and offsets', () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: s, value: s }).selectKey((_, v) => v).groupByKey({ key: s }).count({ storeName: 'c' });
    const topology = b.build();
    const first = new Task({ id: { subtopology: 0, partition: 0 }, topology, applicationId: 'app' });
    first.addRecords([raw('in', 0, 0, 'k', 'v', 1)]);
    first.processAll();
    expect(first.commit().records.map((r) => [r.topic, r.key!.toString()])).toEqual([['app-c-repartition', 'v']]);
    const second = new Task({ id: { subtopology: 1, partition: 0 }, topology, applicationId: 'app' });
    expect(second.inputTopics).toEqual(['app-c-repartition']);
    expect(second.changelogPartitions().map((c) => [c.storeName, c.topic, c.partition])).toEqual([['c', 'app-c-changelog', 0]]);
    second.addRecords([raw('app-c-repartition', 0, 0, 'v', 'v', 1)]);
    second.processAll();
    const result = second.commit();
    expect(result.changelog.map((r) => [r.topic, r.key!.toString(), Serdes.long().deserialize(r.value!, ''), r.timestamp])).toEqual([['app-c-changelog', 'v', 1, 1]]);
    expect(result.offsets).toEqual([{ topic: 'app-c-repartition', partition: 0, offset: 1 }]);
  });

  it('restores its stores from changelog records before processing, continuing where the old task stopped', () => {
    const topology = countTopology();
    const before = new Task({ id: { subtopology: 0, partition: 0 }, topology, applicationId: 'app' });
    before.addRecords([raw('in', 0, 0, 'a', 'x', 1), raw('in', 0, 1, 'a', 'x', 2), raw('in', 0, 2, 'b', 'x', 3)]);
    before.processAll();
    const changelog = before.commit().changelog;
    before.close();

    const after = new Task({ id: { subtopology: 0, partition: 0 }, topology, applicationId: 'app' });
    const [partition] = after.changelogPartitions();
    partition!.store.restore(changelog.map((r, offset) => ({ key: r.key, value: r.value, timestamp: r.timestamp, offset })));
    after.initialize();
    after.addRecords([raw('in', 0, 3, 'a', 'x', 4)]);
    after.processAll();
    const out = after.commit().records.map((r) => [r.key!.toString(), Serdes.long().deserialize(r.value!, ''), r.timestamp]);
    expect(out).toEqual([['a', 3, 4]]);
    expect(after.getStateStore<KeyValueStore<string, number>>('counts').get('b')).toBe(1);
  });

  it('fires stream-time punctuation from record timestamps and wall-clock punctuation from the scheduler', () => {
    const b = new StreamsBuilder();
    const fired: string[] = [];
    b.stream('in', { key: s, value: s })
      .process(
        (): Processor<string, string, string, string> => {
          let ctx: ProcessorContext<string, string>;
          return {
            init(context) {
              ctx = context;
              ctx.schedule(10, 'stream-time', (ts) => fired.push(`stream@${ts}`));
              ctx.schedule(1000, 'wall-clock', (ts) => fired.push(`wall@${ts}`));
            },
            process(record) {
              ctx.forward(record);
            },
          };
        },
        { name: 'ticker' },
      )
      .to('out', { key: s, value: s });
    const clock = new ManualClockScheduler(5000);
    const task = new Task({ id: { subtopology: 0, partition: 0 }, topology: b.build(), applicationId: 'app', scheduler: clock });
    task.initialize();
    task.addRecords([raw('in', 0, 0, 'k', 'v', 3), raw('in', 0, 1, 'k', 'v', 9), raw('in', 0, 2, 'k', 'v', 25)]);
    task.processAll();
    expect(fired).toEqual(['stream@3', 'stream@25']);
    clock.advanceTo(5999);
    expect(task.punctuateWallClock()).toBe(false);
    clock.advanceTo(6000);
    expect(task.punctuateWallClock()).toBe(true);
    clock.advanceTo(9500);
    task.punctuateWallClock();
    expect(fired.slice(2)).toEqual(['wall@6000', 'wall@9500']);
  });

  it('the test driver advances wall-clock time and punctuates', () => {
    const b = new StreamsBuilder();
    b.addStateStore({ name: 'buffer', key: s, value: s });
    b.stream('in', { key: s, value: s })
      .process(
        (): Processor<string, string, string, string> => {
          let ctx: ProcessorContext<string, string>;
          let store: KeyValueStore<string, string>;
          return {
            init(context) {
              ctx = context;
              store = ctx.getStateStore('buffer');
              ctx.schedule(100, 'wall-clock', (ts) => {
                for (const [k, v] of [...store.all()]) {
                  ctx.forward(new RecordOf(k, v, ts));
                  store.delete(k);
                }
              });
            },
            process(record) {
              store.put(record.key, record.value);
            },
          };
        },
        { stores: ['buffer'] },
      )
      .to('out', { key: s, value: s });
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    const input = driver.createInputTopic('in', s, s);
    const out = driver.createOutputTopic('out', s, s);
    input.pipeInput('a', '1', 1);
    input.pipeInput('a', '2', 2);
    expect(out.isEmpty()).toBe(true);
    driver.advanceWallClockTime(100);
    expect(out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([['a', '2', 100]]);
  });
});
