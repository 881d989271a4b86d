// In-process throughput of the engine core (no Kafka): a grouped count through one Task, bytes in and out,
// committing every `batch` records like the runtime's commit loop. Usage: tsx bench/task-grouped-count.ts [records] [keys] [cacheMaxBytes] [in-memory|persistent]
// (cacheMaxBytes default 0: no record cache; with one, each commit forwards one count per updated key; persistent:
// the count store on LMDB in a temp folder).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordCache, Serdes, StreamsBuilder, Task, type InputRecord } from '../src/index.js';

const total = Number(process.argv[2] ?? 1_000_000);
const keys = Number(process.argv[3] ?? 10_000);
const cacheMaxBytes = Number(process.argv[4] ?? 0);
const storeType = process.argv[5] === 'persistent' ? 'persistent' : 'in-memory';
const stateDir = storeType === 'persistent' ? mkdtempSync(join(tmpdir(), 'tributary-bench-task-')) : undefined;
const batch = 10_000;

const builder = new StreamsBuilder();
builder.stream('in', { key: Serdes.string(), value: Serdes.string() }).groupByKey().count({ storeName: 'counts' }).toStream().to('out', { value: Serdes.long() });
const task = new Task({ id: { subtopology: 0, partition: 0 }, topology: builder.build(), applicationId: 'bench', cache: new RecordCache(cacheMaxBytes), ...(stateDir === undefined ? {} : { storage: { defaultStoreType: storeType, stateDir } }) });
task.initialize();

const keyBytes = Array.from({ length: keys }, (_, i) => Buffer.from(`key-${i}`));
const value = Buffer.from('v');
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

let produced = 0;
let changelog = 0;
const started = process.hrtime.bigint();
for (let offset = 0; offset < total; offset += batch) {
  const records: InputRecord[] = [];
  for (let i = offset; i < Math.min(total, offset + batch); i++) {
    records.push({ topic: 'in', partition: 0, offset: i, key: keyBytes[Math.floor(random() * keys)]!, value, timestamp: i, headers: {} });
  }
  task.addRecords(records);
  task.processAll();
  const result = task.commit();
  produced += result.records.length;
  changelog += result.changelog.length;
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ records: total, keys, seconds: Number(seconds.toFixed(3)), recordsPerSecond: Math.round(total / seconds), cacheMaxBytes, storeType, rssMb: Math.round(process.memoryUsage().rss / 1e6), produced, changelog }));
task.close();
if (stateDir !== undefined) rmSync(stateDir, { recursive: true, force: true });
