// Restore: a grouped count whose changelog already holds the entries; reports how long the runtime took to
// restore the store before running. Args: brokers input applicationId. Prints one JSON line and exits.
import { KafkaStreams, Serdes, StreamsBuilder } from '../../src/index.js';

const [brokers, input, applicationId] = process.argv.slice(2) as [string, string, string];
const builder = new StreamsBuilder();
builder.stream(input, { key: Serdes.string(), value: Serdes.string() }).groupByKey().count({ storeName: 'counts' });
const app = new KafkaStreams(builder.build(), { applicationId, brokers: brokers.split(',') });
const started = Date.now();
let restored = { records: 0, durationMs: 0 };
app.on('restored', (info) => (restored = { records: restored.records + info.records, durationMs: Math.max(restored.durationMs, info.durationMs) }));
app.on('state', (state) => {
  if (state !== 'RUNNING') return;
  let entries = 0;
  let sum = 0;
  for (const [, count] of app.store<string, number>('counts').all()) {
    entries++;
    sum += count;
  }
  const rss = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ ...restored, entries, sum, startToRunningMs: Date.now() - started, rss }));
  void app.close().then(() => process.exit(0));
});
await app.start();
