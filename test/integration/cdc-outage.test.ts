// `tributary cdc` through outages of Kafka and PostgreSQL: while a service is unreachable it logs its retries and
// keeps its place; when the service is back it resumes and every committed row reaches Kafka; past
// errors.max.retries it exits non-zero. Kafka is a broker of its own behind a TCP gate (advertised at the gate's
// port, so shutting the gate makes it unreachable for every connection); PostgreSQL is the shared server behind a
// gate. Recovery times are printed (the note reports them); no test asserts a duration.
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedTestContainer } from 'testcontainers';
import { dockerHostName, loadTestcontainers, ownerLabels } from '../../src/testing/docker-environment.js';
import { brokerEnvironment } from '../../src/testing/kafka-service.js';
import { freePort } from '../../src/testing/free-port.js';
import { randomName, testServices, waitFor } from '../env/services.js';
import { cdcContext, killCdcChildren, payload, readTopicRecords, startCdcChild, TcpGate, writeCdcConfig, type CdcChild, type CdcTestContext } from './cdc-helpers.js';

let ctx: CdcTestContext;
let broker: StartedTestContainer;
let kafkaGate: TcpGate;
let kafka: Kafka;
const gates: TcpGate[] = [];

beforeAll(async () => {
  ctx = await cdcContext('cdc_outage');
  const tc = await loadTestcontainers();
  const gatePort = await freePort();
  broker = await new tc.GenericContainer(process.env['TRIBUTARY_KAFKA_IMAGE'] ?? 'apache/kafka:4.4.0')
    .withEnvironment(brokerEnvironment(dockerHostName(), gatePort))
    .withExposedPorts(9092)
    .withLabels(ownerLabels())
    .withWaitStrategy(tc.Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
    .start();
  kafkaGate = await TcpGate.open(gatePort, { host: broker.getHost(), port: broker.getMappedPort(9092) });
  gates.push(kafkaGate);
  kafka = new Kafka({ clientId: randomName('outage'), brokers: [`${dockerHostName()}:${gatePort}`], logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 200 } });
  const admin = kafka.admin();
  await admin.connect();
  await admin.describeGroups(['warm-up']); // loads __consumer_offsets before the readers need it
  await admin.disconnect();
});
afterAll(async () => {
  killCdcChildren();
  for (const g of gates) await g.shut();
  await broker?.stop();
  await ctx.cleanup();
});

const plain = { 'key.converter.schemas.enable': false, 'value.converter.schemas.enable': false, 'errors.retry.delay.initial.ms': 300, 'errors.retry.delay.max.ms': 1000 };

async function ids(topic: string, count: number): Promise<Set<number>> {
  const records = await readTopicRecords(kafka, topic, count);
  return new Set(records.map((r) => (payload(r) as { after: { id: number } }).after.id));
}

/** Inserts rows id..id+n-1 one transaction at a time, `pauseMs` apart. */
async function insert(table: string, from: number, n: number, pauseMs = 0): Promise<void> {
  for (let id = from; id < from + n; id++) {
    await ctx.db.query(`INSERT INTO ${table} VALUES ($1, 'v')`, [id]);
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  }
}

async function stopCleanly(child: CdcChild): Promise<void> {
  expect(child.process.exitCode).toBeNull(); // it was still running
  const at = Date.now();
  child.process.kill('SIGTERM');
  const { code, atMs } = await child.exited;
  console.log(`[cdc] SIGTERM after the fault: exit ${code} in ${atMs - at} ms`);
  expect(code).toBe(0);
}

