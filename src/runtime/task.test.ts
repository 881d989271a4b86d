import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { JoinWindows } from '../dsl/windows.js';
import { Serdes } from '../serde/serdes.js';
import type { KeyValueStore } from '../state/key-value-store.js';
import { ManualClockScheduler } from '../testing/manual-clock-scheduler.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import type { Processor, ProcessorContext } from '../processor/processor.js';
import { Record as RecordOf } from '../processor/record.js';
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

  describe('waits for input partitions like max.task.idle.ms', () => {
    /** clicks left-join purchases within 10 ms, no grace: a click is left-only once stream time passes its window. */
    const leftJoinTask = (options: { maxTaskIdleMs?: number; maxLagWaitMs?: number }) => {
      const b = new StreamsBuilder();
      b.stream('clicks', { key: s, value: s })
        .leftJoin(b.stream('purchases', { key: s, value: s }), (c, p) => `${c}+${p ?? 'null'}`, JoinWindows.ofTimeDifferenceAndGrace(10, 0))
        .to('out', { key: s, value: s });
      const clock = new ManualClockScheduler(1000);
      const task = new Task({ id: { subtopology: 0, partition: 0 }, topology: b.build(), applicationId: 'app', scheduler: clock, ...options });
      task.initialize();
      return { task, clock };
    };
    // The clicks backlog arrives first: c1 at 100 has its purchase at 105, c2 at 500 moves stream time far ahead.
    const clicks = [raw('clicks', 0, 0, 'k1', 'c1', 100), raw('clicks', 0, 1, 'k2', 'c2', 500)];
    const purchases = [raw('purchases', 0, 0, 'k1', 'p1', 105)];
    const outputs = (task: Task): string[] => task.commit().records.map((r) => r.value!.toString());

    it('does not process while the other partition is empty but has lag, then joins in timestamp order', () => {
      const { task } = leftJoinTask({ maxTaskIdleMs: 0 });
      task.updateFetchPosition('clicks', 0, 2, 2);
      task.updateFetchPosition('purchases', 0, 0, 1);
      task.addRecords(clicks);
      expect(task.processAll()).toBe(0);
      expect(task.bufferedRecords).toBe(2);
      task.updateFetchPosition('purchases', 0, 1, 1);
      task.addRecords(purchases);
      // c2 stays buffered: purchases is empty again, but caught up, so it does not hold c2 back (idle 0).
      expect(task.processAll()).toBe(3);
      expect(outputs(task)).toEqual(['c1+p1']);
      expect(task.enforcedProcessing).toBe(0);
    });

    it('without waiting (-1) the same arrival order emits a spurious left-only result', () => {
      const { task } = leftJoinTask({ maxTaskIdleMs: -1 });
      task.updateFetchPosition('purchases', 0, 0, 1);
      task.addRecords(clicks);
      expect(task.processAll()).toBe(2);
      task.addRecords(purchases);
      task.processAll();
      expect(outputs(task)).toContain('c1+null');
    });

    it('a partition known to be caught up (lag 0) does not hold processing back', () => {
      const { task } = leftJoinTask({ maxTaskIdleMs: 0 });
      task.updateFetchPosition('clicks', 0, 2, 2);
      task.updateFetchPosition('purchases', 0, 0, 0);
      task.addRecords(clicks);
      expect(task.processAll()).toBe(2);
      expect(outputs(task)).toEqual(['c1+null']);
    });

    it('with maxTaskIdleMs > 0 a caught-up partition holds processing back that long, then processing is enforced', () => {
      const { task, clock } = leftJoinTask({ maxTaskIdleMs: 50 });
      task.updateFetchPosition('purchases', 0, 0, 0);
      task.addRecords(clicks);
      expect(task.processAll()).toBe(0);
      clock.advanceTo(1049);
      expect(task.processAll()).toBe(0);
      clock.advanceTo(1050);
      expect(task.processAll()).toBe(2);
      expect(task.enforcedProcessing).toBeGreaterThan(0);
    });

    it('an unknown lag is waited for until the lag is reported', () => {
      const { task } = leftJoinTask({ maxTaskIdleMs: 0 });
      task.addRecords(clicks);
      expect(task.processAll()).toBe(0);
      task.updateFetchPosition('purchases', 0, 0, 0);
      expect(task.processAll()).toBe(2);
    });

    it('an unknown or positive lag that is never resolved stops blocking after maxLagWaitMs', () => {
      const { task, clock } = leftJoinTask({ maxTaskIdleMs: 0, maxLagWaitMs: 300 });
      task.updateFetchPosition('purchases', 0, 0, 5);
      task.addRecords(clicks);
      expect(task.processAll()).toBe(0);
      clock.advanceTo(1299);
      expect(task.processAll()).toBe(0);
      clock.advanceTo(1300);
      expect(task.processAll()).toBe(2);
      expect(task.enforcedProcessing).toBeGreaterThan(0);
    });

    it('the wait starts when something is buffered, not while the task is idle', () => {
      const { task, clock } = leftJoinTask({ maxTaskIdleMs: 0, maxLagWaitMs: 300 });
      expect(task.processAll()).toBe(0);
      clock.advanceTo(5000);
      task.addRecords(clicks);
      expect(task.processAll()).toBe(0);
      clock.advanceTo(5300);
      expect(task.processAll()).toBe(2);
    });

    it('the test driver processes every piped record at once, whatever the other input holds', () => {
      const b = new StreamsBuilder();
      b.stream('clicks', { key: s, value: s })
        .leftJoin(b.stream('purchases', { key: s, value: s }), (c, p) => `${c}+${p ?? 'null'}`, JoinWindows.ofTimeDifferenceAndGrace(10, 0))
        .to('out', { key: s, value: s });
      const driver = new TopologyTestDriver(b.build());
      driver.createInputTopic('clicks', s, s).pipeInput('k1', 'c1', 100);
      driver.createInputTopic('clicks', s, s).pipeInput('k2', 'c2', 500);
      expect(driver.createOutputTopic('out', s, s).readValuesToList()).toEqual(['c1+null']);
    });
  });
});
