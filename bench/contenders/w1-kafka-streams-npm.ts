// W1 with the npm kafka-streams package (5.0.0) on its native client (sinek's NConsumer/NProducer on node-rdkafka;
// its default kafka-node client cannot talk to Kafka 4), loaded from an installation outside the repository that
// also holds node-rdkafka. Args: installDir brokers input output groupId. Prints READY once started.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { keepClick, projectClick } from '../lib/clicks.js';

interface NpmMessage {
  readonly key: Buffer | string | null;
  readonly value: Buffer | string;
}
interface NpmKStream {
  filter(predicate: (m: NpmMessage) => boolean): NpmKStream;
  map(mapper: (m: NpmMessage) => { key: string | null; value: string }): NpmKStream;
  to(topic: string, partitions: number, produceType: string): NpmKStream;
  start(): Promise<void>;
}
interface NpmKafkaStreams {
  getKStream(topic: string): NpmKStream;
  on(event: 'error', listener: (error: unknown) => void): void;
  closeAll(): Promise<unknown>;
}

const [dir, brokers, input, output, groupId] = process.argv.slice(2) as [string, string, string, string, string];
const load = createRequire(join(dir, 'package.json'));
const { KafkaStreams } = load('kafka-streams') as { KafkaStreams: new (config: object) => NpmKafkaStreams };
const streams = new KafkaStreams({
  noptions: { 'metadata.broker.list': brokers, 'group.id': groupId, 'client.id': groupId, event_cb: true, 'api.version.request': true, 'enable.auto.commit': false },
  tconf: { 'auto.offset.reset': 'earliest', 'request.required.acks': 1 },
  // commitSync: with an asynchronous commit sinek sleeps 250 ms after every batch (ASYNC_COMMIT_REQ_TIME_MS), which
  // caps the package at 2,000 records/s for batches of 500. Either way a batch is committed once it was handed to
  // the stream, without waiting for its outputs to be acknowledged: weaker than at-least-once.
  batchOptions: { batchSize: 500, commitEveryNBatch: 1, concurrency: 1, commitSync: true, noBatchCommits: false },
});
streams.on('error', (error) => console.error(`ERROR ${String(error)}`));
const stream = streams.getKStream(input);
stream
  .filter((m) => keepClick(m.value.toString()))
  .map((m) => ({ key: m.key === null ? null : m.key.toString(), value: projectClick(m.value.toString()) }))
  .to(output, 8, 'send');
process.on('SIGTERM', () => void streams.closeAll().finally(() => process.exit(0)));
await stream.start();
console.log('READY');
