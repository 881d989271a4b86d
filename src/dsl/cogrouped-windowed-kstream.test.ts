import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder, TimeWindows, timeWindowedSerde } from '../index.js';
import { TopologyTestDriver } from '../testing/index.js';

const s = { key: Serdes.string(), value: Serdes.string() };

describe('cogroup windowedBy', () => {
  it('aggregates several grouped streams into one windowed table', () => {
    const b = new StreamsBuilder();
    const views = b.stream('views', s).groupByKey();
    const clicks = b.stream('clicks', s).groupByKey();
    views
      .cogroup((_k, _v, agg: { views: number; clicks: number }) => ({ ...agg, views: agg.views + 1 }))
      .cogroup(clicks, (_k, _v, agg) => ({ ...agg, clicks: agg.clicks + 1 }))
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .aggregate(() => ({ views: 0, clicks: 0 }), { value: Serdes.json<{ views: number; clicks: number }>() })
      .toStream()
      .to('out', { key: timeWindowedSerde(Serdes.string(), 10), value: Serdes.json() });
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    driver.createInputTopic('views', Serdes.string(), Serdes.string()).pipeInput('/', 'v', 1);
    driver.createInputTopic('clicks', Serdes.string(), Serdes.string()).pipeInput('/', 'c', 2);
    driver.createInputTopic('views', Serdes.string(), Serdes.string()).pipeInput('/', 'v', 12);
    const out = driver.createOutputTopic('out', timeWindowedSerde(Serdes.string(), 10), Serdes.json<{ views: number; clicks: number }>());
    expect(out.readRecordsToList().map((r) => [r.key!.window.start, r.value])).toEqual([
      [0, { views: 1, clicks: 0 }],
      [0, { views: 1, clicks: 1 }],
      [10, { views: 1, clicks: 0 }],
    ]);
  });
});
