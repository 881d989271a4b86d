import { randomUUID } from 'node:crypto';
// First: installs the linear partition grouping before kafkajs loads (kafkajs-compat.ts, item 4).
import {
  createTopics,
  deleteRecords,
  installGroupJoinGeneration,
  installLinearPartitionGrouping,
  installTxnOffsetCommitV3,
  markTributaryConsumer,
} from './kafkajs-compat.js';
import {
  AssignerProtocol,
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Assigner,
  type Consumer,
  type IHeaders,
  type KafkaConfig,
  type PartitionAssigner,
  type Producer,
} from 'kafkajs';
import type { Logger } from 'pino';
import { silentLogger } from '../logger.js';
import type {
  AdminPort,
  ConsumedBatch,
  ConsumedRecord,
  ConsumerHandlers,
  ConsumerOptions,
  ConsumerPort,
  GroupMetadata,
  KafkaPort,
  NewTopic,
  PartitionAssignor,
  PartitionOffsets,
  ProducerOptions,
  ReadRequest,
  TopicPartition,
  TopicPartitionOffset,
} from './port.js';
import { kafkajsProducerPort } from './kafkajs-producer.js';
import { kafkajsTopicLimits } from './kafkajs-topic-limits.js';
import { DEFAULT_MAX_REQUEST_BYTES } from './record-limits.js';
import { closableRetry, withRetry, type RetryOptions } from './retry.js';
import { kafkajsSecurity, type KafkaSecurityOptions } from './client-security.js';
import { connectWithin, DEFAULT_KAFKA_CONNECT_TIMEOUT_MS } from './connect-failure.js';

export interface KafkajsAdapterOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  readonly logger?: Logger;
  /** Retry of transactional calls and admin calls; see {@link withRetry}. */
  readonly retry?: RetryOptions;
  /** Extra kafkajs client settings (ssl, sasl, ...). */
  readonly kafkaConfig?: Partial<KafkaConfig>;
  /** TLS and SASL of the connections (see client-security.ts); `kafkaConfig` overrides it. */
  readonly security?: KafkaSecurityOptions;
  /** How long the admin client's first connection may take before it fails naming the brokers; default 30 s. */
  readonly connectTimeoutMs?: number;
  /** Who connects, as a connection failure names it (default "admin client"); a connector names itself. */
  readonly clientLabel?: string;
}

/**
 * The Kafka port on kafkajs 2.2.4. Every kafkajs quirk met on Kafka 4.x is handled here:
 *
 * - CONCURRENT_TRANSACTIONS right after a transaction ended (the coordinator is still writing markers):
 *   kafkajs does not retry AddOffsetsToTxn and retries AddPartitionsToTxn only within its own budget, so
 *   every transactional call goes through {@link withRetry}, which retries that error (recognised as in
 *   `kafkajs-compat.ts`) and other retriable errors with backoff.
 * - `deleteTopicRecords` looks up leaders in a metadata cache it does not refresh: topic metadata is
 *   fetched first.
 * - kafkajs has no manual assignment: restore reads through a throwaway consumer group and tracks the end
 *   of each partition with the END_BATCH_PROCESS event, which also fires for batches holding only control
 *   records (transaction markers), so a changelog that ends with a commit marker is recognised as read.
 * - Message timestamps and offsets are strings in kafkajs; the port uses numbers.
 * - Transactional offsets carry the consumer's group generation (TxnOffsetCommit v3, KIP-447), which kafkajs
 *   neither sends nor exposes: `kafkajs-compat.ts` adds both (items 5 and 6) for this adapter's consumers and
 *   offsets only; kafkajs clients the application creates itself stay stock.
 *
 * @example
 * const kafka = kafkajsAdapter({ brokers: ['localhost:9092'], logger });
 * const admin = await kafka.admin();
 * await admin.createTopics([{ topic: 'words', partitions: 4 }]);
 */
