import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { DeadLetterHeaders, deadLetter, ProcessingError } from '../errors.js';
import { Serdes } from '../serde/serdes.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';

const s = Serdes.string();

function failingTopology() {
  const b = new StreamsBuilder();
  b.stream('in', { key: s, value: s })
    .mapValues((v) => {
      if (v === 'poison') throw new TypeError('cannot handle poison');
      return v.toUpperCase();
    }, { name: 'upper' })
    .to('out', { value: s });
  return b.build();
}

describe('processing errors', () => {
  it('log-and-fail (default) stops with a ProcessingError naming the node, topic, partition and offset', () => {
    const driver = new TopologyTestDriver(failingTopology());
    const input = driver.createInputTopic('in', s, s);
    input.pipeInput('a', 'ok', 1);
    let error: unknown;
    try {
      input.pipeInput('b', 'poison', 2);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProcessingError);
    expect(error).toMatchObject({ nodeName: 'upper', topic: 'in', partition: 0, offset: 1 });
    expect((error as ProcessingError).cause).toBeInstanceOf(TypeError);
  });

  it('dead letter sends the original input bytes with error headers and goes on', () => {
    const driver = new TopologyTestDriver(failingTopology(), { errorPolicies: { processing: deadLetter('in-dlq') } });
    const input = driver.createInputTopic('in', s, s);
    input.pipeInput('a', 'poison', 1, { origin: 'test' });
    input.pipeInput('b', 'fine', 2);
    expect(driver.createOutputTopic('out', s, s).readKeyValuesToList()).toEqual([['b', 'FINE']]);
    const dead = driver.createOutputTopic('in-dlq', s, s).readRecord();
    expect([dead.key, dead.value, dead.timestamp]).toEqual(['a', 'poison', 1]);
    expect(dead.headers).toMatchObject({
      origin: 'test',
      [DeadLetterHeaders.errorClass]: 'ProcessingError',
      [DeadLetterHeaders.phase]: 'processing',
      [DeadLetterHeaders.topic]: 'in',
      [DeadLetterHeaders.partition]: '0',
      [DeadLetterHeaders.offset]: '0',
    });
    expect(String(dead.headers[DeadLetterHeaders.errorMessage])).toMatch(/cannot handle poison.*node upper/);
    expect(driver.droppedRecords).toBe(1);
  });
});
