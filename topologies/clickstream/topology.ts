import { Serdes, StreamsBuilder, TimeWindows, minutes, timeWindowedSerde, type Topology, type Windowed } from '../../src/index.js';
import type { ClickEvent } from './events.js';
import { HyperLogLog } from './hyperloglog.js';

/** Per page and 5-minute window: what the demo table shows. */
export interface PageStats {
  readonly views: number;
  readonly clicks: number;
  /** Approximate distinct users (HyperLogLog). */
  readonly uniqueUsers: number;
  /** clicks / views (0 without views). */
  readonly ctr: number;
}

interface PageAggregate {
  readonly views: number;
  readonly clicks: number;
  readonly users: { precision: number; registers: string };
}

export const INPUT_TOPIC = 'click-events';
export const OUTPUT_TOPIC = 'page-stats-5m';
export const WINDOW_MS = minutes(5);
export const GRACE_MS = minutes(1);
export const STORE = 'page-stats-5m-store';

export const outputKeySerde = timeWindowedSerde(Serdes.string(), WINDOW_MS);
export const outputValueSerde = Serdes.json<PageStats>();

/**
 * Page statistics per 5-minute tumbling window (1 minute of grace for late events): views, clicks,
 * approximate unique users and click-through rate, updated on every event (Spark's update mode).
 * Events more than a minute late for their window are dropped and counted (dropped-records).
 *
 * @example
 * const driver = new TopologyTestDriver(clickstreamTopology());
 */
export function clickstreamTopology(): Topology {
  const builder = new StreamsBuilder();
  builder
    .stream<string, ClickEvent>(INPUT_TOPIC, { key: Serdes.string(), value: Serdes.json<ClickEvent>(), timestamp: (r) => r.value.ts })
    .groupBy((_user, event) => event.page, { key: Serdes.string(), value: Serdes.json<ClickEvent>() })
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS))
    .aggregate<PageAggregate>(
      () => ({ views: 0, clicks: 0, users: HyperLogLog.empty().toJSON() }),
      (_page, event, agg) => ({
        views: agg.views + (event.type === 'view' ? 1 : 0),
        clicks: agg.clicks + (event.type === 'click' ? 1 : 0),
        users: HyperLogLog.fromJSON(agg.users).add(event.user).toJSON(),
      }),
      { storeName: STORE, value: Serdes.json<PageAggregate>() },
    )
    .mapValues(
      (agg): PageStats => ({
        views: agg.views,
        clicks: agg.clicks,
        uniqueUsers: HyperLogLog.fromJSON(agg.users).estimate(),
        ctr: agg.views === 0 ? 0 : agg.clicks / agg.views,
      }),
    )
    .toStream()
    .to(OUTPUT_TOPIC, { key: outputKeySerde, value: outputValueSerde as never });
  return builder.build();
}

export type PageWindow = Windowed<string>;
