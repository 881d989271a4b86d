import { bufferTime, filter as rxFilter, map as rxMap, type Observable } from 'rxjs';
import { streamTimeScheduler } from '../rx/pipe-runtime.js';
import { describe, expectTypeOf, it } from 'vitest';
import type { Record } from '../processor/record.js';
import { Serdes } from '../serde/serdes.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import type { KGroupedTable } from './kgrouped-table.js';
import type { KStream } from './kstream.js';
import type { KTable } from './ktable.js';
import { StreamsBuilder } from './streams-builder.js';

interface Click {
  readonly page: string;
  readonly ms: number;
}
type Event = { readonly type: 'click'; readonly page: string } | { readonly type: 'view'; readonly seconds: number };

const b = new StreamsBuilder();
const clicks = b.stream('clicks', { key: Serdes.string(), value: Serdes.json<Click>() });

describe('KStream generics', () => {
  it('carries key and value types through stateless operators', () => {
    expectTypeOf(clicks).toEqualTypeOf<KStream<string, Click>>();
    expectTypeOf(clicks.mapValues((c) => c.ms)).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(clicks.map((k, c) => [c.ms, k])).toEqualTypeOf<KStream<number, string>>();
    expectTypeOf(clicks.selectKey((_, c) => c.page.length)).toEqualTypeOf<KStream<number, Click>>();
    expectTypeOf(clicks.flatMapValues((c) => [c.page, c.page])).toEqualTypeOf<KStream<string, string>>();
    expectTypeOf(clicks.flatMap((k, c) => [[c.page, k] as const])).toEqualTypeOf<KStream<string, string>>();
    expectTypeOf(clicks.filter((_, c) => c.ms > 0)).toEqualTypeOf<KStream<string, Click>>();
    expectTypeOf(clicks.peek(() => undefined).merge(clicks)).toEqualTypeOf<KStream<string, Click>>();
  });

  it('narrows the value type with a type-guard predicate', () => {
    const events = b.stream('events', { key: Serdes.string(), value: Serdes.json<Event>() });
    const onlyClicks = events.filter((_, e): e is Extract<Event, { type: 'click' }> => e.type === 'click');
    expectTypeOf(onlyClicks).toEqualTypeOf<KStream<string, { readonly type: 'click'; readonly page: string }>>();
    expectTypeOf(onlyClicks.mapValues((e) => e.page)).toEqualTypeOf<KStream<string, string>>();
  });

  it('types pipe() from the RxJS operators', () => {
    const piped = clicks.pipe(
      rxFilter((r: Record<string, Click>) => r.value.ms > 0),
      rxMap((r: Record<string, Click>) => r.withValue(r.value.ms)),
    );
    expectTypeOf(piped).toEqualTypeOf<KStream<string, number>>();
    // Operators in between may emit non-records (arrays from bufferTime); the last one decides the stream's types.
    const batched = clicks.pipe(
      bufferTime(1000, streamTimeScheduler),
      rxMap((batch) => batch[0]!.withValue(batch.length)),
    );
    expectTypeOf(batched).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(clicks.toObservable()).toEqualTypeOf<Observable<Record<string, Click>>>();
  });

  it('types grouping and aggregations', () => {
    expectTypeOf(clicks.groupByKey()).toEqualTypeOf<KGroupedStream<string, Click>>();
    expectTypeOf(clicks.groupBy((_, c) => c.page)).toEqualTypeOf<KGroupedStream<string, Click>>();
    expectTypeOf(clicks.groupByKey().count()).toEqualTypeOf<KTable<string, number>>();
    expectTypeOf(clicks.groupByKey().reduce((a, c) => ({ page: a.page, ms: a.ms + c.ms }))).toEqualTypeOf<KTable<string, Click>>();
    const total = clicks.groupByKey().aggregate(
      () => 0,
      (_, c, sum) => sum + c.ms,
      { value: Serdes.long() },
    );
    expectTypeOf(total).toEqualTypeOf<KTable<string, number>>();
    expectTypeOf(total.toStream()).toEqualTypeOf<KStream<string, number | null>>();
  });

  it('types KTable operations', () => {
    const users = b.table('users', { key: Serdes.string(), value: Serdes.json<{ name: string; age: number }>() });
    expectTypeOf(users.mapValues((u) => u.age)).toEqualTypeOf<KTable<string, number>>();
    expectTypeOf(users.groupBy((_, u) => [u.age, u.name])).toEqualTypeOf<KGroupedTable<number, string>>();
    expectTypeOf(users.groupBy((_, u) => [u.age, u.name]).count()).toEqualTypeOf<KTable<number, number>>();
  });

  it('rejects a wrong serde or a wrong mapper at compile time', () => {
    // @ts-expect-error the value serde must serialize Click, not number
    clicks.to('out', { value: Serdes.long() });
    // @ts-expect-error the key serde must match the key type
    clicks.to('out', { key: Serdes.long() });
    // @ts-expect-error a source's serdes fix its types; a string serde cannot produce Click
    const wrong: KStream<string, Click> = b.stream('x', { key: Serdes.string(), value: Serdes.string() });
    void wrong;
    // @ts-expect-error mapValues receives a Click, which has no `length`
    clicks.mapValues((c) => c.length);
    // @ts-expect-error a reducer must return the value type
    clicks.groupByKey().reduce((a) => a.page);
    // @ts-expect-error an aggregate's Materialized serde must match the aggregate type
    clicks.groupByKey().aggregate(() => 0, (_, c, n) => n + c.ms, { value: Serdes.string() });
    // @ts-expect-error merge needs the same value type
    clicks.merge(clicks.mapValues((c) => c.ms));
    // @ts-expect-error a predicate must return boolean-compatible results with the right parameter types
    clicks.filter((_, c: string) => c.length > 0);
  });
});
