// W2 through Tributary's TopologyTestDriver: clicks grouped by page, 5-minute tumbling windows, count and sum of
// dwell seconds, emitted on update or on window close. Args: input file ("key\tvalue" lines), update|final, event-time step (ms).
// Prints one JSON line: records, outputs, ms, sha256 (update: of the last value per window; final: of all
// emitted results, sorted), rss.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Serdes, StreamsBuilder, TimeWindows, minutes } from '../../src/index.js';
import { TopologyTestDriver } from '../../src/testing/index.js';
import { addClick, windowedResult } from '../lib/windowed.js';

const [file, mode, step] = process.argv.slice(2) as [string, 'update' | 'final', string];
const stepMs = Number(step);
const input = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => {
    const tab = l.indexOf('\t');
    return [l.slice(0, tab), l.slice(tab + 1)] as const;
  });

const builder = new StreamsBuilder();
builder
  .stream('clicks', { key: Serdes.string(), value: Serdes.string() })
  .groupBy((_, v) => (JSON.parse(v) as { page: string }).page, { key: Serdes.string(), value: Serdes.string() })
  .windowedBy(TimeWindows.ofSizeWithNoGrace(minutes(5)))
  .emitStrategy(mode)
  .aggregate(() => '0,0', (_page, v, agg) => addClick(agg, v), { storeName: 'page-windows', value: Serdes.string() })
  .toStream()
  .map((k, v): [string, string] => [`${k.key}@${k.window.start}`, v ?? ""])
  .to('out', { key: Serdes.string(), value: Serdes.string() });

const started = process.hrtime.bigint();
const driver = new TopologyTestDriver(builder.build(), { initialWallClockTime: 0 });
const clicks = driver.createInputTopic<string, string>('clicks', Serdes.string(), Serdes.string());
const out = driver.createOutputTopic<string, string>('out', Serdes.string(), Serdes.string());
let ts = 0;
for (const [key, value] of input) clicks.pipeInput(key, value, (ts++) * stepMs);
const outputs = out.readKeyValuesToList() as [string, string][];
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const lines = windowedResult(outputs, mode);
console.log(JSON.stringify({ records: input.length, outputs: outputs.length, ms, sha256: createHash('sha256').update(lines.join('\n')).digest('hex'), rss: process.resourceUsage().maxRSS * 1024 }));
