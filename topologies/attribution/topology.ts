import { JoinWindows, Serdes, StreamsBuilder, minutes, type Topology } from '../../src/index.js';
import type { Attribution, ClickEvent, PurchaseEvent } from './events.js';

export const CLICKS_TOPIC = 'click-events';
export const PURCHASES_TOPIC = 'purchase-events';
export const OUTPUT_TOPIC = 'click-purchase-attribution';
/** A purchase counts for a click when it happens 0 to 30 minutes after it (both ends included). */
export const ATTRIBUTION_MS = minutes(30);
/** How late an event may arrive and still join; a click without purchase is emitted once this has passed too. */
export const LATENESS_MS = minutes(10);

/**
 * Click-to-purchase attribution: each click (action `click`) left-joined with the same user's purchases made
 * 0-30 minutes after it. A click with purchases gives one row per purchase as soon as both are seen; a click with
 * none gives one row with null purchase fields once its window and the 10-minute lateness have passed (Kafka
 * Streams' left join, like Spark's watermark-bound outer join). Events later than that are dropped.
 *
 * @example
 * const driver = new TopologyTestDriver(attributionTopology());
 */
export function attributionTopology(): Topology {
  const builder = new StreamsBuilder();
  const eventTime = (r: { value: { timestamp: string } }): number => Date.parse(r.value.timestamp);
  const clicks = builder
    .stream<string, ClickEvent>(CLICKS_TOPIC, { key: Serdes.string(), value: Serdes.json<ClickEvent>(), timestamp: eventTime })
    .filter((_k, e) => e.action === 'click')
    .selectKey((_k, e) => e.user_id);
  const purchases = builder
    .stream<string, PurchaseEvent>(PURCHASES_TOPIC, { key: Serdes.string(), value: Serdes.json<PurchaseEvent>(), timestamp: eventTime })
    .selectKey((_k, p) => p.user_id);
  clicks
    .leftJoin(
      purchases,
      (click: ClickEvent, purchase: PurchaseEvent | null): Attribution => ({
        user_id: click.user_id,
        clicked_page: click.page_url,
        click_time: click.timestamp,
        product_id: purchase?.product_id ?? null,
        purchase_amount: purchase?.amount ?? null,
        purchase_time: purchase?.timestamp ?? null,
        time_to_purchase_seconds: purchase === null ? null : Math.floor((Date.parse(purchase.timestamp) - Date.parse(click.timestamp)) / 1000),
      }),
      JoinWindows.ofTimeDifferenceAndGrace(ATTRIBUTION_MS, LATENESS_MS).before(0),
      { name: 'attribution', key: Serdes.string(), value: Serdes.json<ClickEvent>(), otherValue: Serdes.json<PurchaseEvent>() },
    )
    .to(OUTPUT_TOPIC, { key: Serdes.string(), value: Serdes.json<Attribution>() });
  return builder.build();
}
