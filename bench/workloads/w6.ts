// W6 sink, Kafka -> PostgreSQL: Debezium change events (JsonConverter with schemas) of one table, upserted and
// deleted into a target table created beforehand. Each run: a fresh topic (1 partition, as Debezium makes per
// table) holding the whole backlog before the contender starts, and a fresh target table. Throughput is change
// events (upserts + deletes; tombstones are extra records, not counted) over the time from the contender's READY
// to the moment the backlog's last row (SENTINEL_ID) is visible. Then latency probes: single inserts of fresh ids
// at ~100/s, from the send call to the NOTIFY of a trigger on the target table (delivered at the sink's commit).
// Verification: row count and MD5 of the ordered rows, computed in PostgreSQL, against the bench's replay.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ITEMS_COLUMNS, SENTINEL_ID, generateChanges, tableDigest, tableDigestSql, type ChangeSet, type ItemRow } from '../lib/changes.js';
import { Contender, waitUntil } from '../lib/child.js';
import { createTopic, produceAll } from '../lib/kafka.js';
import { percentile } from '../lib/stats.js';
import type { BenchContext, ContenderSpec, RunResult, Workload } from '../lib/types.js';

type Kind = 'tributary' | 'debezium';

const PROBES = 300;
const PROBE_EVERY_MS = 10;
const PROBE_FIRST_ID = 1_000_000_000;
const PREFIX = 'benchw6';

export const w6: Workload = {
  name: 'w6',
  description: 'W6 sink: 200k upserts and 20k deletes (Debezium change events with schemas) Kafka -> Postgres',
  async prepare(ctx) {
    const changes = generateChanges(PREFIX, Math.max(1000, Math.round(200_000 * ctx.scale)), Math.max(100, Math.round(20_000 * ctx.scale)));
    const events = changes.upserts + changes.deletes;
    const contender = (name: string, kind: Kind, profilable = false): ContenderSpec => ({
      name,
      profilable,
      run: (run, profileDir) => runOnce(ctx, changes, kind, run, profileDir),
    });
    const contenders = [contender('tributary sink (cli)', 'tributary', true)];
    const unsupported: string[] = [];
    if (process.env['BENCH_W6_DEBEZIUM'] !== '0') contenders.push(contender('debezium jdbc sink (connect standalone)', 'debezium'));
    return { records: events, contenders, unsupported };
  },
};

