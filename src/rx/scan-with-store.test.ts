import { scan } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Record } from '../processor/record.js';
import { Serdes } from '../serde/serdes.js';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { runThrough, stringStream } from '../testing/test-kit.js';
import { scanWithStore } from './scan-with-store.js';

const long = { value: Serdes.long() };

describe('scanWithStore', () => {
  it('accumulates per key in a changelogged store declared on the pipe node', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .pipe(scanWithStore({ storeName: 'lengths', key: Serdes.string(), value: Serdes.long() }, (total: number, r: Record<string, string>) => total + r.value.length, () => 0))
      .to('out', { key: Serdes.string(), value: Serdes.long() });
    const { records, driver } = runThrough<string, number>(b, [['a', 'xyz', 1], ['b', 'xy', 2], ['a', 'x', 3]], long, { applicationId: 'scan-app' });
    expect(records).toEqual([
      ['a', 3, 1],
      ['b', 2, 2],
      ['a', 4, 3],
    ]);
    expect(driver.getKeyValueStore<string, number>('lengths').get('a')).toBe(4);
    expect(driver.producedTopicNames()).toContain('scan-app-lengths-changelog');
    expect(b.build().describe().toString()).toContain('lengths');
  });

  it('sends a null-keyed record to the processing error policy', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .pipe(scanWithStore({ storeName: 'n', key: Serdes.string(), value: Serdes.long() }, (n: number) => n + 1, () => 0))
      .to('out', { key: Serdes.string(), value: Serdes.long() });
    expect(() => runThrough(b, [[null, 'x', 1]], long)).toThrow(/null key/);
  });

  it('resumes from the restored store after a restart, where plain scan starts over', async () => {
    const { TopologyTestDriver } = await import('../testing/topology-test-driver.js');
    const build = (): StreamsBuilder => {
      const b = new StreamsBuilder();
      const clicks = stringStream(b);
      clicks.pipe(scanWithStore({ storeName: 'kept', key: Serdes.string(), value: Serdes.long() }, (n: number) => n + 1, () => 0)).to('kept-out', { key: Serdes.string(), value: Serdes.long() });
      clicks.pipe(scan((acc: Record<string, number>, r: Record<string, string>) => r.withValue(acc.value + 1), new Record<string, number>('', 0, 0))).to('plain-out', { key: Serdes.string(), value: Serdes.long() });
      return b;
    };
    const first = new TopologyTestDriver(build().build(), { initialWallClockTime: 0 });
    const in1 = first.createInputTopic<string, string>('in', Serdes.string(), Serdes.string());
    in1.pipeInput('a', 'x', 1);
    in1.pipeInput('a', 'x', 2);
    const changelog = first.createOutputTopic<string, number>('test-app-kept-changelog', Serdes.string(), Serdes.long()).readKeyValuesToList();
    first.close();

    // A new instance of the task: the store comes back from its changelog, the plain operator from nothing.
    const second = new TopologyTestDriver(build().build(), { initialWallClockTime: 0 });
    const store = second.getKeyValueStore<string, number>('kept');
    for (const [k, v] of changelog) store.put(k!, v, 2);
    second.createInputTopic<string, string>('in', Serdes.string(), Serdes.string()).pipeInput('a', 'x', 3);
    expect(second.createOutputTopic<string, number>('kept-out', Serdes.string(), Serdes.long()).readValuesToList()).toEqual([3]);
    expect(second.createOutputTopic<string, number>('plain-out', Serdes.string(), Serdes.long()).readValuesToList()).toEqual([1]);
  });
});
