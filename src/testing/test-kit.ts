import { StreamsBuilder } from '../dsl/streams-builder.js';
import type { KStream } from '../dsl/kstream.js';
import { Serdes } from '../serde/serdes.js';
import type { Serde } from '../serde/serde.js';
import { TopologyTestDriver, type TestRecord, type TopologyTestDriverOptions } from './topology-test-driver.js';

/** Small helpers for operator tests: a string stream, and a run that pipes records and reads one topic. */
export const strings = Object.freeze({ key: Serdes.string(), value: Serdes.string() });

export function stringStream(builder: StreamsBuilder, topic = 'in'): KStream<string, string> {
  return builder.stream(topic, strings);
}

export type Input<K = string, V = string> = readonly [K | null, V | null, number];

/** Builds, pipes `inputs` into `in`, and returns the records of `out` as [key, value, ts]. */
export function runThrough<KO = string, VO = string>(
  builder: StreamsBuilder,
  inputs: readonly Input[],
  output: { topic?: string; key?: Serde<NonNullable<KO>>; value?: Serde<NonNullable<VO>> } = {},
  options: TopologyTestDriverOptions = {},
): { records: [KO | null, VO | null, number][]; driver: TopologyTestDriver } {
  const driver = new TopologyTestDriver(builder.build(), { initialWallClockTime: 0, ...options });
  const input = driver.createInputTopic<string, string>('in', Serdes.string(), Serdes.string());
  const out = driver.createOutputTopic<KO, VO>(output.topic ?? 'out', output.key ?? (Serdes.string() as never), output.value ?? (Serdes.string() as never));
  for (const [k, v, ts] of inputs) input.pipeInput(k, v, ts);
  return { records: out.readRecordsToList().map((r: TestRecord<KO, VO>) => [r.key, r.value, r.timestamp]), driver };
}
