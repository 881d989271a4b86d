import { describe, expect, it } from 'vitest';
import { deadLetter, DeadLetterHeaders, logAndContinue } from '../../errors.js';
import type { Serde } from '../../serde/serde.js';
import { Serdes } from '../../serde/serdes.js';
import { TopologyTestDriver } from '../../testing/topology-test-driver.js';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, stringStream } from '../../testing/test-kit.js';

const picky: Serde<string> = {
  serialize: (v) => {
    if (v === 'bad') throw new Error('cannot encode bad');
    return Buffer.from(v);
  },
  deserialize: (b) => b.toString(),
};

describe('to (sink)', () => {
  it('writes to a fixed topic with the record timestamp and headers', () => {
    const b = new StreamsBuilder();
    stringStream(b).to('out');
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    driver.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('k', 'v', 42, { trace: 'abc' });
    const r = driver.createOutputTopic('out', Serdes.string(), Serdes.string()).readRecord();
    expect(r).toEqual({ key: 'k', value: 'v', timestamp: 42, headers: { trace: 'abc' } });
  });

  it('tells a StreamPartitioner the partition count declared for the topic, else 1', () => {
    const seen: [string, number][] = [];
    const partitioner = (topic: string, _k: string, _v: string, partitionCount: number): number => {
      seen.push([topic, partitionCount]);
      return 0;
    };
    const b = new StreamsBuilder();
    const s = stringStream(b);
    s.to('declared', { partitioner });
    s.to('undeclared', { partitioner });
    s.repartition({ key: Serdes.string(), value: Serdes.string(), name: 'spread', partitions: 4, partitioner }).to('out');
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0, partitionCounts: { declared: 6 } });
    driver.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('k', 'v', 1);
    expect(seen).toEqual([
      ['declared', 6],
      ['undeclared', 1],
      ['test-app-spread-repartition', 4],
    ]);
  });

  it('chooses the topic per record with a TopicNameExtractor', () => {
    const b = new StreamsBuilder();
    stringStream(b).to((r) => `out-${r.value}`);
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
    input.pipeInput('a', 'x', 1);
    input.pipeInput('b', 'y', 2);
    expect(driver.createOutputTopic('out-x', Serdes.string(), Serdes.string()).readKeyValuesToList()).toEqual([['a', 'x']]);
    expect(driver.createOutputTopic('out-y', Serdes.string(), Serdes.string()).readKeyValuesToList()).toEqual([['b', 'y']]);
    expect(b.build().describe().toString()).toContain('(extractor class: TopicNameExtractor)');
  });

  it('serialization failures follow the production policy: fail (default), continue, dead letter', () => {
    const build = () => {
      const b = new StreamsBuilder();
      stringStream(b).to('out', { value: picky });
      return b;
    };
    expect(() => runThrough(build(), [['a', 'bad', 1]])).toThrow(/cannot encode bad.*output topic out/);

    const skipped = runThrough(build(), [['a', 'bad', 1], ['b', 'ok', 2]], {}, { errorPolicies: { production: logAndContinue() } });
    expect(skipped.records).toEqual([['b', 'ok', 2]]);

    const dlq = runThrough(build(), [['a', 'bad', 7]], {}, { errorPolicies: { production: deadLetter('dlq') } });
    const dead = dlq.driver.createOutputTopic('dlq', Serdes.string(), Serdes.string()).readRecord();
    expect(dead.key).toBe('a');
    expect(dead.value).toBe('bad');
    expect(dead.headers[DeadLetterHeaders.errorClass]).toBe('ProductionError');
    expect(dead.headers[DeadLetterHeaders.phase]).toBe('production');
    expect(dead.headers[DeadLetterHeaders.topic]).toBe('in');
    expect(dead.headers[DeadLetterHeaders.offset]).toBe('0');
  });
});
