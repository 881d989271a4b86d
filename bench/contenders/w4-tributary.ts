// W4: the W1 topology through Tributary's TopologyTestDriver (no broker). Args: input file ("key\tvalue" lines).
// Prints one JSON line: records, outputs, ms (piping every record and reading every output), sha256 of outputs.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Serdes, StreamsBuilder } from '../../src/index.js';
import { TopologyTestDriver } from '../../src/testing/index.js';
import { keepClick, projectClick } from '../lib/clicks.js';

const lines = readFileSync(process.argv[2]!, 'utf8').split('\n').filter((l) => l !== '');
const input = lines.map((l) => {
  const tab = l.indexOf('\t');
  return [l.slice(0, tab), l.slice(tab + 1)] as const;
});

const builder = new StreamsBuilder();
builder
  .stream('clicks', { key: Serdes.string(), value: Serdes.string() })
  .filter((_, v) => keepClick(v))
  .mapValues((v) => projectClick(v))
  .to('out', { key: Serdes.string(), value: Serdes.string() });

const started = process.hrtime.bigint();
const driver = new TopologyTestDriver(builder.build(), { initialWallClockTime: 0 });
const clicks = driver.createInputTopic<string, string>('clicks', Serdes.string(), Serdes.string());
const out = driver.createOutputTopic<string, string>('out', Serdes.string(), Serdes.string());
let ts = 0;
for (const [key, value] of input) clicks.pipeInput(key, value, ts++);
const outputs = out.readKeyValuesToList();
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const sha = createHash('sha256');
for (const [k, v] of outputs) sha.update(`${k}\t${v}\n`);
console.log(JSON.stringify({ records: input.length, outputs: outputs.length, ms, sha256: sha.digest('hex'), rss: process.resourceUsage().maxRSS * 1024 }));
