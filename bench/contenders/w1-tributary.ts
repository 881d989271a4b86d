// W1 on Tributary's KafkaStreams runtime. Args: brokers input output applicationId guarantee.
// Prints READY once running; closes on SIGTERM.
import { KafkaStreams, Serdes, StreamsBuilder, type ProcessingGuarantee } from '../../src/index.js';
import { keepClick, projectClick } from '../lib/clicks.js';

const [brokers, input, output, applicationId, guarantee] = process.argv.slice(2) as [string, string, string, string, ProcessingGuarantee];

const builder = new StreamsBuilder();
builder
  .stream(input, { key: Serdes.string(), value: Serdes.string() })
  .filter((_, v) => keepClick(v))
  .mapValues((v) => projectClick(v))
  .to(output, { key: Serdes.string(), value: Serdes.string() });

const app = new KafkaStreams(builder.build(), { applicationId, brokers: brokers.split(','), guarantee });
app.on('state', (state) => {
  if (state === 'RUNNING') console.log('READY');
});
app.on('error', (error) => console.error(`ERROR ${error.message}`));
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
await app.start();
