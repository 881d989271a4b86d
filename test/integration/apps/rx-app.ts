// The RxJS topology (rx-topology.ts) as a child process of the rx integration test, so it can be killed with
// SIGKILL. Same environment variables and IPC messages as grouped-count-app.ts (no dump).
import { pino } from 'pino';
import { KafkaStreams, type ProcessingGuarantee } from '../../../src/index.js';
import { env, reportToParent } from './app-ipc.js';
import { rxTopology } from './rx-topology.js';


const output = env('APP_OUTPUT');
const topology = rxTopology({ input: env('APP_INPUT'), kept: `${output}-kept`, plain: `${output}-plain`, timed: `${output}-timed` });
const logger = pino({ level: process.env['TRIBUTARY_LOG_LEVEL'] ?? 'warn' }, pino.destination(2));
const app = new KafkaStreams(topology, {
  applicationId: env('APP_ID'),
  brokers: env('APP_BROKERS').split(','),
  guarantee: env('APP_GUARANTEE') as ProcessingGuarantee,
  instanceId: env('APP_INSTANCE'),
  ...(process.env['APP_COMMIT_INTERVAL_MS'] ? { commitIntervalMs: Number(process.env['APP_COMMIT_INTERVAL_MS']) } : {}),
  logger,
});

reportToParent(app);
process.on('message', (message: { type?: string }) => {
  if (message.type === 'close') void app.close().then(() => process.exit(0));
});

await app.start();
