// The replication ceiling: a subscriber that only decodes pgoutput (Tributary's own decoder) and confirms each
// commit, nothing else. Args: databaseUrl slot publication expectedInserts. Prints READY when streaming starts and
// one JSON line once the expected inserts were decoded.
import { decodePgOutput } from '../../connectors/postgres-cdc/pgoutput/decode.js';
import { ReplicationConnection } from '../../connectors/postgres-cdc/replication/replication-connection.js';

const [databaseUrl, slot, publication, expected] = process.argv.slice(2) as [string, string, string, string];
const want = Number(expected);
const repl = new ReplicationConnection({ connectionString: databaseUrl });
await repl.connect();
let inserts = 0;
let messages = 0;
let started = 0;
repl.on('xlog', (header, chunk) => {
  const message = decodePgOutput(chunk, header.payloadOffset);
  messages++;
  if (message.tag === 'insert') inserts++;
  else if (message.tag === 'commit') {
    repl.sendStatus(message.endLsn);
    if (inserts >= want) {
      console.log(JSON.stringify({ inserts, messages, ms: performance.now() - started, rss: process.resourceUsage().maxRSS * 1024 }));
      void repl.close().then(() => process.exit(0));
    }
  }
});
repl.on('keepalive', (k) => {
  if (k.replyRequested) repl.sendStatus(k.walEnd);
});
repl.on('error', (error) => {
  console.error(`ERROR ${error.message}`);
  process.exit(1);
});
started = performance.now();
repl.startReplication(slot, 0n, publication);
console.log('READY');
