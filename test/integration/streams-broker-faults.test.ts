// A broker of its own, restarted and paused while a grouped count runs on it, under both guarantees: the counts
// stay exact (the store equals the truth; under exactly-once every key's outputs are 1..n once each in a
// read_committed read) and processing resumes after the broker returns. How long that took is printed (the
// note reports it); no test asserts a duration.
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import pino from 'pino';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, StreamsBuilder, type ProcessingGuarantee } from '../../src/index.js';
import { kafkajsAdapter } from '../../src/kafka/kafkajs-adapter.js';
import type { KafkaService } from '../../src/testing/index.js';
import { docker, startOwnKafka } from '../env/own-kafka.js';
import { randomName, randomTopic, testServices, waitFor } from '../env/services.js';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let service: KafkaService;
let container: string;
let admin: Admin;
let kafka: Kafka;
const running: KafkaStreams[] = [];
/** The apps' log lines (info and up) with the time they were written: printed when a test fails. */
let appLog: string[] = [];
const appLogger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => void (appLog.push(`${new Date().toISOString()} ${chunk.toString().trim().slice(0, 400)}`), done()) }));

/** Runs a test body; when it fails, prints the last log lines of the apps it ran (nothing asserts on them). */
async function withAppLog(body: () => Promise<void>): Promise<void> {
  appLog = [];
  try {
    await body();
  } catch (error) {
    // Connection errors while the broker is away would crowd out everything else.
    console.error(`[broker faults] last app log lines:\n${appLog.filter((l) => !/ECONNRESET|ECONNREFUSED|Connection error/.test(l)).slice(-80).join('\n')}`);
    throw error;
  }
}

beforeAll(async () => {
  // Its own container (never KAFKA_BROKERS): the test restarts and pauses it.
  ({ service, container } = await startOwnKafka());
  kafka = new Kafka({ clientId: randomName('faults'), brokers: service.brokers, logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await Promise.all(running.map((app) => app.close()));
  await admin?.disconnect();
  await service?.stop();
});

/** Produces `count` records over 40 keys in batches of 50, retrying a batch while the broker is away; returns the truth. */
async function produce(topic: string, from: number, count: number, truth: Map<string, number>, pauseMs = 0): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let start = from; start < from + count; start += 50) {
      const messages = Array.from({ length: Math.min(50, from + count - start) }, (_, i) => ({ key: `key-${(start + i) % 40}`, value: 'x' }));
      // kafkajs may give up on a send while the broker is away; the idempotent producer makes sending the same batch again safe.
      for (let attempt = 1; ; attempt++) {
        try {
          await producer.send({ topic, messages });
          break;
        } catch (error) {
          if (attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
      for (const m of messages) truth.set(m.key, (truth.get(m.key) ?? 0) + 1);
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  } finally {
    await producer.disconnect();
  }
}

/** Every record of `topic` (all partitions) up to its end, read_committed. */
async function readAll(topic: string): Promise<{ key: string; count: bigint }[]> {
  const ends = await admin.fetchTopicOffsets(topic);
  const out: { key: string; count: bigint }[] = [];
  await kafkajsAdapter({ brokers: service.brokers }).readToEnd(
    ends.map((o) => ({ topic, partition: o.partition, endOffset: Number(o.high) })),
    (batch) => void out.push(...batch.records.map((r) => ({ key: r.key!.toString(), count: r.value!.readBigInt64BE() }))),
    { readCommitted: true },
  );
  return out;
}

/**
 * What read_committed must return, worked out from the log itself rather than by a client's isolation filter:
 * reads `topic` read_uncommitted with every record's batch context (producer id and epoch, transactional or
 * not) and the control records, and keeps a transactional record only when the next control record of its
 * producer on that partition is a COMMIT marker. A difference from {@link readAll} points at the reader; a
 * duplicate here is in committed data.
 */
async function committedFromLog(topic: string): Promise<{ key: string; count: bigint; partition: number; offset: string; producer: string }[]> {
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
  type Raw = { offset: string; key: Buffer | null; value: Buffer | null; isControlRecord: boolean; batchContext: { producerId: string; producerEpoch: number; inTransaction: boolean } };
  const logs = new Map<number, Map<string, Raw>>();
  const consumer = kafka.consumer({ groupId: randomName('faults_log_reader'), readUncommitted: true });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const reached = new Set<number>();
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const markIfDone = (partition: number, lastOffset: number): void => {
      if (lastOffset + 1 >= (ends.get(partition) ?? 0)) reached.add(partition);
      if ([...ends].every(([p, end]) => end === 0 || reached.has(p))) done();
    };
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => markIfDone(payload.partition, Number(payload.lastOffset)));
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const log = logs.get(batch.partition) ?? new Map<string, Raw>();
        logs.set(batch.partition, log);
        // rawMessages keeps the control records and the records of aborted transactions.
        for (const m of (batch as unknown as { rawMessages: Raw[] }).rawMessages) log.set(m.offset, m);
      },
    });
    markIfDone(-1, -1);
    await Promise.race([finished, new Promise((_, reject) => setTimeout(() => reject(new Error(`read_uncommitted read of ${topic} did not reach the end in 60 s`)), 60_000))]);
  } finally {
    await consumer.disconnect();
  }
  const out: { key: string; count: bigint; partition: number; offset: string; producer: string }[] = [];
  for (const [partition, log] of [...logs].sort(([a], [b]) => a - b)) {
    const open = new Map<string, Raw[]>();
    for (const m of [...log.values()].sort((a, b) => (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1))) {
      const pid = m.batchContext.producerId;
      if (m.isControlRecord) {
        // A control record's key is version (int16) then type (int16): 0 abort, 1 commit.
        const committed = m.key !== null && m.key.readInt16BE(2) === 1;
        if (committed) for (const r of open.get(pid) ?? []) out.push({ key: r.key!.toString(), count: r.value!.readBigInt64BE(), partition, offset: r.offset, producer: `${pid}/${r.batchContext.producerEpoch}` });
        open.delete(pid);
      } else if (m.batchContext.inTransaction) {
        open.set(pid, [...(open.get(pid) ?? []), m]);
      } else {
        out.push({ key: m.key!.toString(), count: m.value!.readBigInt64BE(), partition, offset: m.offset, producer: `${pid}/${m.batchContext.producerEpoch}` });
      }
    }
  }
  return out;
}

