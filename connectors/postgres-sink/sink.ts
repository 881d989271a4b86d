import pg from 'pg';
import { pino, type Logger } from 'pino';
import { avroReaderFor } from './avro-values.js';
import { parseSinkConfig, type SinkConfig, type SinkConfigInput } from './config.js';
import { sendToDeadLetter } from './dead-letter.js';
import { BadRecordError, SinkError } from './errors.js';
import type { TableOperation } from './plan.js';
import { decodeRecord, type KafkaRecord } from './record.js';
import { PostgresWriter } from './writer.js';
import { connectorKafka } from '../../src/kafka/connector-kafka.js';
import type { ConsumedBatch, ConsumedRecord, ConsumerPort, KafkaPort, ProducerPort } from '../../src/kafka/port.js';

/** Counters since start; also logged every `statsIntervalMs`. */
export interface SinkStats {
  readonly records: number;
  readonly rows: number;
  readonly batches: number;
  readonly skipped: number;
  readonly deadLettered: number;
  /** Records not yet read, summed over the partitions this instance has consumed. */
  readonly lag: number;
}

/** Where a committed batch ends; passed to `afterPostgresCommit`. */
export interface CommittedBatch {
  readonly topic: string;
  readonly partition: number;
  /** Offset of the last record of the batch; the Kafka offset committed next is this + 1. */
  readonly lastOffset: string;
  readonly records: number;
}

export interface PostgresSinkOptions {
  readonly logger?: Logger;
  /** How often throughput and lag are logged. Default 10 s. */
  readonly statsIntervalMs?: number;
  /**
   * Called after each PostgreSQL commit and before the Kafka offsets of that batch are committed: the one
   * moment a crash replays records that are already in the table. For observability and crash tests.
   */
  readonly afterPostgresCommit?: (batch: CommittedBatch) => void | Promise<void>;
  /** The Kafka the sink reads from and writes dead letters to (default: the kafkajs adapter on `bootstrap.servers`). */
  readonly kafka?: KafkaPort;
  /**
   * The PostgreSQL pool to write with (default: one of two connections to `connection.url`). A pool passed here
   * belongs to the caller: the sink does not end it when it stops.
   */
  readonly pool?: pg.Pool;
}

export interface PostgresSink {
  /** Connects to PostgreSQL and Kafka and starts consuming; resolves once the consumer runs. */
  start(): Promise<void>;
  /** Finishes the batch in flight, commits, and disconnects. */
  stop(): Promise<void>;
  /** Settles when the sink ends: resolves after `stop()`, rejects with the error that stopped it. */
  readonly done: Promise<void>;
  stats(): SinkStats;
}

/**
 * How long a stop waits for the batch in flight to finish and commit. A target that is paused or unreachable would
 * hold it forever; past this the batch is ended (its offsets are not committed: the next start writes it again).
 */
const STOP_GRACE_MS = 5000;
/** pool.end() waits for every connection; one still opening to a server that does not answer must not hold the stop. */
const POOL_END_BOUND_MS = 2000;

function toRecord(topic: string, partition: number, m: ConsumedRecord): KafkaRecord {
  return { topic, partition, offset: String(m.offset), key: m.key, value: m.value, headers: m.headers as KafkaRecord['headers'] };
}

/**
 * A Kafka -> PostgreSQL sink with the semantics of Debezium's JDBC sink: it reads Debezium change events,
 * flattened rows and KTable changelogs, writes each batch to its tables in one PostgreSQL transaction, and
 * commits Kafka offsets only after PostgreSQL committed, so a crash replays records and never loses them
 * (replays are harmless with insert.mode=upsert).
 *
 * SQL it runs for `insert.mode=upsert`, `primary.key.mode=record_key`, topic `dbserver1.public.customers`:
 * ```sql
 * INSERT INTO "dbserver1_public_customers" ("id", "name") VALUES ($1, $2), ($3, $4)
 *   ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name"
 * DELETE FROM "dbserver1_public_customers" WHERE "id" IN ($1)
 * ```
 *
 * @example
 * const sink = createPostgresSink({
 *   'connection.url': 'postgres://app:secret@localhost:5432/app',
 *   'bootstrap.servers': 'localhost:9092',
 *   topics: 'dbserver1.public.customers',
 *   'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'delete.enabled': true,
 *   'schema.evolution': 'basic',
 * });
 * await sink.start();
 * process.on('SIGTERM', () => void sink.stop());
 * await sink.done;
 */
