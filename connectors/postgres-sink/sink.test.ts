import type { Pool } from 'pg';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { InMemoryKafka } from '../../src/kafka/in-memory-kafka.js';
import { parseSinkConfig, type SinkConfigInput } from './config.js';
import { alice, bob, changeEvent, customerKey, type CustomerRow } from './fixtures/customers.js';
import { createPostgresSink, type PostgresSink } from './sink.js';

// The sink on the in-memory Kafka and a small fake PostgreSQL pool. Its statements go into the Kafka's `ops` as
// `pg <statement>`, so one ordered log shows whether an offset was committed before or after the write.

const TOPIC = 'dbserver1.public.customers';

/** A pool of one client that answers the sink's catalog queries for table "customers" (key id). */
function fakePool(kafka: InMemoryKafka, fail?: (text: string) => Error | undefined) {
  const written: { text: string; values: unknown[] }[] = [];
  const client = {
    query: async (text: string, values: unknown[] = []) => {
      kafka.ops.push(`pg ${text.split(' ')[0]}`);
      const error = fail?.(text);
      if (error !== undefined) throw error;
      if (/^(INSERT|DELETE|UPDATE)/.test(text)) written.push({ text, values });
      if (text.includes('to_regclass')) return { rows: [{ oid: '16384' }], rowCount: 1 };
      if (text.includes('FROM pg_attribute a WHERE')) {
        const columns = ['id', 'name', 'email', 'balance', 'created_at', 'tags'];
        return { rows: columns.map((name) => ({ name, type: name === 'id' ? 'integer' : 'text', not_null: name === 'id' })), rowCount: columns.length };
      }
      if (text.includes('pg_index')) return { rows: [{ columns: ['id'] }], rowCount: 1 };
      return { rows: [], rowCount: text.startsWith('INSERT') ? values.length / 6 : 0 };
    },
    release: () => undefined,
    on: () => undefined,
    off: () => undefined,
  };
  const pool = { query: async () => ({ rows: [{}], rowCount: 1 }), connect: async () => client } as unknown as Pool;
  /** The ids of the rows written, in order. */
  const ids = (): unknown[] => written.flatMap((w) => (w.text.startsWith('INSERT') ? w.values.filter((_, i) => i % 6 === 0) : []));
  return { pool, written, ids };
}

const config = (extra: SinkConfigInput = {}) =>
  parseSinkConfig({
    'connection.url': 'postgres://app@localhost/app', 'bootstrap.servers': 'unused:9092', topics: TOPIC, 'group.id': 'sink',
    'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'table.name.format': 'customers', 'flush.retry.delay.ms': 0, ...extra,
  });

const customer = (id: number): CustomerRow => ({ ...alice, id, name: `c${id}` });
const append = (kafka: InMemoryKafka, row: CustomerRow): number =>
  kafka.append(TOPIC, 0, { key: Buffer.from(customerKey(row.id)), value: Buffer.from(changeEvent('c', null, row)), headers: { trace: 't-' + row.id } });

async function started(kafka: InMemoryKafka, pool: Pool, extra: SinkConfigInput = {}): Promise<PostgresSink> {
  const sink = createPostgresSink(config(extra), { kafka, pool, logger: pino({ level: 'silent' }) });
  await sink.start();
  kafka.rebalance();
  return sink;
}

const commits = (kafka: InMemoryKafka): string[] => kafka.ops.filter((op) => op.startsWith('commit '));

