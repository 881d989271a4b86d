// Kafka security end to end: a broker of its own whose client listener is SASL_SSL (certificates made by this test),
// a KafkaStreams app in this process and `tributary run` as a child process passing records through it, and the
// failures a misconfigured client meets (wrong password, untrusted certificate, no TLS), each a KafkaConnectError
// that names the endpoint and never holds the password. No output contains a credential.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, StreamsBuilder } from '../../src/index.js';
import { kafkajsSecurity, parseKafkaSecurityConfig, type KafkaSecurityOptions } from '../../src/kafka/client-security.js';
import { KafkaConnectError } from '../../src/kafka/connect-failure.js';
import type { KafkaService } from '../../src/testing/index.js';
import { clientTls, startSecuredKafka } from '../env/secured-kafka.js';
import { randomName, waitFor } from '../env/services.js';
import { makeTestCertificates, type TestCertificates } from '../env/test-certificates.js';
import { startTlsPostgres } from '../env/tls-postgres.js';
import pg from 'pg';
import { readRecords } from './streams-harness.js';
import { cdcContext, killCdcChildren, startCdcChild, writeCdcConfig, type CdcChild } from './cdc-helpers.js';

const bin = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url));
const uppercaseModule = fileURLToPath(new URL('../../src/cli/fixtures/uppercase.topology.ts', import.meta.url));

// Distinctive passwords, so that finding one in an output cannot be a coincidence.
const ALICE_PASSWORD = `alice-${randomBytes(9).toString('base64url')}`;
const BOB_PASSWORD = `bob-${randomBytes(9).toString('base64url')}`;
const WRONG_PASSWORD = `wrong-${randomBytes(9).toString('base64url')}`;

let certificates: TestCertificates;
let service: KafkaService;
let brokers: string[];
let adminKafka: Kafka;

beforeAll(async () => {
  certificates = makeTestCertificates();
  service = await startSecuredKafka(certificates, { alice: ALICE_PASSWORD, bob: BOB_PASSWORD });
  brokers = service.brokers;
  adminKafka = new Kafka({
    clientId: 'kafka-security-test', brokers, logLevel: logLevel.NOTHING,
    ...kafkajsSecurity({ tls: clientTls(certificates), sasl: { mechanism: 'PLAIN', username: 'alice', password: ALICE_PASSWORD } }),
  });
}, 240_000);

afterAll(async () => {
  killCdcChildren();
  await service?.stop();
});

async function createTopics(...topics: string[]): Promise<void> {
  const admin = adminKafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

async function produce(topic: string, messages: { key: string; value: string }[]): Promise<void> {
  const producer = adminKafka.producer();
  await producer.connect();
  await producer.send({ topic, messages });
  await producer.disconnect();
}

function uppercase(input: string, output: string) {
  const builder = new StreamsBuilder();
  builder.stream(input, { key: Serdes.string(), value: Serdes.string() }).mapValues((v) => v.toUpperCase()).to(output, { key: Serdes.string(), value: Serdes.string() });
  return builder.build();
}

/** A logger writing JSON lines into `lines`, so the test can search everything the app logged. */
function capturingLogger(lines: string[]) {
  return pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
}

async function startFailure(security: KafkaSecurityOptions, connectTimeoutMs: number, logLines: string[]): Promise<KafkaConnectError> {
  const app = new KafkaStreams(uppercase(randomName('sec_in'), randomName('sec_out')), {
    applicationId: randomName('sec_fail'), brokers, security, connectTimeoutMs, logger: capturingLogger(logLines),
  });
  const error = await app.start().then(() => undefined, (e: unknown) => e);
  await app.close();
  expect(error).toBeInstanceOf(KafkaConnectError);
  return error as KafkaConnectError;
}

/** `tributary sink` as a child process, and everything it wrote. */
function startSinkChild(configFile: string) {
  const proc = spawn(process.execPath, [bin, 'sink', '--config', configFile, '--log-level', 'debug'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TRIBUTARY_CLI_FROM_SOURCE: '1' } });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, exited, output: () => output };
}

