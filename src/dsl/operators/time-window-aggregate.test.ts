import { describe, expect, it } from 'vitest';
import { Serdes, SessionWindows, StreamsBuilder, TimeWindows, sessionWindowedSerde, timeWindowedSerde, type InMemoryWindowStore } from '../../index.js';
import { TopologyTestDriver } from '../../testing/index.js';

const s = { key: Serdes.string(), value: Serdes.string() };

describe('windowed aggregations', () => {
  it('emit final forwards each tumbling window once when it closes, reduce folds values', () => {
    const b = new StreamsBuilder();
    b.stream('in', s)
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .emitStrategy('final')
      .reduce((a, v) => `${a},${v}`, { storeName: 'words' })
      .toStream()
      .to('out', { key: timeWindowedSerde(Serdes.string(), 10), value: Serdes.string() });
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    const out = driver.createOutputTopic('out', timeWindowedSerde(Serdes.string(), 10), Serdes.string());
    input.pipeInput('k', 'a', 1);
    input.pipeInput('k', 'b', 5);
    expect(out.isEmpty()).toBe(true);
    input.pipeInput('k', 'c', 12);
    input.pipeInput('k', 'late', 3);
    expect(out.readRecordsToList().map((r) => [r.key!.window.start, r.key!.window.end, r.value, r.timestamp])).toEqual([[0, 10, 'a,b', 5]]);
    expect(driver.droppedRecords).toBe(1);
    expect(driver.getStateStore<InMemoryWindowStore<string, string>>('words').fetch('k', 10)?.value).toBe('c');
  });

  it('session aggregate merges sessions with the merger and retracts the absorbed ones', () => {
    const b = new StreamsBuilder();
    b.stream('in', s)
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapAndGrace(5, 10))
      .aggregate(
        () => '',
        (_k, v, agg) => agg + v,
        (_k, a, c) => a + c,
        { value: Serdes.string() },
      )
      .toStream()
      .to('out', { key: sessionWindowedSerde(Serdes.string()), value: Serdes.string() });
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    const out = driver.createOutputTopic('out', sessionWindowedSerde(Serdes.string()), Serdes.string());
    input.pipeInput('u', 'a', 0);
    input.pipeInput('u', 'b', 10);
    input.pipeInput('u', 'c', 5);
    expect(out.readRecordsToList().map((r) => [r.key!.window.start, r.key!.window.end, r.value, r.timestamp])).toEqual([
      [0, 0, 'a', 0],
      [10, 10, 'b', 10],
      [0, 0, null, 0],
      [10, 10, null, 10],
      [0, 10, 'abc', 10],
    ]);
  });

  it('late-records policy: records too late for every window go to a side topic and are still counted', () => {
    const b = new StreamsBuilder();
    b.stream('in', s)
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5))
      .count({ lateRecords: { topic: 'late' } })
      .toStream()
      .to('out', { key: timeWindowedSerde(Serdes.string(), 10), value: Serdes.long() });
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    const late = driver.createOutputTopic('late', Serdes.string(), Serdes.string());
    const out = driver.createOutputTopic('out', timeWindowedSerde(Serdes.string(), 10), Serdes.long());
    input.pipeInput('k', 'a', 20);
    input.pipeInput('k', 'straddles', 16); // [10,20) closed, [15,25) open: counted, not routed
    input.pipeInput('k', 'too-late', 3);
    expect(late.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([['k', 'too-late', 3]]);
    expect(out.readRecordsToList().map((r) => [r.key!.window.start, r.value])).toEqual([
      [15, 1],
      [20, 1],
      [15, 2],
    ]);
    expect(driver.droppedRecords).toBe(2);
  });

  it('rejects a retention shorter than window + grace', () => {
    const b = new StreamsBuilder();
    const windowed = b.stream('in', s).groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 5));
    expect(() => windowed.count({ retentionMs: 12 })).toThrow(/at least window size \+ grace/);
  });
});
