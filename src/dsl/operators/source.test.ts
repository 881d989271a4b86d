import { describe, expect, it } from 'vitest';
import { deadLetter, DeadLetterHeaders, logAndContinue } from '../../errors.js';
import { Serdes } from '../../serde/serdes.js';
import { TopologyTestDriver } from '../../testing/topology-test-driver.js';
import { StreamsBuilder } from '../streams-builder.js';

interface Click {
  readonly at: string;
  readonly page: string;
}

describe('stream source', () => {
  it('applies the timestamp extractor to the deserialized record', () => {
    const b = new StreamsBuilder();
    b.stream('clicks', { key: Serdes.string(), value: Serdes.json<Click>(), timestamp: (r) => Date.parse(r.value.at) })
      .mapValues((c) => c.page)
      .to('out', { value: Serdes.string() });
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    driver.createInputTopic<string, Click>('clicks', Serdes.string(), Serdes.json<Click>()).pipeInput('u', { at: '2024-01-01T00:00:00Z', page: '/' }, 5);
    expect(driver.createOutputTopic('out', Serdes.string(), Serdes.string()).readRecord().timestamp).toBe(Date.parse('2024-01-01T00:00:00Z'));
  });

  it('drops records with a negative extracted timestamp and counts them', () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: Serdes.string(), value: Serdes.string(), timestamp: () => -1 }).to('out');
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    driver.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('a', 'b', 1);
    expect(driver.createOutputTopic('out', Serdes.string(), Serdes.string()).isEmpty()).toBe(true);
    expect(driver.droppedRecords).toBe(1);
  });

  it('deserialization failures follow the policy: fail names topic/partition/offset; continue skips; dead letter keeps bytes', () => {
    const build = () => {
      const b = new StreamsBuilder();
      b.stream('in', { key: Serdes.string(), value: Serdes.json<{ n: number }>() }).mapValues((v) => String(v.n)).to('out', { value: Serdes.string() });
      return b.build();
    };
    const pipeBad = (driver: TopologyTestDriver) => {
      const raw = driver.createInputTopic('in', Serdes.string(), Serdes.string());
      raw.pipeInput('k', '{"n":1}', 1);
      raw.pipeInput('k', 'not json', 2);
      raw.pipeInput('k', '{"n":3}', 3);
    };
    expect(() => pipeBad(new TopologyTestDriver(build()))).toThrow(/cannot deserialize record.*topic in, partition 0, offset 1/);

    const tolerant = new TopologyTestDriver(build(), { errorPolicies: { deserialization: logAndContinue() } });
    pipeBad(tolerant);
    expect(tolerant.createOutputTopic('out', Serdes.string(), Serdes.string()).readValuesToList()).toEqual(['1', '3']);
    expect(tolerant.droppedRecords).toBe(1);

    const dlq = new TopologyTestDriver(build(), { errorPolicies: { deserialization: deadLetter('in-dlq') } });
    pipeBad(dlq);
    const dead = dlq.createOutputTopic('in-dlq', Serdes.string(), Serdes.string()).readRecordsToList();
    expect(dead).toHaveLength(1);
    expect(dead[0]!.value).toBe('not json');
    expect(dead[0]!.headers[DeadLetterHeaders.errorClass]).toBe('DeserializationError');
    expect(dead[0]!.headers[DeadLetterHeaders.partition]).toBe('0');
    expect(dead[0]!.headers[DeadLetterHeaders.offset]).toBe('1');
    expect(String(dead[0]!.headers[DeadLetterHeaders.errorMessage])).toMatch(/JSON/);
  });
});