export function createPostgresSink(input: SinkConfigInput | SinkConfig, options: PostgresSinkOptions = {}): PostgresSink {
  const config: SinkConfig = 'kafka' in input && typeof input['kafka'] === 'object' ? (input as SinkConfig) : parseSinkConfig(input as SinkConfigInput);
  const logger = (options.logger ?? pino({ name: 'tributary-sink' })).child({ sink: config.name });
  const statsIntervalMs = options.statsIntervalMs ?? 10_000;

  const ownPool = options.pool === undefined;
  const pool = options.pool ?? new pg.Pool({ ...config.connection, max: 2 });
  // An idle client that loses its connection must not crash the process; the next batch reconnects. pg-pool hangs
  // the whole client on the error (err.client: its settings and the server's query-cancel key), so only what went
  // wrong is logged.
  if (ownPool) pool.on('error', (err) => logger.warn({ err: { message: err.message, code: (err as { code?: unknown }).code } }, 'idle PostgreSQL connection failed'));
  const writer = new PostgresWriter(pool, config, logger);
  const avro = avroReaderFor(config);
  const kafka = options.kafka ?? connectorKafka({ clientId: config.kafka.clientId, brokers: config.kafka.brokers, logger: logger.child({ component: 'kafka' }), security: config.kafka.security, clientLabel: 'the sink' });
  // The port's consumer restarts after failures the client classes as retriable (a group-coordination time-out, a
  // lost broker): that replays from the committed offsets, which upserts make harmless. Our own failures never
  // reach it: onBatch ends the sink itself through fail(). Once closed (the sink is stopping) it stays down.
  const consumer: ConsumerPort = kafka.consumer({
    groupId: config.kafka.groupId,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    fromBeginning: config.fromBeginning,
    // kafkajs fetches at most 1 MiB per partition by default: ~400 Debezium events with schemas, so fewer than
    // one batch.size of 500 per round trip. Larger fetches let every chunk be a full batch.size.
    maxBytesPerPartition: 16 << 20,
    maxBytes: 64 << 20,
  });
  let producer: ProducerPort | undefined;

  const counters = { records: 0, rows: 0, batches: 0, skipped: 0, deadLettered: 0 };
  const lag = new Map<string, number>();
  let statsTimer: NodeJS.Timeout | undefined;
  let lastStats = { at: Date.now(), rows: 0, records: 0 };
  let state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // A caller that never awaits `done` must not see an unhandled rejection.
  done.catch(() => undefined);

  const stats = (): SinkStats => ({ ...counters, lag: [...lag.values()].reduce((a, b) => a + b, 0) });

  const logStats = (): void => {
    const now = Date.now();
    const seconds = Math.max(0.001, (now - lastStats.at) / 1000);
    const s = stats();
    logger.info({
      rowsPerSec: Math.round((s.rows - lastStats.rows) / seconds),
      recordsPerSec: Math.round((s.records - lastStats.records) / seconds),
      ...s,
    }, 'sink progress');
    lastStats = { at: now, rows: s.rows, records: s.records };
  };

  async function shutdown(error?: unknown): Promise<void> {
    if (state === 'stopping' || state === 'stopped') return;
    state = 'stopping';
    if (statsTimer !== undefined) clearInterval(statsTimer);
    // the consumer's disconnect waits for the batch in flight
    const grace = setTimeout(() => {
      logger.warn({ afterMs: STOP_GRACE_MS }, 'the batch in flight did not finish; ending it (the next start writes it again)');
      writer.abort();
    }, STOP_GRACE_MS);
    const closing = [consumer.close(), producer?.close()].map((p) => Promise.resolve(p).catch((err: unknown) => logger.warn({ err }, 'disconnect failed')));
    await Promise.all(closing);
    clearTimeout(grace);
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([
      ownPool ? pool.end().catch((err: unknown) => logger.warn({ err }, 'closing PostgreSQL pool failed')) : undefined,
      new Promise<void>((resolve) => (bound = setTimeout(resolve, POOL_END_BOUND_MS))),
    ]);
    clearTimeout(bound);
    state = 'stopped';
    logStats();
    if (error === undefined) {
      logger.info('sink stopped');
      settle.resolve();
    } else {
      logger.error({ err: error }, 'sink stopped on error');
      settle.reject(error);
    }
  }

  /** A failure no retry can fix: stop consuming at once, keep offsets where they are, and end the sink. */
  function fail(error: unknown, batch: ConsumedBatch): void {
    consumer.pause([{ topic: batch.topic, partition: batch.partition }]);
    void shutdown(error);
  }

  async function processChunk(topic: string, partition: number, messages: readonly ConsumedRecord[]): Promise<number> {
    const records = messages.map((m) => toRecord(topic, partition, m));
    const ops: TableOperation[] = [];
    const opRecord: number[] = [];
    const bad: { record: KafkaRecord; error: BadRecordError }[] = [];
    await avro?.prefetch(records.map((r) => r.value));
    for (const [i, record] of records.entries()) {
      try {
        const op = decodeRecord(record, config, avro);
        if (op.kind === 'skip') {
          counters.skipped++;
          logger.debug({ topic, partition, offset: record.offset, reason: op.reason }, 'record skipped');
          continue;
        }
        ops.push(op);
        opRecord.push(i);
      } catch (e) {
        if (!(e instanceof BadRecordError)) throw e;
        bad.push({ record, error: e });
      }
    }
    const tolerate = config.errorsTolerance === 'all';
    if (!tolerate && bad.length > 0) throw bad[0]!.error;
    const result = ops.length === 0 ? { rows: 0, rejected: [] } : await writer.write(ops, { commitWithRejects: tolerate });
    for (const r of result.rejected) bad.push({ record: records[opRecord[r.index]!]!, error: r.error });
    if (bad.length > 0) {
      if (!tolerate || producer === undefined || config.deadLetterTopic === undefined) throw bad[0]!.error;
      bad.sort((a, b) => Number(BigInt(a.record.offset) - BigInt(b.record.offset)));
      for (const { error } of bad) logger.warn({ err: error }, 'record sent to the dead-letter topic');
      await sendToDeadLetter(producer, config.deadLetterTopic, bad, config.name, config.deadLetterContextHeaders);
      counters.deadLettered += bad.length;
    }
    return result.rows;
  }

  async function onBatch(batch: ConsumedBatch): Promise<void> {
    // Offsets go to Kafka once per fetched batch (and when it stops early), not per chunk: each chunk is already
    // committed to PostgreSQL, and a crash in between replays chunks that upserts apply again harmlessly.
    let written: string | undefined;
    try {
      for (let start = 0; start < batch.records.length; start += config.batchSize) {
        if (batch.isStale?.() === true || state !== 'running') return;
        const chunk = batch.records.slice(start, start + config.batchSize);
        const last = String(chunk[chunk.length - 1]!.offset);
        try {
          const began = performance.now();
          const rows = await processChunk(batch.topic, batch.partition, chunk);
          await options.afterPostgresCommit?.({ topic: batch.topic, partition: batch.partition, lastOffset: last, records: chunk.length });
          written = last;
          logger.debug({
            topic: batch.topic, partition: batch.partition, records: chunk.length, rows, writeMs: Math.round(performance.now() - began),
          }, 'batch written');
          counters.records += chunk.length;
          counters.rows += rows;
          counters.batches++;
          lag.set(`${batch.topic}/${batch.partition}`, batch.highWatermark - Number(last) - 1);
          await batch.heartbeat?.();
        } catch (e) {
          const error = e instanceof SinkError ? e : new SinkError(`sink failed on ${batch.topic}/${batch.partition} at offset ${chunk[0]!.offset}: ${(e as Error).message}`, {
            topic: batch.topic, partition: batch.partition, offset: chunk[0]!.offset, cause: e,
          });
          // The chunks before this one are in PostgreSQL: their offsets go to Kafka before the sink stops.
          const done = written;
          written = undefined;
          if (done !== undefined) await commitOffset(batch, done);
          fail(error, batch);
          return;
        }
      }
    } finally {
      if (written !== undefined) await commitOffset(batch, written);
    }
  }

  async function commitOffset(batch: ConsumedBatch, lastOffset: string): Promise<void> {
    const { topic, partition } = batch;
    const began = performance.now();
    try {
      await consumer.commit([{ topic, partition, offset: Number(lastOffset) + 1 }]);
    } catch (e) {
      // Stopping (or failing) already: the chunks are in PostgreSQL and will be replayed, harmlessly for upserts.
      if (state !== 'running') {
        logger.warn({ err: e, topic, partition, lastOffset }, 'committing offsets while stopping failed');
        return;
      }
      fail(new SinkError(`committing offset ${lastOffset} of ${topic}/${partition} to Kafka failed: ${(e as Error).message}`, { cause: e }), batch);
      return;
    }
    logger.debug({ topic, partition, lastOffset, commitMs: Math.round(performance.now() - began) }, 'offsets committed');
  }

  return {
    done,
    stats,
    async start(): Promise<void> {
      if (state !== 'new') throw new SinkError('a sink can be started once');
      state = 'running';
      try {
        // Fail fast on a wrong URL or credentials, before joining the consumer group.
        await pool.query('SELECT 1');
        if (config.deadLetterTopic !== undefined) producer = await kafka.producer();
        await consumer.run(config.topics instanceof RegExp ? [config.topics] : config.topics, {
          onAssigned: (partitions) => logger.debug({ partitions }, 'partitions assigned'),
          onBatch,
          // a failure the consumer does not restart after (it logs the ones it restarts after)
          onCrash: (error) => void shutdown(error),
        });
      } catch (e) {
        await shutdown(e);
        throw e;
      }
      statsTimer = setInterval(logStats, statsIntervalMs);
      statsTimer.unref();
      logger.info({ topics: String(config.topics), groupId: config.kafka.groupId, insertMode: config.insertMode }, 'sink started');
    },
    async stop(): Promise<void> {
      if (state === 'new') state = 'stopped';
      await shutdown();
      await done.catch(() => undefined);
    },
  };
}
