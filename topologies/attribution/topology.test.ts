import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/index.js';
import { TopologyTestDriver } from '../../src/testing/index.js';
import type { Attribution, ClickEvent, PurchaseEvent } from './events.js';
import { attributionTopology, CLICKS_TOPIC, OUTPUT_TOPIC, PURCHASES_TOPIC } from './topology.js';

const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
const min = 60_000;
const iso = (at: number): string => new Date(T0 + at).toISOString();
const click = (user: string, page: string, at: number, action: ClickEvent['action'] = 'click'): ClickEvent => ({
  user_id: user, page_url: page, action, timestamp: iso(at), session_id: `s-${user}`, device_type: 'mobile', geo_location: 'FR',
});
const purchase = (user: string, product: string, amount: number, at: number): PurchaseEvent => ({ user_id: user, product_id: product, amount, timestamp: iso(at) });

type Input = { click: ClickEvent } | { purchase: PurchaseEvent };

function run(inputs: readonly Input[]): Attribution[] {
  const driver = new TopologyTestDriver(attributionTopology(), { applicationId: 'attribution-test' });
  const clicks = driver.createInputTopic<string, ClickEvent>(CLICKS_TOPIC, Serdes.string(), Serdes.json());
  const purchases = driver.createInputTopic<string, PurchaseEvent>(PURCHASES_TOPIC, Serdes.string(), Serdes.json());
  const output = driver.createOutputTopic(OUTPUT_TOPIC, Serdes.string(), Serdes.json<Attribution>());
  for (const i of inputs) {
    if ('click' in i) clicks.pipeInput(i.click.user_id, i.click, Date.parse(i.click.timestamp));
    else purchases.pipeInput(i.purchase.user_id, i.purchase, Date.parse(i.purchase.timestamp));
  }
  const rows = output.readValuesToList().map((v) => v!);
  driver.close();
  return rows;
}

describe('click-to-purchase attribution', () => {
  it('joins a purchase 0-30 minutes after a click of the same user, including the bounds', () => {
    const rows = run([
      { click: click('ann', '/shoes', 0) },
      { purchase: purchase('ann', 'p1', 49.9, 30 * min) }, // at the upper bound
      { purchase: purchase('ann', 'p2', 5, 0) }, // same instant as the click
      { purchase: purchase('bob', 'p3', 7, 1 * min) }, // another user
    ]);
    expect(rows).toEqual([
      { user_id: 'ann', clicked_page: '/shoes', click_time: iso(0), product_id: 'p1', purchase_amount: 49.9, purchase_time: iso(30 * min), time_to_purchase_seconds: 1800 },
      { user_id: 'ann', clicked_page: '/shoes', click_time: iso(0), product_id: 'p2', purchase_amount: 5, purchase_time: iso(0), time_to_purchase_seconds: 0 },
    ]);
  });

  it('does not attribute a purchase made before the click or more than 30 minutes after it', () => {
    const rows = run([
      { purchase: purchase('ann', 'early', 1, 0) },
      { click: click('ann', '/a', 1 * min) },
      { purchase: purchase('ann', 'too-late', 1, 31 * min + 1) },
      // stream time passes the click's window end + lateness: the click is emitted alone
      { click: click('zed', '/other', 1 * min + 30 * min + 10 * min + 1) },
    ]);
    expect(rows).toEqual([
      { user_id: 'ann', clicked_page: '/a', click_time: iso(1 * min), product_id: null, purchase_amount: null, purchase_time: null, time_to_purchase_seconds: null },
    ]);
  });

  it('joins out-of-order purchases within the lateness and ignores scroll and hover events', () => {
    const rows = run([
      { click: click('ann', '/a', 0) },
      { click: click('ann', '/a', 1 * min, 'scroll') },
      { click: click('cid', '/c', 35 * min) }, // stream time 35 min
      { purchase: purchase('ann', 'p', 3, 20 * min) }, // 15 min behind stream time, within the window + lateness of the click
    ]);
    expect(rows.map((r) => [r.user_id, r.product_id])).toEqual([['ann', 'p']]);
  });

  it('drops a purchase that arrives after the click\'s window and lateness have closed; the click is emitted alone', () => {
    const rows = run([
      { click: click('ann', '/a', 0) },
      { click: click('cid', '/c', 41 * min) }, // stream time past 0 + 30 + 10 min: ann's click is final
      { purchase: purchase('ann', 'p', 3, 20 * min) },
    ]);
    expect(rows.map((r) => [r.user_id, r.product_id])).toEqual([['ann', null]]);
  });
});