describe('tributary cdc: Kafka and PostgreSQL outages', () => {
  it('retries while Kafka is unreachable and resumes when it is back, losing nothing', async () => {
    const table = `${ctx.prefix}.kafka_out`;
    const topic = `${ctx.prefix}.${table}`;
    await ctx.db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`);
    const child = startCdcChild(await writeCdcConfig(ctx.config({ ...plain, 'kafka.bootstrap.servers': `${dockerHostName()}:${kafkaGate.port}` })));
    await child.waitForOutput(/streaming started/);
    await insert(table, 1, 100);
    expect((await ids(topic, 100)).size).toBe(100);

    // 12 s without Kafka (longer than the producer's own retries), with changes committed all along
    await kafkaGate.shut();
    const down = Date.now();
    await insert(table, 101, 100, 100);
    await child.waitForOutput(/retriable error, restarting the source/);
    await new Promise((r) => setTimeout(r, Math.max(0, 12_000 - (Date.now() - down))));
    await kafkaGate.reopen();
    const back = Date.now();
    await insert(table, 201, 100);
    const seen = await ids(topic, 300);
    console.log(`[cdc] Kafka outage ${back - down} ms: all 300 rows in Kafka ${Date.now() - back} ms after it was back`);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    await stopCleanly(child);
  });

  it('retries while PostgreSQL is unreachable and resumes when it is back, losing nothing', async () => {
    const table = `${ctx.prefix}.pg_out`;
    const topic = `${ctx.prefix}.${table}`;
    await ctx.db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`);
    const url = new URL(testServices().databaseUrl);
    const pgGate = await TcpGate.open(await freePort(), { host: url.hostname, port: Number(url.port) });
    gates.push(pgGate);
    const gated = new URL(url);
    gated.port = String(pgGate.port);
    const child = startCdcChild(await writeCdcConfig(ctx.config({ ...plain, 'kafka.bootstrap.servers': `${dockerHostName()}:${kafkaGate.port}`, 'database.url': gated.toString() })));
    await child.waitForOutput(/streaming started/);
    await insert(table, 1, 100);
    expect((await ids(topic, 100)).size).toBe(100);

    // 5 s without PostgreSQL for the source (the server itself runs on: changes are committed meanwhile)
    await pgGate.shut();
    const down = Date.now();
    await insert(table, 101, 50, 50);
    await child.waitForOutput(/retriable error, restarting the source/);
    await new Promise((r) => setTimeout(r, Math.max(0, 5_000 - (Date.now() - down))));
    await pgGate.reopen();
    const back = Date.now();
    await insert(table, 151, 50);
    const seen = await ids(topic, 200);
    console.log(`[cdc] PostgreSQL outage ${back - down} ms: all 200 rows in Kafka ${Date.now() - back} ms after it was back`);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    await stopCleanly(child);
    await pgGate.shut();
  });

  it('ends within its bounds on SIGTERM while Kafka does not answer (a paused broker), exit code 0', async () => {
    const table = `${ctx.prefix}.stalled`;
    const topic = `${ctx.prefix}.${table}`;
    await ctx.db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`);
    const child = startCdcChild(await writeCdcConfig(ctx.config({ ...plain, 'kafka.bootstrap.servers': `${dockerHostName()}:${kafkaGate.port}` })));
    await child.waitForOutput(/streaming started/);
    await insert(table, 1, 50);
    expect((await ids(topic, 50)).size).toBe(50);
    kafkaGate.stall();
    await insert(table, 51, 20); // sends that get no answer
    await new Promise((r) => setTimeout(r, 1000));
    const at = Date.now();
    child.process.kill('SIGTERM');
    const { code, atMs } = await child.exited;
    console.log(`[cdc] SIGTERM while Kafka is paused: exit ${code} after ${atMs - at} ms`);
    expect(code).toBe(0);
    expect(child.output()).not.toMatch(/did not stop in time/);
    await kafkaGate.shut();
    await kafkaGate.reopen();
  });

  it('exits non-zero once errors.max.retries are spent while Kafka stays away', async () => {
    const table = `${ctx.prefix}.budget`;
    await ctx.db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, v text)`);
    const child = startCdcChild(await writeCdcConfig(ctx.config({ ...plain, 'kafka.bootstrap.servers': `${dockerHostName()}:${kafkaGate.port}`, 'errors.max.retries': 2 })));
    await child.waitForOutput(/streaming started/);
    await kafkaGate.shut();
    const down = Date.now();
    await insert(table, 1, 20, 50);
    const { code, atMs } = await child.exited;
    console.log(`[cdc] Kafka gone for good, errors.max.retries=2: exit ${code} ${atMs - down} ms after the outage began`);
    await kafkaGate.reopen();
    expect(code).not.toBe(0);
    const out = child.output();
    expect(out.match(/retriable error, restarting the source/g)).toHaveLength(2);
    expect(out).toMatch(/giving up after 2 retries without progress \(errors.max.retries=2\)/);
  });

  it('exits non-zero once errors.max.retries are spent when Kafka is never reachable', async () => {
    const closed = await freePort();
    const startedAt = Date.now();
    const child = startCdcChild(await writeCdcConfig(ctx.config({ ...plain, 'kafka.bootstrap.servers': `127.0.0.1:${closed}`, 'errors.max.retries': 1 })));
    const { code, atMs } = await child.exited;
    console.log(`[cdc] Kafka never reachable, errors.max.retries=1: exit ${code} after ${atMs - startedAt} ms`);
    expect(code).not.toBe(0);
    expect(child.output().match(/retriable error, restarting the source/g)).toHaveLength(1);
    expect(child.output()).toMatch(/giving up after 1 retry/);
  });
});
