// Shared pieces of the CDC source integration tests: unique names per test, a PostgreSQL client, reading topics
// back as text, and cleanup of slots and publications.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { randomName, testServices, waitFor } from '../env/services.js';
import { createPostgresCdcSource, type CdcSourceOptions, type PostgresCdcSource } from '../../connectors/postgres-cdc/index.js';
import type { RawConfig } from '../../connectors/postgres-cdc/config.js';

export interface TopicRecord {
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Record<string, string>;
  readonly offset: number;
}

export interface CdcTestContext {
  readonly prefix: string;
  readonly slot: string;
  readonly publication: string;
  readonly db: pg.Client;
  readonly kafka: Kafka;
  config(extra?: RawConfig): RawConfig;
  source(extra?: RawConfig, options?: CdcSourceOptions): PostgresCdcSource;
  readTopic(topic: string, count: number): Promise<TopicRecord[]>;
  cleanup(): Promise<void>;
}

export const quietLogger = pino({ level: process.env['CDC_TEST_LOG'] ?? 'warn' });

export async function cdcContext(label: string): Promise<CdcTestContext> {
  const { brokers, databaseUrl } = testServices();
  const prefix = randomName(label);
  const slot = `${prefix}_slot`;
  const publication = `${prefix}_pub`;
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const kafka = new Kafka({ clientId: prefix, brokers, logLevel: logLevel.NOTHING });
  const sources: PostgresCdcSource[] = [];
  const config = (extra: RawConfig = {}): RawConfig => ({
    'topic.prefix': prefix,
    'database.url': databaseUrl,
    'kafka.bootstrap.servers': brokers.join(','),
    'slot.name': slot,
    'publication.name': publication,
    'publication.autocreate.mode': 'filtered',
    'offset.storage.topic': `${prefix}_offsets`,
    'schema.include.list': prefix,
    ...extra,
  });
  await db.query(`CREATE SCHEMA ${prefix}`);
  return {
    prefix, slot, publication, db, kafka, config,
    source(extra: RawConfig = {}, options: CdcSourceOptions = {}) {
      const s = createPostgresCdcSource(config(extra), { logger: quietLogger, ...options });
      sources.push(s);
      return s;
    },
    readTopic: (topic, count) => readTopicRecords(kafka, topic, count),
    async cleanup() {
      for (const s of sources) await s.stop().catch(() => undefined);
      await waitFor(async () => {
        const r = await db.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
        return r.rows.length === 0 || r.rows[0].active === false;
      }, { description: `slot ${slot} inactive` });
      await db.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      await db.query(`DROP PUBLICATION IF EXISTS ${publication}`);
      await db.query(`DROP SCHEMA IF EXISTS ${prefix} CASCADE`);
      await db.end();
    },
  };
}

/** Reads `topic` from the beginning until at least `count` records arrived (waits for the topic to exist). */
export async function readTopicRecords(kafka: Kafka, topic: string, count: number): Promise<TopicRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(async () => (await admin.listTopics()).includes(topic), { description: `topic ${topic} to exist` });
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId: randomName('reader') });
  const out: TopicRecord[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      out.push({ key: message.key?.toString('utf8') ?? null, value: message.value?.toString('utf8') ?? null, headers, offset: Number(message.offset) });
    },
  });
  try {
    await waitFor(() => out.length >= count, { timeoutMs: 300_000, description: `${count} records on ${topic} (have ${out.length})` });
  } finally {
    await consumer.disconnect();
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** Parses a record value written with schemas.enable=false. */
export function payload(r: TopicRecord): Record<string, unknown> {
  if (r.value === null) throw new Error('tombstone has no payload');
  return JSON.parse(r.value) as Record<string, unknown>;
}

/** A `tributary cdc` child process (through bin/tributary.js, as users run it) and everything it wrote. */
export interface CdcChild {
  readonly process: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves when the process exited: its exit code (null when killed by a signal) and when. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  /** Waits until the output matches. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

const liveChildren = new Set<ChildProcess>();

/** Writes a config file for `tributary cdc --config`. */
export async function writeCdcConfig(config: RawConfig | string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cdc-cli-'));
  const path = join(dir, 'cdc.json');
  await writeFile(path, typeof config === 'string' ? config : JSON.stringify(config));
  return path;
}

export function startCdcChild(configFile: string): CdcChild {
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'tributary.js');
  const child = spawn(process.execPath, [bin, 'cdc', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  liveChildren.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) => {
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      resolve({ code, signal, atMs: Date.now() });
    });
  });
  return {
    process: child,
    output: () => out,
    exited,
    waitForOutput: (pattern, timeoutMs = 60_000) =>
      Promise.race([
        waitFor(() => pattern.test(out), { timeoutMs, description: `output matching ${pattern}` }).then(() => undefined),
        exited.then(({ code }) => {
          if (!pattern.test(out)) throw new Error(`exited with ${code} before writing ${pattern}:\n${out}`);
        }),
      ]),
  };
}

/** Kills every child still running (afterAll). */
export function killCdcChildren(): void {
  for (const c of liveChildren) c.kill('SIGKILL');
}

/**
 * A TCP forwarder that can be shut (connections reset, port refusing) and opened again on the same port: a broker
 * advertised at the gate's port becomes unreachable and reachable again, as in a network outage.
 */
export class TcpGate {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  private constructor(readonly port: number, private readonly target: { host: string; port: number }) {}

  static async open(port: number, target: { host: string; port: number }): Promise<TcpGate> {
    const gate = new TcpGate(port, target);
    await gate.reopen();
    return gate;
  }

  async reopen(): Promise<void> {
    const server = createServer((client) => {
      if (this.stalled) {
        this.sockets.add(client);
        client.on('close', () => this.sockets.delete(client));
        client.on('error', () => undefined);
        client.pause();
        return;
      }
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '0.0.0.0', () => resolve());
    });
    this.server = server;
  }

  /**
   * Stops forwarding without closing anything, like a paused broker: open connections stay open and get no
   * answer, new ones are accepted and get none either. shut() ends it.
   */
  stall(): void {
    this.stalled = true;
    for (const s of this.sockets) {
      s.unpipe();
      s.pause();
    }
  }
  private stalled = false;

  async shut(): Promise<void> {
    this.stalled = false;
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
