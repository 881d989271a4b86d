// One-off measurement of the commit path (not a test): N output records plus N/4 changelog records sent through
// the Kafka port in one transaction (exactly_once) or as idempotent sends (at_least_once), repeated; prints the
// median wall time, the median CPU time and their ratio (how busy the process was during the commit).
//   KAFKA_BROKERS=localhost:9092 npx tsx bench/commit-path.ts [records] [partitions] [exactly_once|at_least_once] [repeats]
import { randomBytes } from 'node:crypto';
import { kafkajsAdapter } from '../src/kafka/kafkajs-adapter.js';

const brokers = (process.env['KAFKA_BROKERS'] ?? 'localhost:9092').split(',');
const records = Number(process.argv[2] ?? 40_000);
const partitions = Number(process.argv[3] ?? 8);
const guarantee = process.argv[4] ?? 'exactly_once';
const repeats = Number(process.argv[5] ?? 5);

const port = kafkajsAdapter({ brokers });
const admin = await port.admin();
const topic = `bench_commit_${randomBytes(4).toString('hex')}`;
const changelog = `${topic}-changelog`;
await admin.createTopics([
  { topic, partitions },
  { topic: changelog, partitions },
]);
const eos = guarantee === 'exactly_once';
const producer = await port.producer(eos ? { transactionalId: `${topic}-producer` } : {});
const outputs = Array.from({ length: records }, (_, i) => ({ topic, key: Buffer.from(`key-${i % 5000}`), value: randomBytes(120), timestamp: Date.now(), headers: {} }));
const changes = Array.from({ length: Math.floor(records / 4) }, (_, i) => ({ topic: changelog, partition: i % partitions, key: Buffer.from(`key-${i}`), value: randomBytes(8), timestamp: Date.now(), headers: {} }));

const wall: number[] = [];
const cpu: number[] = [];
for (let r = 0; r < repeats; r++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  if (eos) {
    const transaction = await producer.beginTransaction();
    await Promise.all([transaction.send(outputs), transaction.send(changes)]);
    await transaction.commit();
  } else {
    await producer.send(outputs);
    await producer.send(changes);
  }
  const c = process.cpuUsage(c0);
  wall.push(performance.now() - t0);
  cpu.push((c.user + c.system) / 1000);
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(
  JSON.stringify({ records, changelogRecords: changes.length, partitions, guarantee, wallMsMedian: Math.round(median(wall)), cpuMsMedian: Math.round(median(cpu)), busy: Number((median(cpu) / median(wall)).toFixed(2)), wallMs: wall.map(Math.round) }),
);
await producer.close();
await admin.close();
