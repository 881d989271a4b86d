// A sink process that dies (SIGKILL, no cleanup) right after its first PostgreSQL commit, before the Kafka
// offsets of that batch are committed. Run by sink-crash.test.ts: node --import tsx sink-crash-child.ts '<config json>'
import { pino } from 'pino';
import { createPostgresSink } from '../../connectors/postgres-sink/index.js';

const config = JSON.parse(process.argv[2] ?? '{}') as Record<string, string | number | boolean>;
const sink = createPostgresSink(config, {
  logger: pino({ level: 'warn' }),
  afterPostgresCommit: (batch) => {
    process.stdout.write(`committed ${batch.topic}/${batch.partition} up to ${batch.lastOffset}\n`);
    process.kill(process.pid, 'SIGKILL');
  },
});
await sink.start();
await sink.done;
