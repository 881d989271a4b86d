import type { Observable } from 'rxjs';
import type { KTable } from '../dsl/ktable.js';
import type { Named } from '../dsl/options.js';
import type { Record } from '../processor/record.js';
import type { ObserveOptions } from './record-hub.js';

/**
 * The change feed of a table as a hot RxJS Observable: one record per update this instance makes to
 * the table (value `null` for a delete), for live dashboards. With the record cache on, updates to a key
 * within a commit interval are coalesced, as downstream of the table. The rules of
 * `KStream.toObservable()` apply: bounded buffer per subscriber, this instance's tasks only, seen when
 * processed (before commit). Call it while building the topology.
 *
 * @example
 * import { Serdes, StreamsBuilder, tableChanges } from 'tributary-streams';
 * const builder = new StreamsBuilder();
 * const counts = builder.stream('clicks', { key: Serdes.string(), value: Serdes.string() }).groupByKey().count({ storeName: 'clicks-per-page' });
 * tableChanges(counts).subscribe((r) => console.log(`${r.key}: ${r.value}`));
 */
export function tableChanges<K, V>(table: KTable<K, V>, options: ObserveOptions & Named = {}): Observable<Record<K, V | null>> {
  return table.toStream().toObservable(options) as Observable<Record<K, V | null>>;
}
