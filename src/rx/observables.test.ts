import { firstValueFrom, from, interval, map, take, throwError, toArray, concat, bufferCount, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Serdes } from '../serde/serdes.js';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { TopologyTestDriver, type TestInputTopic } from '../testing/topology-test-driver.js';
import { tableChanges } from './table-changes.js';
import { RecordHub } from './record-hub.js';

const strings = { key: Serdes.string(), value: Serdes.string() };

describe('observables out of a topology', () => {
  it('toObservable yields the records the task processes, with timestamps and headers, to each subscriber', async () => {
    const b = new StreamsBuilder();
    const live = b.stream('in', strings).mapValues((v) => v.toUpperCase()).toObservable();
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    const input = driver.createInputTopic<string, string>('in', Serdes.string(), Serdes.string());
    input.pipeInput('before', 'subscribing', 1);
    const first = firstValueFrom(live.pipe(take(2), toArray()));
    const second = firstValueFrom(live.pipe(take(1), toArray()));
    input.pipeInput('a', 'x', 10, { trace: Buffer.from('t1') });
    input.pipeInput('b', 'y', 20);
    const seen = await first;
    expect(seen.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 'X', 10],
      ['b', 'Y', 20],
    ]);
    expect(seen[0]!.headers['trace']?.toString()).toBe('t1');
    expect((await second).map((r) => r.key)).toEqual(['a']);
    driver.close();
  });

  it('delivers after processing, so a subscriber that throws or is slow cannot fail the task', async () => {
    const b = new StreamsBuilder();
    const live = b.stream('in', strings).toObservable();
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    const input = driver.createInputTopic<string, string>('in', Serdes.string(), Serdes.string());
    const got: string[] = [];
    live.subscribe((r) => got.push(r.value));
    input.pipeInput('a', 'x', 1);
    expect(got).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual(['x']);
  });

  it('bounds each buffer: drop-oldest keeps the latest, drop-newest the first, error ends the subscription', async () => {
    const run = async (overflow: 'drop-oldest' | 'drop-newest' | 'error'): Promise<{ values: number[]; error?: unknown }> => {
      const hub = new RecordHub<number>({ bufferSize: 3, overflow });
      const values: number[] = [];
      let error: unknown;
      const done = new Promise<void>((resolve) => {
        hub.observable.subscribe({ next: (v) => values.push(v), error: (e) => { error = e; resolve(); } });
        for (let i = 1; i <= 5; i++) hub.publish(i);
        setImmediate(() => setImmediate(resolve));
      });
      await done;
      return { values, error };
    };
    expect((await run('drop-oldest')).values).toEqual([3, 4, 5]);
    expect((await run('drop-newest')).values).toEqual([1, 2, 3]);
    const failed = await run('error');
    expect(failed.values).toEqual([]);
    expect(String(failed.error)).toMatch(/buffer of 3 records is full/);
    expect(() => new RecordHub({ bufferSize: 0 })).toThrow(RangeError);
  });

  it('tableChanges streams the updates of a materialized table, deletes as null', async () => {
    const b = new StreamsBuilder();
    const table = b.table('users', { ...strings, storeName: 'users' });
    const changes = tableChanges(table);
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    const input = driver.createInputTopic<string, string>('users', Serdes.string(), Serdes.string());
    const seen = firstValueFrom(changes.pipe(take(3), toArray()));
    input.pipeInput('u1', 'ann', 1);
    input.pipeInput('u1', 'anna', 2);
    input.pipeInput('u1', null, 3);
    expect((await seen).map((r) => [r.key, r.value])).toEqual([
      ['u1', 'ann'],
      ['u1', 'anna'],
      ['u1', null],
    ]);
  });
});

describe('TopologyTestDriver.pipeObservable', () => {
  const build = (): { driver: TopologyTestDriver; out: () => string[]; input: TestInputTopic<string, string> } => {
    const b = new StreamsBuilder();
    b.stream('in', strings).mapValues((v) => `${v}!`).to('out', strings);
    const driver = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    const input = driver.createInputTopic<string, string>('in', Serdes.string(), Serdes.string());
    const output = driver.createOutputTopic<string, string>('out', Serdes.string(), Serdes.string());
    return { driver, input, out: () => output.readValuesToList() as string[] };
  };

  it('pipes a synchronous source at once and an asynchronous one as it emits', async () => {
    const { driver, input, out } = build();
    await driver.pipeObservable(input, from([{ key: 'a', value: '1', timestamp: 5 }, { key: 'b', value: '2' }]));
    expect(out()).toEqual(['1!', '2!']);
    await driver.pipeObservable(input, interval(1).pipe(take(3), map((i) => ({ key: 'k', value: `i${i}`, timestamp: 10 + i }))));
    expect(out()).toEqual(['i0!', 'i1!', 'i2!']);
    const subject = new Subject<{ key: string; value: string }>();
    const piped = driver.pipeObservable(input, subject);
    subject.next({ key: 'a', value: 'live' });
    expect(out()).toEqual(['live!']);
    subject.complete();
    await piped;
  });

  it("rejects with the source's error, and with a processing failure (stopping the source)", async () => {
    const { driver, input } = build();
    await expect(driver.pipeObservable(input, concat(from([{ key: 'a', value: '1' }]), throwError(() => new Error('source broke'))))).rejects.toThrow(/source broke/);
    const b = new StreamsBuilder();
    b.stream('in', strings).mapValues((v) => {
      if (v === 'bad') throw new Error('boom');
      return v;
    }).to('out', strings);
    const failing = new TopologyTestDriver(b.build(), { initialWallClockTime: 0 });
    const pulled: string[] = [];
    const source = from(['ok', 'bad', 'never']).pipe(map((v) => (pulled.push(v), { key: 'k', value: v })), bufferCount(1), map((batch) => batch[0]!));
    await expect(failing.pipeObservable(failing.createInputTopic<string, string>('in', Serdes.string(), Serdes.string()), source)).rejects.toThrow(/boom/);
    expect(pulled).toEqual(['ok', 'bad']);
  });
});
