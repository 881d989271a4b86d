import type { Headers } from './headers.js';

// Headers travel with every record, so the record module re-exports them for its importers.
export type { Headers };

const NO_HEADERS: Headers = Object.freeze({});

/**
 * An immutable record flowing between processors. Every `with*` method returns a new record.
 *
 * @example
 * const r = new Record('user-1', 42, 1_700_000_000_000);
 * const doubled = r.withValue(r.value * 2);   // r is unchanged
 */
export class Record<K, V> {
  constructor(
    readonly key: K,
    readonly value: V,
    readonly timestamp: number,
    readonly headers: Headers = NO_HEADERS,
  ) {}

  withKey<KR>(key: KR): Record<KR, V> {
    return new Record(key, this.value, this.timestamp, this.headers);
  }

  withValue<VR>(value: VR): Record<K, VR> {
    return new Record(this.key, value, this.timestamp, this.headers);
  }

  withTimestamp(timestamp: number): Record<K, V> {
    return new Record(this.key, this.value, timestamp, this.headers);
  }

  withHeaders(headers: Headers): Record<K, V> {
    return new Record(this.key, this.value, this.timestamp, headers);
  }
}
