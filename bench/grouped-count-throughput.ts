// One-off throughput run of the grouped count on a real broker (not a test):
//   KAFKA_BROKERS=localhost:9092 npx tsx bench/grouped-count-throughput.ts [records] [at_least_once|exactly_once] [regroup]
// Produces the input first, then measures from the first processed record to the last one.
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaStreams, Serdes, StreamsBuilder, type ProcessingGuarantee } from '../src/index.js';

const brokers = (process.env['KAFKA_BROKERS'] ?? 'localhost:9092').split(',');
const total = Number(process.argv[2] ?? 100_000);
const guarantee = (process.argv[3] ?? 'at_least_once') as ProcessingGuarantee;
const regroup = process.argv[4] === 'regroup';
const id = randomBytes(4).toString('hex');
const input = `bench_in_${id}`;
const output = `bench_out_${id}`;

const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: input, numPartitions: 2 }, { topic: output, numPartitions: 2 }], waitForLeaders: true });
const producer = kafka.producer();
await producer.connect();
for (let start = 0; start < total; start += 5000) {
  const messages = Array.from({ length: Math.min(5000, total - start) }, () => {
    const key = `key-${Math.floor(300 * Math.random() * Math.random())}`;
    return { key, value: key };
  });
  await producer.send({ topic: input, messages });
}
await producer.disconnect();

const builder = new StreamsBuilder();
const stream = builder.stream(input, { key: Serdes.string(), value: Serdes.string() });
(regroup ? stream.groupBy((_, v) => v, { key: Serdes.string(), value: Serdes.string(), name: 'by-value' }) : stream.groupByKey())
  .count({ storeName: 'counts' })
  .toStream()
  .to(output, { key: Serdes.string(), value: Serdes.long() });
const app = new KafkaStreams(builder.build(), { applicationId: `bench_${id}`, brokers, guarantee });
const expected = regroup ? 2 * total : total;
let firstAt = 0;
const done = new Promise<void>((resolve) =>
  app.on('commit', () => {
    if (firstAt === 0) firstAt = Date.now();
    if (app.processedRecords >= expected) resolve();
  }),
);
const startedAt = Date.now();
await app.start();
await done;
const seconds = (Date.now() - firstAt) / 1000;
console.log(
  `${guarantee}${regroup ? ' (with repartition)' : ''}: ${total} input records, ${expected} processed in ${((Date.now() - startedAt) / 1000).toFixed(1)} s from start; ` +
    `${Math.round(expected / seconds)} processed records/s, ${Math.round(total / seconds)} input records/s from the first commit`,
);
await app.close();
await admin.disconnect();