export function kafkajsAdapter(options: KafkajsAdapterOptions): KafkaPort {
  const logger = options.logger ?? silentLogger();
  if (!installLinearPartitionGrouping()) logger.debug('kafkajs was loaded before kafkajs-compat: large sends use its quadratic partition grouping');
  // Without these, transactional offsets go without the group generation: no fence against a stalled instance.
  if (!installTxnOffsetCommitV3()) logger.warn('kafkajs-compat could not add TxnOffsetCommit v3: exactly-once offset commits are not fenced by the group generation');
  if (!installGroupJoinGeneration()) logger.warn('kafkajs-compat could not report the group generation: exactly-once offset commits are not fenced by it');
  const kafka = new Kafka({
    clientId: options.clientId ?? 'tributary',
    brokers: [...options.brokers],
    logLevel: process.env['TRIBUTARY_KAFKAJS_DEBUG'] === '1' ? logLevel.DEBUG : logLevel.WARN,
    logCreator: pinoLogCreator(logger),
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 5000 },
    ...kafkajsSecurity(options.security),
    ...options.kafkaConfig,
  });
  const connectContext = (client: string) => ({ brokers: options.brokers, security: options.security, client, timeoutMs: options.connectTimeoutMs ?? DEFAULT_KAFKA_CONNECT_TIMEOUT_MS });
  const retry: RetryOptions = {
    retries: 12,
    initialBackoffMs: 20,
    maxBackoffMs: 1000,
    ...options.retry,
    onRetry: (error, attempt, backoffMs) => {
      logger.debug({ err: error, attempt, backoffMs }, 'retrying Kafka call');
      options.retry?.onRetry?.(error, attempt, backoffMs);
    },
  };

  const topicLimits = kafkajsTopicLimits(kafka, logger);

  return {
    admin: async () => {
      const admin = kafka.admin();
      await connectWithin(() => admin.connect(), () => admin.disconnect(), connectContext(options.clientLabel ?? 'admin client'));
      return adminPort(admin, retry);
    },
    consumer: (consumerOptions) => consumerPort(kafka, consumerOptions, logger),
    producer: async (producerOptions = {}) => {
      const create = async (): Promise<Producer> => {
        const allowAutoTopicCreation = producerOptions.autoCreateTopics ?? true;
        const producer = kafka.producer(
          producerOptions.transactionalId === undefined
            ? { idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation, createPartitioner: Partitioners.DefaultPartitioner }
            : {
                idempotent: true,
                maxInFlightRequests: 1,
                allowAutoTopicCreation,
                transactionalId: producerOptions.transactionalId,
                transactionTimeout: producerOptions.transactionTimeoutMs ?? 60_000,
                createPartitioner: Partitioners.DefaultPartitioner,
              },
        );
        await withRetry(() => producer.connect(), retry);
        return producer;
      };
      const producer = await create();
      if (producerOptions.transactionalId !== undefined) {
        // kafkajs sends the transactional InitProducerId at the first transaction(), not at connect(). Doing
        // it now fences an older producer with the same transactional id and waits until its open transaction
        // is aborted, so offsets read next are not those of a transaction still in flight. The empty
        // transaction ends locally (no EndTxn without partitions or offsets).
        const transaction = await withRetry(() => producer.transaction(), retry);
        await transaction.abort();
      }
      return kafkajsProducerPort(create, producer, retry, { maxRequestBytes: producerOptions.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES, limits: topicLimits }, logger);
    },
    readToEnd: (requests, onBatch, readOptions) => readToEnd(kafka, requests, onBatch, readOptions?.readCommitted ?? true),
  };
}

function adminPort(admin: Admin, retryOptions: RetryOptions): AdminPort {
  const { retry, close } = closableRetry(retryOptions, 'the admin client');
  return {
    async createTopics(topics: readonly NewTopic[]) {
      if (topics.length === 0) return;
      const existing = new Set(await withRetry(() => admin.listTopics(), retry));
      const missing = topics.filter((t) => !existing.has(t.topic));
      if (missing.length === 0) return;
      try {
        // kafkajs's own waitForLeaders fails on KRaft metadata lag; kafkajs-compat waits for leaders itself.
        await withRetry(
          () =>
            createTopics(admin, {
              waitForLeaders: true,
              topics: missing.map((t) => ({
                topic: t.topic,
                numPartitions: t.partitions,
                configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
              })),
            }),
          retry,
        );
      } catch (error) {
        // Another instance of the application may have created them between listTopics and createTopics.
        if (!isTopicAlreadyExists(error)) throw error;
      }
    },
    async partitionCounts(topics) {
      const existing = new Set(await withRetry(() => admin.listTopics(), retry));
      const wanted = topics.filter((t) => existing.has(t));
      const counts = new Map<string, number>();
      if (wanted.length === 0) return counts;
      const metadata = await withRetry(() => admin.fetchTopicMetadata({ topics: [...wanted] }), retry);
      for (const t of metadata.topics) counts.set(t.name, t.partitions.length);
      return counts;
    },
    async offsets(topic): Promise<PartitionOffsets[]> {
      const offsets = await withRetry(() => admin.fetchTopicOffsets(topic), retry);
      return offsets.map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }));
    },
    async committedOffsets(groupId, topics) {
      const result = await withRetry(() => admin.fetchOffsets({ groupId, topics: [...topics] }), retry);
      const out: TopicPartitionOffset[] = [];
      for (const t of result) for (const p of t.partitions) if (Number(p.offset) >= 0) out.push({ topic: t.topic, partition: p.partition, offset: Number(p.offset) });
      return out;
    },
    async deleteRecords(topic, partitions) {
      if (partitions.length === 0) return;
      // kafkajs looks the partition leaders up in a cache it does not refresh for unseen topics (see kafkajs-compat).
      await withRetry(() => deleteRecords(admin, topic, partitions.map((p) => ({ partition: p.partition, offset: String(p.offset) }))), retry);
    },
    close: () => {
      close();
      return admin.disconnect();
    },
  };
}

