// A grouped-count application run as a child process by the streams integration tests (so that it can be
// killed with SIGKILL). Configured through environment variables; talks to its parent over IPC:
//   parent -> child: { type: 'dump' }            child -> parent: { type: 'dump', counts: [[key, count], ...], tasks }
//   child -> parent: { type: 'state', state }, { type: 'restored', task, records }, { type: 'commit' },
//                    { type: 'recovered', kind, tasks, attempt }
import { pino } from 'pino';
import { KafkaStreams, Serdes, StreamsBuilder, type ProcessingGuarantee } from '../../../src/index.js';
import { env, reportToParent, send } from './app-ipc.js';


const input = env('APP_INPUT');
const output = env('APP_OUTPUT');
const regroup = process.env['APP_REGROUP'] === '1';

const builder = new StreamsBuilder();
const stream = builder.stream(input, { key: Serdes.string(), value: Serdes.string() });
// With APP_REGROUP the key is taken from the value, which puts a repartition topic between two sub-topologies.
const grouped = regroup ? stream.groupBy((_, v) => v, { key: Serdes.string(), value: Serdes.string(), name: 'by-value' }) : stream.groupByKey();
grouped.count({ storeName: 'counts' }).toStream().to(output, { key: Serdes.string(), value: Serdes.long() });

const logger = pino({ level: process.env['TRIBUTARY_LOG_LEVEL'] ?? 'warn' }, pino.destination(2));
const app = new KafkaStreams(builder.build(), {
  applicationId: env('APP_ID'),
  brokers: env('APP_BROKERS').split(','),
  guarantee: env('APP_GUARANTEE') as ProcessingGuarantee,
  instanceId: env('APP_INSTANCE'),
  ...(process.env['APP_SESSION_TIMEOUT_MS'] ? { sessionTimeoutMs: Number(process.env['APP_SESSION_TIMEOUT_MS']) } : {}),
  ...(process.env['APP_COMMIT_INTERVAL_MS'] ? { commitIntervalMs: Number(process.env['APP_COMMIT_INTERVAL_MS']) } : {}),
  ...(process.env['APP_CACHE_MAX_BYTES'] ? { cacheMaxBytes: Number(process.env['APP_CACHE_MAX_BYTES']) } : {}),
  ...(process.env['APP_STATE_DIR'] ? { stateDir: process.env['APP_STATE_DIR'] } : {}),
  ...(process.env['APP_DEFAULT_STORE_TYPE'] === 'persistent' ? { defaultStoreType: 'persistent' as const } : {}),
  logger,
});

reportToParent(app);

process.on('message', (message: { type?: string }) => {
  if (message.type === 'dump') {
    send({ type: 'dump', state: app.state, tasks: app.taskIds, counts: [...app.store<string, number>('counts').all()] });
  } else if (message.type === 'close') {
    void app.close().then(() => process.exit(0));
  }
});

await app.start();
