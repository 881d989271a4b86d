import { describe, expect, it } from 'vitest';
import { BufferConfig, Serdes, StreamsBuilder, Suppressed, TimeWindows, timeWindowedSerde } from '../../index.js';
import { TopologyTestDriver } from '../../testing/index.js';

const s = { key: Serdes.string(), value: Serdes.string() };

function windowedCounts(suppressed: Suppressed) {
  const b = new StreamsBuilder();
  b.stream('in', s)
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
    .count()
    .suppress(suppressed)
    .toStream()
    .to('out', { key: timeWindowedSerde(Serdes.string(), 10), value: Serdes.long() });
  const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
  return { driver, input: driver.createInputTopic('in', Serdes.string(), Serdes.string()), out: driver.createOutputTopic('out', timeWindowedSerde(Serdes.string(), 10), Serdes.long()) };
}

describe('suppress', () => {
  it('untilWindowCloses emits each window once, at end + grace of its own stream time', () => {
    const { input, out } = windowedCounts(Suppressed.untilWindowCloses(BufferConfig.unbounded()));
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', 'x', 9);
    input.pipeInput('b', 'x', 14);
    expect(out.isEmpty()).toBe(true);
    input.pipeInput('b', 'x', 15);
    expect(out.readRecordsToList().map((r) => [r.key!.key, r.key!.window.start, r.value, r.timestamp])).toEqual([['a', 0, 2, 9]]);
  });

  it('a bounded buffer emits early when full, or fails when told to shut down', () => {
    const early = windowedCounts(Suppressed.untilWindowCloses(BufferConfig.maxRecords(1).emitEarlyWhenFull()));
    early.input.pipeInput('a', 'x', 1);
    early.input.pipeInput('b', 'x', 2);
    expect(early.out.readRecordsToList().map((r) => [r.key!.key, r.value])).toEqual([['a', 1]]);

    const strict = windowedCounts(Suppressed.untilWindowCloses(BufferConfig.maxRecords(1).shutDownWhenFull()));
    strict.input.pipeInput('a', 'x', 1);
    expect(() => strict.input.pipeInput('b', 'x', 2)).toThrow(/suppress buffer .* is full/);
  });

  it('untilWindowCloses on a table without windows is rejected when the topology is built', () => {
    const b = new StreamsBuilder();
    expect(() => b.table('t', s).suppress(Suppressed.untilWindowCloses())).toThrow(/no windowed aggregation upstream/);
  });
});
