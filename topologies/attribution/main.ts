/**
 * Click-to-purchase attribution on the embedded engine (TopologyTestDriver), no broker:
 *
 *   npm start -- attribution [--seconds N (default 10)] [--rate N events per second (default 2000)] [--seed N]
 *
 * Prints the attribution rows as they are emitted and a summary line.
 */
import { parseArgs } from 'node:util';
import { Serdes } from '../../src/index.js';
import { TopologyTestDriver } from '../../src/testing/index.js';
import type { Attribution, ClickEvent, PurchaseEvent } from './events.js';
import { attributionEvents } from './generator.js';
import { attributionTopology, CLICKS_TOPIC, OUTPUT_TOPIC, PURCHASES_TOPIC } from './topology.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, rate: { type: 'string', default: '2000' }, seed: { type: 'string', default: '7' } },
});
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const events = attributionEvents({ seed: Number(values.seed) });
const driver = new TopologyTestDriver(attributionTopology(), { applicationId: 'attribution' });
const clicks = driver.createInputTopic<string, ClickEvent>(CLICKS_TOPIC, Serdes.string(), Serdes.json());
const purchases = driver.createInputTopic<string, PurchaseEvent>(PURCHASES_TOPIC, Serdes.string(), Serdes.json());
const output = driver.createOutputTopic(OUTPUT_TOPIC, Serdes.string(), Serdes.json<Attribution>());
let stopping = false;
process.on('SIGINT', () => {
  stopping = true;
});
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let sent = 0;
let joined = 0;
let alone = 0;
const started = Date.now();
while (!stopping && (seconds === 0 || Date.now() - started < seconds * 1000)) {
  for (let i = 0; i < Math.max(1, Math.round(rate / 10)); i++) {
    const e = events.next().value!;
    if ('click' in e) clicks.pipeInput(e.click.user_id, e.click, Date.parse(e.click.timestamp));
    else purchases.pipeInput(e.purchase.user_id, e.purchase, Date.parse(e.purchase.timestamp));
    sent++;
  }
  for (const row of output.readValuesToList()) {
    if (row!.product_id === null) alone++;
    else {
      joined++;
      console.log(`${row!.click_time}  ${row!.user_id.padEnd(4)} ${row!.clicked_page.padEnd(10)} -> ${row!.product_id} ${row!.purchase_amount} after ${row!.time_to_purchase_seconds}s`);
    }
  }
  await sleep(100);
}
console.log(`done: ${sent} events, ${joined} attributed purchases, ${alone} clicks without purchase, ${driver.droppedRecords} late events dropped`);
driver.close();
