import { bufferTime, debounceTime, delay, filter, map, throttleTime, type OperatorFunction } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { logAndContinue } from '../errors.js';
import { Record } from '../processor/record.js';
import { Serdes } from '../serde/serdes.js';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { stringStream, runThrough } from '../testing/test-kit.js';
import { TopologyTestDriver } from '../testing/topology-test-driver.js';
import { streamTimeScheduler, wallClockScheduler } from './pipe-runtime.js';

type R = Record<string, string>;

/** Batches to one record: key of the last, value = the batch's values joined, timestamp = the last. */
const joinBatch: OperatorFunction<R[], R> = (source) =>
  source.pipe(
    filter((batch) => batch.length > 0),
    map((batch) => batch[batch.length - 1]!.withValue(batch.map((r) => r.value).join('+'))),
  );

describe('timed RxJS operators on the task clock', () => {
  it('bufferTime on stream time closes periods by record timestamps, a record at the period end starting the next', () => {
    const b = new StreamsBuilder();
    stringStream(b).pipe(bufferTime(1000, streamTimeScheduler), joinBatch).to('out', { key: Serdes.string(), value: Serdes.string() });
    // The first record starts period [100, 1100); 1100 closes it and starts [1100, 2100); 3500 closes that and an empty one.
    const { records } = runThrough(b, [['a', '1', 100], ['b', '2', 600], ['c', '3', 1100], ['d', '4', 1500], ['e', '5', 3500]]);
    expect(records).toEqual([
      ['b', '1+2', 600],
      ['d', '3+4', 1500],
    ]);
  });

  it('delay on stream time emits a record once stream time passes its due time, not before', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .pipe(delay(500, streamTimeScheduler), map((r: R) => r.withValue(`${r.value}@${streamTimeScheduler.now()}`)))
      .to('out', { key: Serdes.string(), value: Serdes.string() });
    const { records } = runThrough(b, [['a', 'x', 0], ['b', 'y', 400], ['c', 'z', 1200]]);
    expect(records).toEqual([
      ['a', 'x@500', 0],
      ['b', 'y@900', 400],
    ]);
  });

  it('debounceTime and throttleTime on stream time', () => {
    const debounced = new StreamsBuilder();
    stringStream(debounced).pipe(debounceTime(300, streamTimeScheduler)).to('out', { key: Serdes.string(), value: Serdes.string() });
    expect(runThrough(debounced, [['a', '1', 0], ['a', '2', 100], ['a', '3', 200], ['a', '4', 600], ['a', '5', 1000]]).records).toEqual([
      ['a', '3', 200],
      ['a', '4', 600],
    ]);
    const throttled = new StreamsBuilder();
    stringStream(throttled).pipe(throttleTime(300, streamTimeScheduler)).to('out', { key: Serdes.string(), value: Serdes.string() });
    expect(runThrough(throttled, [['a', '1', 0], ['a', '2', 100], ['a', '3', 299], ['a', '4', 300], ['a', '5', 450], ['a', '6', 700]]).records).toEqual([
      ['a', '1', 0],
      ['a', '4', 300],
      ['a', '6', 700],
    ]);
  });

  it('a stream-time timer also fires when stream time moves through records that never reach the pipe', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .filter((_k, v) => v !== 'tick')
      .pipe(delay(500, streamTimeScheduler))
      .to('out', { key: Serdes.string(), value: Serdes.string() });
    const { records } = runThrough(b, [['a', 'x', 0], ['t', 'tick', 600]]);
    expect(records).toEqual([['a', 'x', 0]]);
  });

  it('bufferTime on the wall clock is driven by advanceWallClockTime, and its output is captured like a punctuation', () => {
    const b = new StreamsBuilder();
    stringStream(b).pipe(bufferTime(1000, wallClockScheduler), joinBatch).to('out', { key: Serdes.string(), value: Serdes.string() });
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    const input = driver.createInputTopic<string, string>('in', Serdes.string(), Serdes.string());
    const out = driver.createOutputTopic<string, string>('out', Serdes.string(), Serdes.string());
    input.pipeInput('a', '1', 5);
    input.pipeInput('b', '2', 999_999);
    expect(out.isEmpty()).toBe(true);
    driver.advanceWallClockTime(999);
    expect(out.isEmpty()).toBe(true);
    driver.advanceWallClockTime(1);
    expect(out.readKeyValuesToList()).toEqual([['b', '1+2']]);
    input.pipeInput('c', '3', 7);
    driver.advanceWallClockTime(5000);
    expect(out.readKeyValuesToList()).toEqual([['c', '3']]);
    driver.close();
  });

  it('an error in a timed emission goes to the processing error policy and the chain starts over', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .pipe(
        delay(100, streamTimeScheduler),
        map((r: R) => {
          if (r.value === 'bad') throw new Error('boom');
          return r;
        }),
      )
      .to('out', { key: Serdes.string(), value: Serdes.string() });
    expect(() => runThrough(b, [['a', 'bad', 0], ['b', 'ok', 200]])).toThrow(/boom/);
    const { records, driver } = runThrough(b, [['a', 'bad', 0], ['b', 'ok', 200], ['c', 'ok', 400], ['d', 'ok', 1000]], {}, { errorPolicies: { processing: logAndContinue() } });
    // The timer of 'a' fires when 'b' moves stream time to 200, before 'b' enters: the failure is reported with 'b'
    // (the record in process), which is dropped by the policy; the rebuilt chain delays 'c' to 500 ('d' to 1500, pending).
    expect(records).toEqual([['c', 'ok', 400]]);
    expect(driver.droppedRecords).toBe(1);
  });

  it('closing the task drops what operators hold instead of flushing it into the closing task', () => {
    const b = new StreamsBuilder();
    const flushed: string[] = [];
    stringStream(b)
      .pipe(bufferTime(1000, streamTimeScheduler), joinBatch)
      .foreach((_k, v) => flushed.push(v));
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    driver.createInputTopic<string, string>('in', Serdes.string(), Serdes.string()).pipeInput('a', 'held', 10);
    driver.close();
    expect(flushed).toEqual([]);
  });

  it('the task schedulers refuse to work outside a pipe', () => {
    expect(() => streamTimeScheduler.now()).toThrow(/only inside KStream.pipe/);
  });
});