/** Waits until the broker answers a metadata request again (a fresh client each time); returns when, with a new shared admin. */
async function brokerAnswering(): Promise<number> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
    const probe = new Kafka({ clientId: randomName('faults_probe'), brokers: service.brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 500 }).admin();
    try {
      await probe.connect();
      await probe.describeCluster();
      const answered = Date.now();
      // The shared admin's connection went down with the broker: replace it rather than trust kafkajs to notice.
      await admin.disconnect().catch(() => undefined);
      admin = kafka.admin();
      await admin.connect();
      return answered;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await probe.disconnect().catch(() => undefined);
    }
  }
  throw new Error('the broker did not answer within 120 s of its restart');
}

/**
 * Creates topics through the shared admin. An earlier test restarted the broker under that admin, and kafkajs
 * may then fail its first request with "Closed connection" instead of reconnecting: the admin is replaced and
 * the request made again.
 */
async function createTopics(topics: { topic: string; numPartitions: number }[]): Promise<void> {
  await waitFor(async () => {
    try {
      await admin.createTopics({ topics, waitForLeaders: true });
      return true;
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      admin = kafka.admin();
      await admin.connect();
      throw error;
    }
  }, { timeoutMs: 60_000, description: `topics ${topics.map((t) => t.topic).join(', ')} created` });
}

async function groupMembers(groupId: string): Promise<string[]> {
  const { groups } = await admin.describeGroups([groupId]);
  return groups[0]!.members.map((m) => m.memberId).sort();
}

async function countingApp(guarantee: ProcessingGuarantee, input: string, output: string): Promise<KafkaStreams> {
  const builder = new StreamsBuilder();
  builder.stream(input, { key: Serdes.string(), value: Serdes.string() }).groupByKey().count({ storeName: 'counts' }).toStream().to(output, { key: Serdes.string(), value: Serdes.long() });
  const app = new KafkaStreams(builder.build(), { applicationId: randomName('faults_app'), brokers: service.brokers, guarantee, commitIntervalMs: 200, logger: appLogger });
  running.push(app);
  await app.start();
  await waitFor(() => app.state === 'RUNNING', { timeoutMs: 60_000, description: 'the app RUNNING' });
  return app;
}

function expectExact(app: KafkaStreams, truth: ReadonlyMap<string, number>): void {
  expect(new Map([...app.store<string, number>('counts').all()])).toEqual(truth);
}

