// Shared setup of the sink's integration tests: the run's Kafka and PostgreSQL, topics, producing, and sinks
// that are stopped after each test.
import { Kafka, logLevel, type Admin, type IHeaders } from 'kafkajs';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach } from 'vitest';
import {
  createPostgresSink, type PostgresSink, type PostgresSinkOptions, type SinkConfigInput,
} from '../../connectors/postgres-sink/index.js';
import { randomName, testServices, waitFor } from '../env/services.js';

export interface SinkTestContext {
  readonly brokers: string[];
  readonly databaseUrl: string;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly pool: pg.Pool;
}

/** Services for one test file; connections close after the file. */
export function sinkTestContext(): SinkTestContext {
  const { brokers, databaseUrl } = testServices();
  const kafka = new Kafka({ clientId: 'sink-tests', brokers, logLevel: logLevel.WARN });
  const admin = kafka.admin();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const sinks: PostgresSink[] = [];
  afterEach(async () => {
    await Promise.all(sinks.splice(0).map((s) => s.stop()));
  });
  afterAll(async () => {
    await admin.disconnect();
    await pool.end();
  });
  const ctx = { brokers, databaseUrl, kafka, admin, pool };
  contexts.set(ctx, sinks);
  return ctx;
}
const contexts = new WeakMap<SinkTestContext, PostgresSink[]>();

export async function createTopics(ctx: SinkTestContext, topics: readonly string[], numPartitions = 1): Promise<void> {
  await ctx.admin.connect();
  await ctx.admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions })), waitForLeaders: true });
}

export interface TestMessage {
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: IHeaders;
  readonly partition?: number;
}

/** Produces in order, in small requests (change events with schemas are a few KB each). */
export async function produce(ctx: SinkTestContext, topic: string, messages: readonly TestMessage[]): Promise<void> {
  const producer = ctx.kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 100) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 100).map((m) => ({ ...m })) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** A sink configuration for this run's services with its own consumer group. */
export function sinkConfig(ctx: SinkTestContext, extra: SinkConfigInput): SinkConfigInput {
  return {
    'connection.url': ctx.databaseUrl,
    'bootstrap.servers': ctx.brokers.join(','),
    'group.id': randomName('sink_group'),
    ...extra,
  };
}

export const quietLogger = pino({ level: process.env['SINK_TEST_LOG_LEVEL'] ?? 'warn' });

/** Starts a sink that is stopped after the test. */
export async function startSink(ctx: SinkTestContext, config: SinkConfigInput, options: PostgresSinkOptions = {}): Promise<PostgresSink> {
  const sink = createPostgresSink(config, { logger: quietLogger, ...options });
  contexts.get(ctx)!.push(sink);
  await sink.start();
  return sink;
}

/** Waits until the sink has committed at least `records` records. */
export async function waitForRecords(sink: PostgresSink, records: number): Promise<void> {
  await waitFor(() => sink.stats().records >= records, { description: `the sink to commit ${records} records` });
}

export async function query<T extends pg.QueryResultRow>(ctx: SinkTestContext, text: string, values: unknown[] = []): Promise<T[]> {
  return (await ctx.pool.query<T>(text, values)).rows;
}

/** The committed offset of a consumer group on partition 0 of a topic ('-1' when none). */
export async function committedOffset(ctx: SinkTestContext, groupId: string, topic: string, partition = 0): Promise<string> {
  await ctx.admin.connect();
  const [entry] = await ctx.admin.fetchOffsets({ groupId, topics: [topic] });
  return entry?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
}

export { randomName, waitFor };

export interface ReceivedMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

/** Reads `count` records of a topic from the beginning (e.g. a dead-letter topic). */
export async function readTopic(ctx: SinkTestContext, topic: string, count: number): Promise<ReceivedMessage[]> {
  const consumer = ctx.kafka.consumer({ groupId: randomName('reader') });
  const received: ReceivedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({
          key: message.key,
          value: message.value,
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
      },
    });
    await waitFor(() => received.length >= count, { description: `${count} records on ${topic}` });
  } finally {
    await consumer.disconnect();
  }
  return received;
}
