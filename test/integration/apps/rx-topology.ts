// The RxJS topology of the rx integration tests, shared by the child app (on Kafka) and the test (in the
// TopologyTestDriver) so both run the same operators on the same input.
import { bufferTime, filter, map, scan } from 'rxjs';
import { Record, Serdes, StreamsBuilder, scanWithStore, streamTimeScheduler, type Topology } from '../../../src/index.js';

export interface RxTopics {
  readonly input: string;
  /** Per-key count by scanWithStore (survives a restart). */
  readonly kept: string;
  /** Per-key count by a plain RxJS scan (starts over on restart). */
  readonly plain: string;
  /** One record per non-empty bufferTime(1000) period of stream time: "count:firstTs-lastTs". */
  readonly timed: string;
}

export function rxTopology(topics: RxTopics): Topology {
  const b = new StreamsBuilder();
  const input = b.stream(topics.input, { key: Serdes.string(), value: Serdes.string() });
  input
    .pipe(scanWithStore({ storeName: 'kept-counts', key: Serdes.string(), value: Serdes.long() }, (n: number) => n + 1, () => 0))
    .to(topics.kept, { key: Serdes.string(), value: Serdes.long() });
  input
    .pipe(
      scan((acc: { counts: Map<string, number>; last: Record<string, number> | undefined }, r: Record<string, string>) => {
        const n = (acc.counts.get(r.key) ?? 0) + 1;
        acc.counts.set(r.key, n);
        return { counts: acc.counts, last: r.withValue(n) };
      }, { counts: new Map<string, number>(), last: undefined }),
      map((acc) => acc.last!),
    )
    .to(topics.plain, { key: Serdes.string(), value: Serdes.long() });
  input
    .pipe(
      bufferTime(1000, streamTimeScheduler),
      filter((batch) => batch.length > 0),
      map((batch) => new Record('batch', `${batch.length}:${batch[0]!.timestamp}-${batch[batch.length - 1]!.timestamp}`, batch[batch.length - 1]!.timestamp)),
    )
    .to(topics.timed, { key: Serdes.string(), value: Serdes.string() });
  return b.build();
}