describe('PostgresSink on the in-memory Kafka', () => {
  it('writes a batch in one PostgreSQL transaction and commits its Kafka offset only after the COMMIT', async () => {
    const kafka = new InMemoryKafka({ [TOPIC]: 1 });
    const pg = fakePool(kafka);
    for (const id of [1, 2, 3]) append(kafka, customer(id));
    const sink = await started(kafka, pg.pool);

    expect(await kafka.deliver()).toBe(3);

    expect(pg.ids()).toEqual([1, 2, 3]);
    expect(pg.written[0]!.text).toMatch(/^INSERT INTO "customers" .* ON CONFLICT \("id"\) DO UPDATE/);
    expect(commits(kafka)).toEqual([`commit [{"topic":"${TOPIC}","partition":0,"offset":3}]`]);
    expect(kafka.ops.lastIndexOf('pg COMMIT')).toBeLessThan(kafka.ops.indexOf(commits(kafka)[0]!));
    expect(kafka.ops.slice(kafka.ops.indexOf('pg BEGIN'))).toEqual(expect.arrayContaining(['pg INSERT', 'pg COMMIT']));
    expect(sink.stats()).toMatchObject({ records: 3, batches: 1, lag: 0 });
    await sink.stop();
    expect(kafka.ops.at(-1)).toBe('consumer close');
  });

  it('writes batch.size records per transaction, heartbeating after each, and commits once per fetched batch', async () => {
    const kafka = new InMemoryKafka({ [TOPIC]: 1 });
    const pg = fakePool(kafka);
    for (const id of [1, 2, 3]) append(kafka, customer(id));
    const sink = await started(kafka, pg.pool, { 'batch.size': 2 });

    await kafka.deliver();

    expect(kafka.ops.filter((op) => op === 'pg COMMIT')).toHaveLength(2);
    expect(kafka.ops.filter((op) => op.startsWith('heartbeat '))).toEqual([`heartbeat ${TOPIC}-0`, `heartbeat ${TOPIC}-0`]);
    expect(commits(kafka)).toEqual([`commit [{"topic":"${TOPIC}","partition":0,"offset":3}]`]);
    await sink.stop();
  });

  it('sends an undecodable record to the dead-letter topic with its key, value and Kafka Connect headers before committing past it', async () => {
    const kafka = new InMemoryKafka({ [TOPIC]: 1, 'sink-dlq': 1 });
    const pg = fakePool(kafka);
    append(kafka, customer(1));
    kafka.append(TOPIC, 0, { key: Buffer.from(customerKey(2)), value: Buffer.from('{oops'), headers: { trace: 't-2' } });
    append(kafka, bob);
    const sink = await started(kafka, pg.pool, { 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'sink-dlq' });

    await kafka.deliver();

    expect(pg.ids()).toEqual([1, 2]);
    const [dead, ...more] = kafka.log('sink-dlq', 0);
    expect(more).toEqual([]);
    expect(dead!.key?.toString()).toBe(customerKey(2));
    expect(dead!.value?.toString()).toBe('{oops');
    expect(dead!.headers).toMatchObject({
      trace: 't-2',
      '__connect.errors.topic': TOPIC,
      '__connect.errors.partition': '0',
      '__connect.errors.offset': '1',
      '__connect.errors.connector.name': 'tributary-postgres-sink',
      '__connect.errors.stage': 'VALUE_CONVERTER',
    });
    expect(kafka.ops.indexOf('send sink-dlq')).toBeLessThan(kafka.ops.indexOf(commits(kafka)[0]!));
    expect(commits(kafka)).toEqual([`commit [{"topic":"${TOPIC}","partition":0,"offset":3}]`]);
    expect(sink.stats()).toMatchObject({ records: 3, deadLettered: 1 });
    await sink.stop();
  });

  it('a restart resumes from the committed offset: what was written is not written again', async () => {
    const kafka = new InMemoryKafka({ [TOPIC]: 1 });
    const first = fakePool(kafka);
    append(kafka, customer(1));
    append(kafka, customer(2));
    const sink = await started(kafka, first.pool);
    await kafka.deliver();
    await sink.stop();
    append(kafka, customer(3));

    const second = fakePool(kafka);
    const restarted = await started(kafka, second.pool);
    await kafka.deliver();

    expect(first.ids()).toEqual([1, 2]);
    expect(second.ids()).toEqual([3]);
    expect(kafka.committed.get(`${TOPIC}/0`)?.offset).toBe(3);
    await restarted.stop();
  });

  it('with consumer.auto.offset.reset=latest a new group reads only what is written after it joined', async () => {
    const kafka = new InMemoryKafka({ [TOPIC]: 1 });
    const pg = fakePool(kafka);
    append(kafka, customer(1));
    const sink = await started(kafka, pg.pool, { 'consumer.auto.offset.reset': 'latest' });
    append(kafka, customer(2));
    await kafka.deliver();
    expect(pg.ids()).toEqual([2]);
    await sink.stop();
  });

  it('a write PostgreSQL refuses commits no offset, pauses the partition and stops the sink with the error', async () => {
    const kafka = new InMemoryKafka({ [TOPIC]: 1 });
    const denied = Object.assign(new Error('permission denied for table customers'), { code: '42501' });
    const pg = fakePool(kafka, (text) => (text.startsWith('INSERT') ? denied : undefined));
    append(kafka, customer(1));
    const sink = await started(kafka, pg.pool);

    await kafka.deliver();

    await expect(sink.done).rejects.toThrow(/permission denied for table customers/);
    expect(commits(kafka)).toEqual([]);
    expect(kafka.committed.size).toBe(0);
    expect(kafka.ops).toContain(`pause ${TOPIC}-0`);
    expect(kafka.ops).toContain('pg ROLLBACK');
  });
});
