// W3 on Tributary's KafkaStreams runtime: clicks left-join purchases by user within 30 minutes.
// Args: brokers clicks purchases output applicationId guarantee graceMs. Prints READY once running; closes on SIGTERM.
import { JoinWindows, KafkaStreams, Serdes, StreamsBuilder, minutes, type ProcessingGuarantee } from '../../src/index.js';
import { joinClickPurchase } from '../lib/join.js';

const [brokers, clicksTopic, purchasesTopic, output, applicationId, guarantee, grace] = process.argv.slice(2) as [string, string, string, string, string, ProcessingGuarantee, string];

const builder = new StreamsBuilder();
const purchases = builder.stream(purchasesTopic, { key: Serdes.string(), value: Serdes.string() });
builder
  .stream(clicksTopic, { key: Serdes.string(), value: Serdes.string() })
  .leftJoin(purchases, (click, purchase) => joinClickPurchase(click, purchase), JoinWindows.ofTimeDifferenceAndGrace(minutes(30), Number(grace)), {
    key: Serdes.string(),
    value: Serdes.string(),
    otherValue: Serdes.string(),
  })
  .to(output, { key: Serdes.string(), value: Serdes.string() });

const app = new KafkaStreams(builder.build(), { applicationId, brokers: brokers.split(','), guarantee });
app.on('state', (state) => {
  if (state === 'RUNNING') console.log('READY');
});
app.on('error', (error) => console.error(`ERROR ${error.message}`));
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
await app.start();
