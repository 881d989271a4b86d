// W3's join through Tributary's TopologyTestDriver (no broker). Args: input file ("topic\tkey\tvalue\ttimestamp"
// lines, topic c = clicks or p = purchases, in the order to pipe). Prints one JSON line: records, outputs, ms
// (piping every record and reading every output), sha256 of the sorted "key\tvalue" outputs, rss.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { JoinWindows, Serdes, StreamsBuilder, minutes } from '../../src/index.js';
import { TopologyTestDriver } from '../../src/testing/index.js';
import { JOIN_GRACE_MS, joinClickPurchase } from '../lib/join.js';

const input = readFileSync(process.argv[2]!, 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => l.split('\t') as [string, string, string, string]);

const builder = new StreamsBuilder();
const purchases = builder.stream('purchases', { key: Serdes.string(), value: Serdes.string() });
builder
  .stream('clicks', { key: Serdes.string(), value: Serdes.string() })
  .leftJoin(purchases, (click, purchase) => joinClickPurchase(click, purchase), JoinWindows.ofTimeDifferenceAndGrace(minutes(30), JOIN_GRACE_MS), {
    key: Serdes.string(),
    value: Serdes.string(),
    otherValue: Serdes.string(),
  })
  .to('out', { key: Serdes.string(), value: Serdes.string() });

const started = process.hrtime.bigint();
const driver = new TopologyTestDriver(builder.build(), { initialWallClockTime: 0 });
const clicks = driver.createInputTopic<string, string>('clicks', Serdes.string(), Serdes.string());
const purchaseInput = driver.createInputTopic<string, string>('purchases', Serdes.string(), Serdes.string());
const out = driver.createOutputTopic<string, string>('out', Serdes.string(), Serdes.string());
for (const [topic, key, value, ts] of input) {
  // The last line closes every window; Kafka Streams emits non-joined results at most once per wall-clock
  // second, so both drivers move their wall clock before it.
  if (key.startsWith('~')) driver.advanceWallClockTime(2000);
  (topic === 'c' ? clicks : purchaseInput).pipeInput(key, value, Number(ts));
}
const outputs = out.readKeyValuesToList() as [string, string][];
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const lines = outputs.map(([k, v]) => `${k}\t${v}`).sort();
console.log(JSON.stringify({ records: input.length, outputs: outputs.length, ms, sha256: createHash('sha256').update(lines.join('\n')).digest('hex'), rss: process.resourceUsage().maxRSS * 1024 }));
