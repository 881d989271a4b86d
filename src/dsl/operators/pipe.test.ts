import { filter, map, scan } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { logAndContinue } from '../../errors.js';
import { Record as RecordClass, type Record } from '../../processor/record.js';
import { Serdes } from '../../serde/serdes.js';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, stringStream } from '../../testing/test-kit.js';

describe('pipe (RxJS operators over records)', () => {
  it('runs real RxJS operators and forwards what they emit', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .pipe(
        filter((r: Record<string, string>) => r.value !== 'skip'),
        map((r: Record<string, string>) => r.withValue(r.value.length)),
      )
      .to('out', { key: Serdes.string(), value: Serdes.long() });
    expect(runThrough<string, number>(b, [['a', 'xyz', 1], ['b', 'skip', 2], ['c', 'xy', 3]], { value: Serdes.long() }).records).toEqual([
      ['a', 3, 1],
      ['c', 2, 3],
    ]);
  });

  it('keeps operator state across the records of a task', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .pipe(scan((total: Record<string, number>, r: Record<string, string>) => r.withValue(total.value + r.value.length), new RecordClass<string, number>('', 0, 0)))
      .to('out', { key: Serdes.string(), value: Serdes.long() });
    expect(runThrough<string, number>(b, [['a', 'xyz', 1], ['b', 'xy', 2]], { value: Serdes.long() }).records).toEqual([
      ['a', 3, 1],
      ['b', 5, 2],
    ]);
  });

  it('routes an error thrown inside the chain to the processing error policy', () => {
    const b = new StreamsBuilder();
    stringStream(b)
      .pipe(
        map((r: Record<string, string>) => {
          if (r.value === 'bad') throw new Error('boom');
          return r;
        }),
      )
      .to('out', { key: Serdes.string(), value: Serdes.string() });
    expect(() => runThrough(b, [['a', 'bad', 1]])).toThrow(/boom/);
    const tolerant = new StreamsBuilder();
    stringStream(tolerant)
      .pipe(
        map((r: Record<string, string>) => {
          if (r.value === 'bad') throw new Error('boom');
          return r;
        }),
      )
      .to('out', { key: Serdes.string(), value: Serdes.string() });
    const { records, driver } = runThrough(tolerant, [['a', 'bad', 1], ['b', 'good', 2]], {}, { errorPolicies: { processing: logAndContinue() } });
    expect(records).toEqual([['b', 'good', 2]]);
    expect(driver.droppedRecords).toBe(1);
  });
});