function isTopicAlreadyExists(error: unknown): boolean {
  const e = error as { type?: string; errors?: { type?: string }[]; message?: string };
  if (e.type === 'TOPIC_ALREADY_EXISTS') return true;
  return /already exists/i.test(e.message ?? '');
}

function toRecords(messages: readonly { offset: string; key: Buffer | null; value: Buffer | null; timestamp: string; headers?: IHeaders }[]): ConsumedRecord[] {
  return messages.map((m) => ({
    offset: Number(m.offset),
    key: m.key,
    value: m.value,
    timestamp: Number(m.timestamp),
    headers: m.headers ?? {},
  }));
}

function kafkajsAssignor(assignor: PartitionAssignor): PartitionAssigner {
  return ({ cluster }) => {
    const a: Assigner = {
      name: assignor.name,
      version: 1,
      async assign({ members, topics }) {
        await cluster.refreshMetadata();
        const counts = new Map<string, number>();
        for (const topic of topics) counts.set(topic, cluster.findTopicPartitionMetadata(topic).length);
        const decoded = members.map((m) => ({
          memberId: m.memberId,
          userData: AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData ?? Buffer.alloc(0),
        }));
        const result = assignor.assign(decoded, counts);
        return members.map((m) => {
          const assignment: { [topic: string]: number[] } = {};
          for (const tp of result.get(m.memberId) ?? []) (assignment[tp.topic] ??= []).push(tp.partition);
          return { memberId: m.memberId, memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment, userData: Buffer.alloc(0) }) };
        });
      },
      protocol({ topics }) {
        return { name: assignor.name, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: assignor.userData() }) };
      },
    };
    return a;
  };
}

/**
 * How long a fetch waits on the broker for data (the Java consumer's `fetch.max.wait.ms` default). kafkajs
 * waits 5 s by default, and a consumer's disconnect waits for the fetch in flight: closing an application,
 * or ending a restore, would take up to 5 s on a quiet topic. A busy topic answers at once either way.
 */
const FETCH_MAX_WAIT_MS = 500;