describe('KafkaStreams through broker faults (own broker)', () => {
  // Exactly-once through a broker restart once showed 3 duplicate outputs of one key in a kafkajs read_committed
  // read (the store exact), in about 35 runs; 33 runs since, with the outputs also checked against the committed
  // data worked out from the log itself (committedFromLog), showed none. Should it come back, the two checks
  // tell whether the duplicate is in committed data or in the reader.
  const guarantees: ProcessingGuarantee[] = ['at_least_once', 'exactly_once'];
  for (const guarantee of guarantees) {
    it(`${guarantee}: a broker restart mid-stream keeps the counts exact`, () => withAppLog(async () => {
      const input = randomTopic('faults_in');
      const output = randomTopic('faults_out');
      await createTopics([{ topic: input, numPartitions: 2 }, { topic: output, numPartitions: 2 }]);
      const truth = new Map<string, number>();
      const app = await countingApp(guarantee, input, output);
      await produce(input, 0, 2000, truth);
      await waitFor(() => app.processedRecords >= 2000, { timeoutMs: 60_000, description: 'first 2000 processed' });

      const membersBefore = await groupMembers(app.applicationId);
      expect(membersBefore).toHaveLength(1);
      // Records keep coming while the broker goes away (the app is fetching and committing when it does).
      const producing = produce(input, 2000, 3000, truth, 50);
      await waitFor(() => app.processedRecords >= 2500, { timeoutMs: 60_000, description: '2500 processed' });
      const restarted = Date.now();
      docker('restart', '-t', '2', container);
      const back = Date.now();
      let firstCommitAfter: number | undefined;
      let answering = Number.POSITIVE_INFINITY;
      app.on('commit', () => void (Date.now() >= answering && (firstCommitAfter ??= Date.now())));
      answering = await brokerAnswering();
      const before = app.processedRecords;
      await waitFor(() => app.processedRecords > before, { timeoutMs: 120_000, intervalMs: 20, description: 'processing after the restart' });
      const resumed = Date.now();
      await waitFor(() => firstCommitAfter !== undefined, { timeoutMs: 120_000, intervalMs: 20, description: 'a commit after the broker answered again' });
      await producing;
      await waitFor(() => app.processedRecords >= 5000 && app.state === 'RUNNING', { timeoutMs: 120_000, description: 'all 5000 processed' });
      // The consumer rejoined as the member it was: the group did not wait for a vanished member's session timeout.
      expect(await groupMembers(app.applicationId)).toEqual(membersBefore);
      console.log(`[broker faults] ${guarantee}: docker restart took ${back - restarted} ms; the broker answered ${answering - back} ms after that; from then, the first record was processed after ${resumed - answering} ms and the first commit made after ${firstCommitAfter! - answering} ms`);
      await waitFor(async () => {
        const store = new Map([...app.store<string, number>('counts').all()]);
        return [...truth].every(([k, v]) => store.get(k) === v);
      }, { timeoutMs: 60_000, description: 'store equal to the truth' });
      expectExact(app, truth);
      await app.close();
      const outputs = await readAll(output);
      const perKey = new Map<string, bigint[]>();
      for (const { key, count } of outputs) perKey.set(key, [...(perKey.get(key) ?? []), count]);
      const fromLog = guarantee === 'exactly_once' ? await committedFromLog(output) : [];
      for (const [key, n] of truth) {
        const counts = perKey.get(key) ?? [];
        // The last output of each key is its true count; under exactly-once every count 1..n appears once, in order.
        expect(counts.at(-1)).toBe(BigInt(n));
        if (guarantee === 'exactly_once') {
          const committed = fromLog.filter((o) => o.key === key);
          // Where the records sit and who wrote them, should the committed data itself hold a duplicate.
          expect(committed.map((o) => o.count), JSON.stringify(committed.filter((o, i) => committed.findIndex((c) => c.count === o.count) !== i || i !== Number(o.count) - 1).slice(0, 10))).toEqual(Array.from({ length: n }, (_, i) => BigInt(i + 1)));
          expect(counts).toEqual(committed.map((o) => o.count));
        }
      }
    }));
  }

  it('exactly_once: a 5 s broker pause keeps the counts exact and processing resumes', () => withAppLog(async () => {
    const input = randomTopic('faults_pause_in');
    const output = randomTopic('faults_pause_out');
    await createTopics([{ topic: input, numPartitions: 2 }, { topic: output, numPartitions: 2 }]);
    const truth = new Map<string, number>();
    const app = await countingApp('exactly_once', input, output);
    await produce(input, 0, 1000, truth);
    await waitFor(() => app.processedRecords >= 1000, { timeoutMs: 60_000, description: 'first 1000 processed' });
    docker('pause', container);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    docker('unpause', container);
    const unpaused = Date.now();
    const producing = produce(input, 1000, 1000, truth);
    await waitFor(() => app.processedRecords > 1000, { timeoutMs: 120_000, intervalMs: 20, description: 'processing after the pause' });
    console.log(`[broker faults] exactly_once: 5 s pause; the first record after it was processed ${Date.now() - unpaused} ms after the broker was unpaused`);
    await producing;
    await waitFor(() => app.processedRecords >= 2000, { timeoutMs: 120_000, description: 'all 2000 processed' });
    await waitFor(async () => [...truth].every(([k, v]) => app.store<string, number>('counts').get(k) === v), { timeoutMs: 60_000, description: 'store equal to the truth' });
    expectExact(app, truth);
    await app.close();
    const outputs = await readAll(output);
    const fromLog = await committedFromLog(output);
    for (const [key, n] of truth) {
      expect(fromLog.filter((o) => o.key === key).map((o) => o.count)).toEqual(Array.from({ length: n }, (_, i) => BigInt(i + 1)));
      expect(outputs.filter((o) => o.key === key).map((o) => o.count)).toEqual(Array.from({ length: n }, (_, i) => BigInt(i + 1)));
    }
  }));

  it('tributary sink: SIGTERM after a broker restart ends the process (it used to log "sink stopped" and never exit)', async () => {
    const topic = randomTopic('faults_sink');
    await createTopics([{ topic, numPartitions: 1 }]);
    const dir = await mkdtemp(join(tmpdir(), 'tributary-sink-faults-'));
    const file = join(dir, 'sink.json');
    await writeFile(file, JSON.stringify({
      'connection.url': testServices().databaseUrl,
      'bootstrap.servers': service.brokers.join(','),
      'group.id': randomName('faults_sink_group'),
      topics: topic,
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_key',
      'schema.evolution': 'basic',
    }));
    const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));
    const cli = spawn(process.execPath, [bin, 'sink', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TRIBUTARY_CLI_FROM_SOURCE: '1' } });
    let out = '';
    cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
    cli.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
    try {
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ key: '{"id":1}', value: '{"id":1,"name":"Ann"}' }] });
      await producer.disconnect();
      const pool = new (await import('pg')).default.Pool({ connectionString: testServices().databaseUrl, max: 1 });
      try {
        await waitFor(async () => Number((await pool.query(`SELECT count(*)::int AS c FROM "${topic}"`)).rows[0]?.c) === 1, { timeoutMs: 60_000, description: 'the row in Postgres' });
      } finally {
        await pool.end();
      }
      docker('restart', '-t', '2', container);
      // Let the consumer meet the restart (its connections break, kafkajs may crash and restart it).
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const signalled = Date.now();
      cli.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve(`no exit within 60 s of SIGTERM; output:\n${out.slice(-3000)}`), 60_000))]);
      expect(code).toBe(0);
      console.log(`[broker faults] tributary sink exited ${Date.now() - signalled} ms after SIGTERM following a broker restart`);
    } finally {
      cli.kill('SIGKILL');
    }
  });

  // Last: it leaves the broker stopped until its end.
  it('tributary run: SIGTERM while the broker is down ends the process instead of hanging', async () => {
    const input = randomTopic('faults_cli_in');
    const output = randomTopic('faults_cli_out');
    await createTopics([{ topic: input, numPartitions: 1 }, { topic: output, numPartitions: 1 }]);
    const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));
    const module = fileURLToPath(new URL('../../src/cli/fixtures/uppercase.topology.ts', import.meta.url));
    const cli = spawn(process.execPath, [bin, 'run', module], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TRIBUTARY_CLI_FROM_SOURCE: '1', TRIBUTARY_APPLICATION_ID: randomName('faults_cli_app'), TRIBUTARY_BROKERS: service.brokers.join(','), UPPERCASE_INPUT: input, UPPERCASE_OUTPUT: output },
    });
    let out = '';
    cli.stdout.on('data', (d: Buffer) => (out += d.toString()));
    cli.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => out.includes('REBALANCING -> RUNNING'), { timeoutMs: 60_000, description: 'the app RUNNING' });
      docker('stop', '-t', '1', container);
      const stopped = Date.now();
      cli.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve(`no exit within 60 s of SIGTERM; output:\n${out.slice(-3000)}`), 60_000))]);
      // 0 when the shutdown had nothing left to commit, 1 when the final commit could not be made in time:
      // either way the process ends, where a crashed kafkajs consumer's restart used to keep it alive.
      expect([0, 1]).toContain(code);
      expect(out).toContain(code === 0 ? 'PENDING_SHUTDOWN -> NOT_RUNNING' : 'shutdown did not finish in time');
      console.log(`[broker faults] tributary run exited with ${String(code)} ${Date.now() - stopped} ms after SIGTERM with the broker down`);
    } finally {
      cli.kill('SIGKILL');
      docker('start', container);
    }
  });
});
