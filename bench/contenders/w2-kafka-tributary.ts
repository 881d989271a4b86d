// W2 on Tributary's KafkaStreams runtime: clicks grouped by page, 5-minute tumbling windows, count and sum of
// dwell seconds, emitted on update or on window close. Args: brokers input output applicationId guarantee update|final.
// Prints READY once running; closes on SIGTERM.
import { KafkaStreams, Serdes, StreamsBuilder, TimeWindows, minutes, type ProcessingGuarantee } from '../../src/index.js';
import { addClick } from '../lib/windowed.js';

const [brokers, input, output, applicationId, guarantee, mode] = process.argv.slice(2) as [string, string, string, string, ProcessingGuarantee, 'update' | 'final'];

const builder = new StreamsBuilder();
builder
  .stream(input, { key: Serdes.string(), value: Serdes.string() })
  .groupBy((_, v) => (JSON.parse(v) as { page: string }).page, { key: Serdes.string(), value: Serdes.string() })
  .windowedBy(TimeWindows.ofSizeWithNoGrace(minutes(5)))
  .emitStrategy(mode)
  .aggregate(() => '0,0', (_page, v, agg) => addClick(agg, v), { storeName: 'page-windows', value: Serdes.string() })
  .toStream()
  .map((k, v): [string, string] => [`${k.key}@${k.window.start}`, v ?? ''])
  .to(output, { key: Serdes.string(), value: Serdes.string() });

const app = new KafkaStreams(builder.build(), { applicationId, brokers: brokers.split(','), guarantee });
app.on('state', (state) => {
  if (state === 'RUNNING') console.log('READY');
});
app.on('error', (error) => console.error(`ERROR ${error.message}`));
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
await app.start();