function consumerPort(kafka: Kafka, options: ConsumerOptions, logger: Logger): ConsumerPort {
  let closing = false;
  const consumer: Consumer = kafka.consumer({
    // kafkajs restarts a crashed consumer on a timer; one that crashes while (or after) it is closed must stay
    // closed, or its reconnect attempts keep the process alive after the application stopped.
    retry: { retries: 5, restartOnFailure: async () => !closing },
    groupId: options.groupId,
    readUncommitted: options.readCommitted === false,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: Math.min(3_000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 3)),
    // Smaller fetches keep a batch's processing and its commit short (and heartbeats regular).
    maxBytesPerPartition: options.maxBytesPerPartition ?? 256 * 1024,
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
    maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
    rebalanceTimeout: 60_000,
    ...(options.assignor === undefined ? {} : { partitionAssigners: [kafkajsAssignor(options.assignor)] }),
  });
  // Only this consumer gets the generation on GROUP_JOIN and keeps its member id through a restart (kafkajs-compat
  // items 6 and 7); other kafkajs consumers in the process, the application's own, stay stock.
  if (!markTributaryConsumer(consumer)) logger.warn('kafkajs-compat could not mark the consumer: exactly-once offset commits are not fenced by the group generation');
  let connected = false;
  let groupMetadata: GroupMetadata | undefined;
  return {
    async run(topics, handlers: ConsumerHandlers) {
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        // generationId is added to the payload by kafkajs-compat (item 6); set before the assignment is handled.
        const generationId = (payload as { generationId?: unknown }).generationId;
        groupMetadata = typeof generationId === 'number' && payload.memberId ? { generationId, memberId: payload.memberId } : undefined;
        const partitions: TopicPartition[] = [];
        for (const [topic, ps] of Object.entries(payload.memberAssignment)) for (const partition of ps) partitions.push({ topic, partition });
        handlers.onAssigned(partitions);
      });
      consumer.on(consumer.events.REBALANCING, () => handlers.onRebalancing?.());
      // kafkajs skips eachBatch for a fetch holding only transaction markers or aborted records, but still
      // moves past them: reporting it keeps a task from waiting on a lag that is only those markers.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.batchSize !== 0) return;
        void handlers.onBatch({ topic: payload.topic, partition: payload.partition, records: [], highWatermark: Number(payload.highWatermark), nextOffset: Number(payload.lastOffset) + 1 });
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (closing) logger.debug({ err: payload.error }, 'consumer crashed while closing');
        else if (!payload.restart) handlers.onCrash(payload.error);
        else logger.warn({ err: payload.error }, 'consumer crashed; kafkajs restarts it');
      });
      await consumer.connect();
      connected = true;
      await consumer.subscribe({ topics: [...topics], fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: 1,
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch, isStale, heartbeat }) => {
          if (isStale()) return;
          await handlers.onBatch({ topic: batch.topic, partition: batch.partition, records: toRecords(batch.messages), highWatermark: Number(batch.highWatermark), nextOffset: Number(batch.lastOffset()) + 1, isStale, heartbeat });
        },
      });
    },
    async commit(offsets) {
      if (offsets.length === 0) return;
      await consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })));
    },
    seek(positions) {
      // '-2' is kafkajs's (and Kafka's) earliest offset.
      for (const p of positions) consumer.seek({ topic: p.topic, partition: p.partition, offset: p.offset === 'earliest' ? '-2' : String(p.offset) });
    },
    pause: (tps) => consumer.pause(groupByTopic(tps)),
    resume: (tps) => consumer.resume(groupByTopic(tps)),
    groupMetadata: () => groupMetadata,
    async close() {
      closing = true;
      if (connected) await consumer.disconnect();
      connected = false;
    },
  };
}

function groupByTopic(tps: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  const map = new Map<string, number[]>();
  for (const tp of tps) {
    let list = map.get(tp.topic);
    if (list === undefined) map.set(tp.topic, (list = []));
    list.push(tp.partition);
  }
  return [...map].map(([topic, partitions]) => ({ topic, partitions }));
}

async function readToEnd(kafka: Kafka, requests: readonly ReadRequest[], onBatch: (batch: ConsumedBatch) => void | Promise<void>, readCommitted: boolean): Promise<void> {
  const pending = new Map<string, ReadRequest>();
  for (const r of requests) if (r.endOffset > 0) pending.set(`${r.topic}\u0000${r.partition}`, r);
  if (pending.size === 0) return;
  const consumer = kafka.consumer({ groupId: `tributary-restore-${randomUUID()}`, readUncommitted: !readCommitted, sessionTimeout: 30_000, maxWaitTimeInMs: FETCH_MAX_WAIT_MS });
  // A restore consumer restarted by kafkajs after a broker restart rejoins its throwaway group as the member it was.
  markTributaryConsumer(consumer);
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const markProgress = (topic: string, partition: number, lastOffset: number): void => {
    const key = `${topic}\u0000${partition}`;
    const request = pending.get(key);
    if (request !== undefined && lastOffset + 1 >= request.endOffset) {
      pending.delete(key);
      if (pending.size === 0) settle.resolve();
    }
  };
  // Fires for batches with records and for batches of only control records or aborted records.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => markProgress(payload.topic, payload.partition, Number(payload.lastOffset)));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) settle.reject(payload.error);
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...new Set(requests.map((r) => r.topic))], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const request = pending.get(`${batch.topic}\u0000${batch.partition}`);
        if (request === undefined) return;
        const records = toRecords(batch.messages).filter((r) => r.offset < request.endOffset);
        if (records.length > 0) await onBatch({ topic: batch.topic, partition: batch.partition, records, highWatermark: Number(batch.highWatermark) });
      },
    });
    await done;
  } finally {
    await consumer.disconnect();
  }
}

function pinoLogCreator(logger: Logger) {
  return (level: logLevel) =>
    ({ namespace, log }: { namespace: string; log: { message: string; [key: string]: unknown } }) => {
      const { message, timestamp: _ts, logger: _l, ...rest } = log;
      const child = { kafkajs: namespace, ...rest };
      if (level === logLevel.ERROR) logger.error(child, message);
      else if (level === logLevel.WARN) logger.warn(child, message);
      else if (level === logLevel.INFO) logger.info(child, message);
      else logger.debug(child, message);
    };
}