/** The Kafka keys of a cdc or sink config for the secured broker: SASL_SSL with a client certificate. */
function kafkaKeys(mechanism: string, username: string, password: string): Record<string, string> {
  return {
    'security.protocol': 'SASL_SSL', 'sasl.mechanism': mechanism, 'sasl.username': username, 'sasl.password': password,
    'ssl.ca.location': certificates.caFile, 'ssl.certificate.location': certificates.clientCertFile, 'ssl.key.location': certificates.clientKeyFile,
  };
}

async function tableCount(db: pg.Client, table: string): Promise<number> {
  const exists = await db.query<{ e: boolean }>(`SELECT to_regclass('${table}') IS NOT NULL AS e`);
  if (exists.rows[0]!.e !== true) return 0;
  return (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
}

function credentialsIn(text: string, ...more: string[]): string[] {
  return [ALICE_PASSWORD, BOB_PASSWORD, WRONG_PASSWORD, ...more].filter((secret) => text.includes(secret));
}

/** SIGTERM to both connector processes. */
function stopBoth(cdc: CdcChild, sink: ReturnType<typeof startSinkChild>): void {
  sink.proc.kill('SIGTERM');
  cdc.process.kill('SIGTERM');
}

/** Both exited 0 after SIGTERM, and neither wrote a password (the test users' ones, or `secrets`). */
async function expectCleanExits(cdc: CdcChild, sink: ReturnType<typeof startSinkChild>, secrets: readonly string[]): Promise<void> {
  expect(await sink.exited).toBe(0);
  expect((await cdc.exited).code).toBe(0);
  expect(credentialsIn(`${cdc.output()}\n${sink.output()}`, ...secrets)).toEqual([]);
}

describe('Kafka over SASL_SSL', () => {
  it('runs a KafkaStreams app with SCRAM-SHA-512, a CA file and a client certificate from config keys', async () => {
    const input = randomName('sec_in');
    const output = randomName('sec_out');
    await createTopics(input, output);
    const security = parseKafkaSecurityConfig({
      'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-512', 'sasl.username': 'bob', 'sasl.password': BOB_PASSWORD,
      'ssl.ca.location': certificates.caFile, 'ssl.certificate.location': certificates.clientCertFile, 'ssl.key.location': certificates.clientKeyFile,
    });
    const lines: string[] = [];
    const app = new KafkaStreams(uppercase(input, output), { applicationId: randomName('sec_app'), brokers, security, guarantee: 'exactly_once', logger: capturingLogger(lines) });
    try {
      await app.start();
      await produce(input, [{ key: 'a', value: 'secured' }, { key: 'b', value: 'stream' }]);
      const records = await readRecords(adminKafka, output, 2);
      expect(records.map((r) => `${r.key}=${r.value.toString()}`).sort()).toEqual(['a=SECURED', 'b=STREAM']);
    } finally {
      await app.close();
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(credentialsIn(lines.join('\n'))).toEqual([]);
  });

  it('fails at once on a wrong password, naming the endpoint and the mechanism, not the password', async () => {
    const lines: string[] = [];
    // A connect timeout far beyond the test's: the failure must be the broker's refusal, not a timeout.
    const error = await startFailure({ tls: clientTls(certificates), sasl: { mechanism: 'SCRAM-SHA-256', username: 'alice', password: WRONG_PASSWORD } }, 600_000, lines);
    expect(error.message).toContain(`Kafka at ${brokers[0]}`);
    expect(error.message).toContain('SASL SCRAM-SHA-256 authentication as "alice" was refused');
    expect(error.message).toContain('check sasl.username and sasl.password');
    expect(error.retriable).toBe(false);
    expect(credentialsIn(`${error.message}\n${String((error.cause as Error | undefined)?.message)}\n${lines.join('\n')}`)).toEqual([]);
  });

  it('refuses a broker certificate from an untrusted CA; the broker refuses a client certificate of a CA it does not trust, or none', async () => {
    const sasl = { mechanism: 'PLAIN', username: 'alice', password: ALICE_PASSWORD } as const;
    const untrusted = await startFailure({ tls: { ...clientTls(certificates), ca: { file: certificates.strangerCaFile } }, sasl }, 600_000, []);
    expect(untrusted.message).toContain(`Kafka at ${brokers[0]}`);
    expect(untrusted.message).toMatch(/the broker's certificate was not accepted \(\w+\); check ssl\.ca\.location/);
    const stranger = await startFailure({ tls: { ca: { file: certificates.caFile }, cert: { file: certificates.strangerCertFile }, key: { file: certificates.strangerKeyFile } }, sasl }, 600_000, []);
    expect(stranger.message).toContain(`Kafka at ${brokers[0]}`);
    expect(stranger.message).toMatch(/the broker refused the TLS handshake \(\w+\); check ssl\.certificate\.location and ssl\.key\.location/);
    const none = await startFailure({ tls: { ca: { file: certificates.caFile } }, sasl }, 600_000, []);
    expect(none.message).toMatch(/the broker refused the TLS handshake \(\w+\); check ssl\.certificate\.location and ssl\.key\.location/);
  });

  it('names the endpoint and the protocol to check when a client without TLS meets the SASL_SSL listener', async () => {
    const error = await startFailure({ sasl: { mechanism: 'PLAIN', username: 'alice', password: ALICE_PASSWORD } }, 5_000, []);
    expect(error.message).toContain(`Kafka at ${brokers[0]} (security.protocol SASL_PLAINTEXT)`);
    expect(error.message).toMatch(/listener (speaks|for) SASL_PLAINTEXT/);
    expect(credentialsIn(error.message)).toEqual([]);
  });

  it('tributary run reaches the cluster with its config file keys, the system trust store (NODE_EXTRA_CA_CERTS) and a SASL PLAIN password from the environment', async () => {
    const input = randomName('sec_run_in');
    const output = randomName('sec_run_out');
    await createTopics(input, output);
    const config = join(certificates.dir, `run-${randomName('cfg')}.json`);
    await writeFile(config, JSON.stringify({
      applicationId: randomName('sec_run'), brokers, commitIntervalMs: 200,
      'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN', 'sasl.username': 'alice', 'sasl.password': '${env:KAFKA_PASSWORD}',
      'ssl.certificate.location': certificates.clientCertFile, 'ssl.key.location': certificates.clientKeyFile,
    }));
    const proc = spawn(process.execPath, [bin, 'run', uppercaseModule, '--config', config, '--log-level', 'debug'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TRIBUTARY_CLI_FROM_SOURCE: '1', KAFKA_PASSWORD: ALICE_PASSWORD, NODE_EXTRA_CA_CERTS: certificates.caFile, UPPERCASE_INPUT: input, UPPERCASE_OUTPUT: output },
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => out.includes('REBALANCING -> RUNNING'), { timeoutMs: 90_000, description: `the app RUNNING; output so far:\n${out}` });
      await produce(input, [{ key: 'k', value: 'through tls' }]);
      const records = await readRecords(adminKafka, output, 1);
      expect(records.map((r) => `${r.key}=${r.value.toString()}`)).toEqual(['k=THROUGH TLS']);
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(credentialsIn(out)).toEqual([]);
  });
});

describe('tributary cdc and tributary sink over SASL_SSL', () => {
  it('carry changes from PostgreSQL through the secured broker into another table, with no credential in their output', async () => {
    const ctx = await cdcContext('sec_cdc');
    // The shared server's password is a fixed word the CLI masks everywhere; the TLS test below probes a distinctive one.
    const extraSecrets: string[] = [];
    const children: CdcChild[] = [];
    try {
      await ctx.db.query(`CREATE TABLE ${ctx.prefix}.items (id int PRIMARY KEY, name text)`);
      await ctx.db.query(`INSERT INTO ${ctx.prefix}.items SELECT g, 'item ' || g FROM generate_series(1, 20) g`);
      const cdc = startCdcChild(await writeCdcConfig(ctx.config({ 'kafka.bootstrap.servers': brokers.join(','), ...kafkaKeys('SCRAM-SHA-256', 'bob', BOB_PASSWORD) })));
      children.push(cdc);
      await cdc.waitForOutput(/streaming started/, 90_000);
      await ctx.db.query(`INSERT INTO ${ctx.prefix}.items SELECT g, 'item ' || g FROM generate_series(21, 30) g`);
      // The sink reads the credentials from a Java client's sasl.jaas.config, as a Kafka Connect worker config has them.
      const sinkFile = join(certificates.dir, `sink-${ctx.prefix}.json`);
      await writeFile(sinkFile, JSON.stringify({
        'connection.url': ctx.config()['database.url'], 'bootstrap.servers': brokers.join(','), topics: `${ctx.prefix}.${ctx.prefix}.items`,
        'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'schema.evolution': 'basic', 'table.name.format': `${ctx.prefix}.items_copy`,
        'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'PLAIN',
        'sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="${ALICE_PASSWORD}";`,
        'ssl.ca.location': certificates.caFile, 'ssl.certificate.location': certificates.clientCertFile, 'ssl.key.location': certificates.clientKeyFile,
      }));
      const sink = startSinkChild(sinkFile);
      try {
        await waitFor(async () => (await tableCount(ctx.db, `${ctx.prefix}.items_copy`)) === 30, { timeoutMs: 90_000, description: '30 rows in the sink table' });
        const diff = await ctx.db.query(`(SELECT id, name FROM ${ctx.prefix}.items EXCEPT SELECT id, name FROM ${ctx.prefix}.items_copy) UNION ALL (SELECT id, name FROM ${ctx.prefix}.items_copy EXCEPT SELECT id, name FROM ${ctx.prefix}.items)`);
        expect(diff.rows).toEqual([]);
      } finally {
        stopBoth(cdc, sink);
      }
      await expectCleanExits(cdc, sink, extraSecrets);
    } finally {
      for (const child of children) child.process.kill('SIGKILL');
      await ctx.db.query(`DROP TABLE IF EXISTS ${ctx.prefix}.items_copy`);
      await ctx.cleanup();
    }
  });
});

describe('tributary cdc and tributary sink with a wrong Kafka password', () => {
  it('exit 1 at once, naming the brokers, the mechanism and what to check, without the password', async () => {
    const ctx = await cdcContext('sec_bad');
    try {
      const cdc = startCdcChild(await writeCdcConfig(ctx.config({ 'kafka.bootstrap.servers': brokers.join(','), ...kafkaKeys('SCRAM-SHA-512', 'bob', WRONG_PASSWORD) })));
      const sinkFile = join(certificates.dir, `sink-${ctx.prefix}.json`);
      await writeFile(sinkFile, JSON.stringify({
        'connection.url': ctx.config()['database.url'], 'bootstrap.servers': brokers.join(','), topics: `${ctx.prefix}_none`, ...kafkaKeys('PLAIN', 'alice', WRONG_PASSWORD),
      }));
      const sink = startSinkChild(sinkFile);
      expect((await cdc.exited).code).toBe(1);
      expect(await sink.exited).toBe(1);
      // (the shared server's password is the word "tributary", which the CLI masks, its own name included)
      expect(cdc.output()).toContain(` cdc: the CDC source cannot connect to Kafka at ${brokers[0]} (security.protocol SASL_SSL): SASL SCRAM-SHA-512 authentication as "bob" was refused; check sasl.username and sasl.password`);
      expect(sink.output()).toContain(` sink: the sink cannot connect to Kafka at ${brokers[0]} (security.protocol SASL_SSL): SASL PLAIN authentication as "alice" was refused`);
      expect(credentialsIn(`${cdc.output()}\n${sink.output()}`)).toEqual([]);
    } finally {
      await ctx.cleanup();
    }
  });
});

describe('tributary cdc and tributary sink with PostgreSQL over TLS', () => {
  it('connect with verify-full (cdc by database.ssl* keys, sink by URL parameters), every connection encrypted, no password in their output', async () => {
    const pgPassword = `pg-${randomBytes(9).toString('base64url')}`;
    const extraSecrets = [pgPassword];
    const { service: postgres, databaseUrl } = await startTlsPostgres(certificates, pgPassword);
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const prefix = randomName('sec_pg');
    const children: { kill(signal: NodeJS.Signals): unknown }[] = [];
    try {
      await db.query(`CREATE SCHEMA ${prefix}`);
      await db.query(`CREATE TABLE ${prefix}.items (id int PRIMARY KEY, name text)`);
      await db.query(`INSERT INTO ${prefix}.items SELECT g, 'item ' || g FROM generate_series(1, 15) g`);
      const cdc = startCdcChild(await writeCdcConfig({
        'topic.prefix': prefix, 'database.url': databaseUrl, 'slot.name': `${prefix}_slot`, 'publication.name': `${prefix}_pub`,
        'publication.autocreate.mode': 'filtered', 'schema.include.list': prefix, 'offset.storage.topic': `${prefix}_offsets`,
        'database.sslmode': 'verify-full', 'database.sslrootcert': certificates.caFile,
        'kafka.bootstrap.servers': brokers.join(','), ...kafkaKeys('SCRAM-SHA-512', 'alice', ALICE_PASSWORD),
      }));
      children.push(cdc.process);
      await cdc.waitForOutput(/streaming started/, 90_000);
      const sinkUrl = new URL(databaseUrl);
      sinkUrl.password = '';
      sinkUrl.searchParams.set('sslmode', 'verify-full');
      sinkUrl.searchParams.set('sslrootcert', certificates.caFile);
      const sinkFile = join(certificates.dir, `sink-${prefix}.json`);
      await writeFile(sinkFile, JSON.stringify({
        'connection.url': sinkUrl.toString(), 'connection.password': '${env:PG_PASSWORD}', 'bootstrap.servers': brokers.join(','),
        topics: `${prefix}.${prefix}.items`, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'schema.evolution': 'basic',
        'table.name.format': `${prefix}.items_copy`, ...kafkaKeys('PLAIN', 'bob', BOB_PASSWORD),
      }));
      process.env['PG_PASSWORD'] = pgPassword;
      const sink = startSinkChild(sinkFile);
      delete process.env['PG_PASSWORD'];
      children.push(sink.proc);
      try {
        await db.query(`INSERT INTO ${prefix}.items SELECT g, 'item ' || g FROM generate_series(16, 25) g`);
        await waitFor(async () => (await tableCount(db, `${prefix}.items_copy`)) === 25, { timeoutMs: 90_000, description: '25 rows in the sink table' });
        // Every connection but this test's own (which uses no TLS) is encrypted: the catalog, replication and sink pools.
        const connections = await db.query<{ backend_type: string; ssl: boolean }>(
          'SELECT a.backend_type, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.usename IS NOT NULL AND a.pid <> pg_backend_pid()',
        );
        expect(connections.rows.length).toBeGreaterThanOrEqual(2);
        expect(connections.rows.filter((c) => !c.ssl)).toEqual([]);
        expect(connections.rows.map((c) => c.backend_type)).toEqual(expect.arrayContaining(['walsender', 'client backend']));
      } finally {
        stopBoth(cdc, sink);
      }
      await expectCleanExits(cdc, sink, extraSecrets);
    } finally {
      for (const child of children) child.kill('SIGKILL');
      await db.end();
      await postgres.stop();
    }
  });
});
