import { Change } from '../../processor/change.js';
import type { ProcessorContext } from '../../processor/processor.js';
import { Record } from '../../processor/record.js';
import { setCacheFlushListener } from '../../state/caching-key-value-store.js';
import type { StateStore } from '../../state/state-store.js';

/**
 * Kafka Streams' TimestampedTupleForwarder for the processors that write a KTable's store: when the store
 * caches, it forwards `Change(latest, old)` itself as it flushes (at commit or on eviction) and this
 * returns true, so the processor must not forward its updates; otherwise it returns false and the
 * processor forwards every update at once.
 */
export function forwardsOnFlush<K, V>(store: StateStore, ctx: ProcessorContext<K, Change<V>>, sendOldValues: boolean): boolean {
  return setCacheFlushListener<K, V>(store, (key, newValue, oldValue, timestamp, headers) => ctx.forward(new Record(key, new Change(newValue, oldValue), timestamp, headers)), sendOldValues);
}
