// W5 on Tributary's CDC source: an existing slot and publication, no snapshot, streaming into Kafka.
// Args: databaseUrl brokers slot publication table topicPrefix offsetsTopic. Prints READY once streaming.
import { createPostgresCdcSource } from '../../connectors/postgres-cdc/index.js';

const [databaseUrl, brokers, slot, publication, table, prefix, offsets] = process.argv.slice(2) as string[];
const source = createPostgresCdcSource({
  'topic.prefix': prefix!,
  'database.url': databaseUrl!,
  'kafka.bootstrap.servers': brokers!,
  'slot.name': slot!,
  'publication.name': publication!,
  'publication.autocreate.mode': 'disabled',
  'table.include.list': table!,
  'snapshot.mode': 'no_data',
  'offset.storage.topic': offsets!,
});
source.on('streaming', () => console.log('READY'));
source.on('error', (error) => console.error(`ERROR ${error.message}`));
process.on('SIGTERM', () => void source.stop().then(() => process.exit(0)));
await source.start();