async function runOnce(ctx: BenchContext, changes: ChangeSet, kind: Kind, run: number, profileDir?: string): Promise<RunResult> {
  const tag = `${kind}_${run}_${randomBytes(3).toString('hex')}`;
  const table = `bench_w6_${tag}`;
  const topic = `${PREFIX}.public.items.${tag}`;
  const channel = `w6_${tag}`;
  const db = new pg.Client({ connectionString: ctx.databaseUrl });
  await db.connect();
  const listener = new pg.Client({ connectionString: ctx.databaseUrl });
  await listener.connect();
  const admin = ctx.kafka.admin();
  await admin.connect();
  let contender: Contender | undefined;
  try {
    await db.query(`create table ${table} (${ITEMS_COLUMNS})`);
    await createTopic(admin, topic, 1);
    // ~2.5 kB per event: 200 per send keeps a record batch under the broker's 1 MiB message.max.bytes. One send
    // at a time: concurrent sends may reach the log out of call order, and the order of a key's changes matters.
    await produceAll(ctx.kafka, topic, changes.records as { key: Buffer; value: Buffer }[], 200, 1);

    const configFile = join(ctx.dataDir, `w6-${tag}.${kind === 'tributary' ? 'json' : 'properties'}`);
    const command = kind === 'tributary' ? tributaryCommand(ctx, configFile, topic, table, tag, profileDir) : debeziumCommand(ctx, configFile, topic, table, tag);
    contender = new Contender(command.command, command.args, command.ready);
    const died = (): string | undefined => (contender!.exited ? `contender exited:\n${contender!.output.slice(-3000)}` : undefined);
    await waitUntil(() => contender!.readyAt !== undefined, 180_000, `${kind} ready`, died).catch((error: Error) => {
      throw new Error(`${error.message}\n${contender!.output.slice(-3000)}`);
    });

    // The backlog: poll for the sentinel row (a primary-key lookup every 20 ms).
    let doneAt = 0;
    const deadline = Date.now() + 900_000;
    while (doneAt === 0) {
      const r = await db.query(`select 1 from ${table} where id = $1`, [SENTINEL_ID]);
      if (r.rowCount === 1) doneAt = Date.now();
      else {
        const failure = died();
        if (failure !== undefined) throw new Error(failure);
        if (Date.now() > deadline) throw new Error(`${kind}: backlog not applied after 900 s`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const events = changes.upserts + changes.deletes;
    const throughput = events / ((doneAt - contender.readyAt!) / 1000);
    const backlogMismatch = await verify(db, table, changes.table.values());

    // Latency probes: NOTIFY from a row trigger is delivered when the sink's transaction commits.
    const visibleAt = new Map<number, number>();
    listener.on('notification', (n) => visibleAt.set(Number(n.payload), Date.now()));
    await db.query(`create function ${channel}_notify() returns trigger language plpgsql as $$ begin perform pg_notify('${channel}', new.id::text); return new; end $$`);
    await db.query(`create trigger ${channel}_trigger after insert on ${table} for each row execute function ${channel}_notify()`);
    await listener.query(`listen ${channel}`);
    const expected = new Map(changes.table);
    const sentAt = new Map<number, number>();
    const producer = ctx.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < PROBES; i++) {
        const id = PROBE_FIRST_ID + i;
        const row: ItemRow = { id, userId: i, cents: i * 7, note: `probe ${i}`, version: 1 };
        expected.set(id, row);
        sentAt.set(id, Date.now());
        sends.push(producer.send({ topic, acks: 1, messages: [{ key: changes.encoder.key(id), value: changes.encoder.event('c', null, row) }] }));
        await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
      }
      await Promise.all(sends);
    } finally {
      await producer.disconnect();
    }
    await waitUntil(() => visibleAt.size >= PROBES, 120_000, `${kind} probes`, died);
    const latencies = [...sentAt].map(([id, at]) => visibleAt.get(id)! - at);
    const finalMismatch = await verify(db, table, expected.values());
    const mismatch = [backlogMismatch && `after the backlog: ${backlogMismatch}`, finalMismatch && `after the probes: ${finalMismatch}`].filter(Boolean).join('; ');
    return { throughput, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), peakRssBytes: contender.peakRss, mismatch };
  } finally {
    await contender?.stop();
    await listener.end().catch(() => undefined);
    await db.query(`drop table if exists ${table}`).catch(() => undefined);
    await db.query(`drop function if exists ${channel}_notify()`).catch(() => undefined);
    await db.end();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

/** '' when the table holds exactly `rows`; otherwise what differs. */
async function verify(db: pg.Client, table: string, rows: Iterable<ItemRow>): Promise<string> {
  const want = tableDigest(rows);
  const got = (await db.query<{ count: number; md5: string }>(tableDigestSql(table))).rows[0]!;
  if (got.count !== want.count) return `${got.count} rows, expected ${want.count}`;
  if (got.md5 !== want.md5) return `row content differs (md5 ${got.md5.slice(0, 12)} vs ${want.md5.slice(0, 12)})`;
  return '';
}

function tributaryCommand(ctx: BenchContext, configFile: string, topic: string, table: string, tag: string, profileDir?: string) {
  writeFileSync(configFile, JSON.stringify({
    name: `bench-w6-${tag}`,
    'connection.url': ctx.databaseUrl,
    'bootstrap.servers': ctx.brokers.join(','),
    topics: topic,
    'insert.mode': 'upsert',
    'primary.key.mode': 'record_key',
    'delete.enabled': true,
    'schema.evolution': 'none',
    'table.name.format': table,
  }));
  return {
    command: process.execPath,
    args: [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), join(ctx.root, 'bin/tributary.js'), 'sink', '--config', configFile],
    ready: /"msg":"sink started"/,
  };
}

function debeziumCommand(ctx: BenchContext, connectorFile: string, topic: string, table: string, tag: string) {
  const url = new URL(ctx.databaseUrl);
  const workerFile = connectorFile.replace(/\.properties$/, '-worker.properties');
  writeFileSync(workerFile, [
    `bootstrap.servers=${ctx.brokers.join(',')}`,
    'key.converter=org.apache.kafka.connect.json.JsonConverter',
    'value.converter=org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable=true',
    'value.converter.schemas.enable=true',
    `offset.storage.file.filename=${join(ctx.dataDir, `w6-${tag}.offsets`)}`,
    'offset.flush.interval.ms=10000',
    // No REST server is needed; port 0 picks a free one so runs never collide.
    'listeners=http://127.0.0.1:0',
    'consumer.auto.offset.reset=earliest',
    '',
  ].join('\n'));
  writeFileSync(connectorFile, [
    `name=bench-w6-${tag}`,
    'connector.class=io.debezium.connector.jdbc.JdbcSinkConnector',
    'tasks.max=1',
    `topics=${topic}`,
    `connection.url=jdbc:postgresql://${url.hostname}:${url.port || '5432'}${url.pathname}`,
    `connection.username=${decodeURIComponent(url.username)}`,
    `connection.password=${decodeURIComponent(url.password)}`,
    'insert.mode=upsert',
    'primary.key.mode=record_key',
    'delete.enabled=true',
    'schema.evolution=none',
    `table.name.format=${table}`,
    '',
  ].join('\n'));
  const java = ctx.java('org.apache.kafka.connect.cli.ConnectStandalone', 'java-jdbc-sink');
  return { command: java.command, args: [...java.args, workerFile, connectorFile], ready: /Sink task finished initialization and start/ };
}
