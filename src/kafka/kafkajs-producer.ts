import type { IHeaders, Message, Producer, Transaction } from 'kafkajs';
import type { Logger } from 'pino';
import { InvalidRecordError, InvalidTopicError, RecordTooLargeError, type OutgoingRecord, type StreamsError } from '../errors.js';
import { errorChain } from './error-chain.js';
import { ALL_DELIVERED, type ProducerPort, type RejectedRecord, type SendReport, type TransactionPort } from './port.js';
import { checkOutgoingRecord, recordBatchBytesUpperBound, type TopicLimits } from './record-limits.js';
import { closableRetry, withRetry, type RetryOptions } from './retry.js';
import { withGroupMetadata } from './kafkajs-compat.js';

/** Produce-request sizes: kafkajs stalls on very large requests, and a partition's batch must stay under the topic's limit. */
const MAX_CHUNK_RECORDS = 4000;
const MAX_CHUNK_BYTES = 512 * 1024;

const toMessage = (r: OutgoingRecord): Message => {
  const message: Message = { key: r.key, value: r.value, timestamp: String(r.timestamp), headers: r.headers as IHeaders };
  if (r.partition !== undefined) message.partition = r.partition;
  return message;
};

/**
 * Splits records into produce requests of bounded size. kafkajs puts all records of a partition into one
 * record batch, and a batch above the topic's max.message.bytes (1 MiB by default) is rejected; kafkajs
 * also stalls on very large requests. Order within a partition is kept (a topic's chunks are sent one after another).
 */
export function chunkRecords(records: readonly OutgoingRecord[], maxRecords = MAX_CHUNK_RECORDS, maxBytes = MAX_CHUNK_BYTES): OutgoingRecord[][] {
  const chunks: OutgoingRecord[][] = [];
  let current: OutgoingRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = 64 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    if (current.length > 0 && (current.length >= maxRecords || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** A topic's chain of chunks that stopped: the chunk that failed and every chunk after it were not delivered. */
export interface ChainFailure {
  readonly topic: string;
  readonly error: unknown;
  /** The records of the failed chunk and of the chunks after it, in order. */
  readonly undelivered: readonly OutgoingRecord[];
}

/**
 * Sends records in bounded chunks ({@link chunkRecords}) with one chain of chunks per topic, the chains in
 * flight together. A partition belongs to one topic, so its records still leave one chunk after another, in
 * order, and a chunk retried (by kafkajs or {@link withRetry}) cannot let a later chunk of the same
 * partition overtake it or take its sequence numbers. Settles only when every chain has settled, so a
 * caller that aborts a transaction on failure never does it under a send still in flight; resolves with
 * the chains that failed (none when everything was acknowledged).
 */
export async function sendPipelined(
  records: readonly OutgoingRecord[],
  send: (topicMessages: { topic: string; messages: Message[] }[]) => Promise<unknown>,
  maxChunkBytes: (topic: string) => number = () => MAX_CHUNK_BYTES,
): Promise<ChainFailure[]> {
  if (records.length === 0) return [];
  const byTopic = new Map<string, OutgoingRecord[]>();
  for (const r of records) {
    let list = byTopic.get(r.topic);
    if (list === undefined) byTopic.set(r.topic, (list = []));
    list.push(r);
  }
  const failures: ChainFailure[] = [];
  const chains = [...byTopic].map(async ([topic, list]) => {
    const chunks = chunkRecords(list, MAX_CHUNK_RECORDS, maxChunkBytes(topic));
    for (let i = 0; i < chunks.length; i++) {
      try {
        await send([{ topic, messages: chunks[i]!.map(toMessage) }]);
      } catch (error) {
        failures.push({ topic, error, undelivered: chunks.slice(i).flat() });
        return;
      }
    }
  });
  await Promise.all(chains);
  return failures;
}

/** Broker answers that refuse a record for what it is, not for the state of the cluster. */
const RECORD_LEVEL_ERRORS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_TIMESTAMP', 'INVALID_TOPIC_EXCEPTION']);

/** The broker's error type (e.g. `MESSAGE_TOO_LARGE`) if `error` is a refusal of the records themselves. */
export function recordLevelErrorType(error: unknown): string | undefined {
  for (const e of errorChain(error)) {
    const type = e['type'];
    if (typeof type === 'string' && RECORD_LEVEL_ERRORS.has(type)) return type;
  }
  return undefined;
}

function rejectionOf(record: OutgoingRecord, type: string, error: unknown): StreamsError {
  const reason = `the broker refused the record (${type})`;
  if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE') {
    const bytes = recordBatchBytesUpperBound(record);
    return new RecordTooLargeError(`${reason}: about ${bytes} bytes`, { topic: record.topic, bytes, limit: -1 });
  }
  if (type === 'INVALID_TOPIC_EXCEPTION') return new InvalidTopicError(reason, { topic: record.topic, cause: error });
  return new InvalidRecordError(reason, { topic: record.topic, cause: error });
}

/** Looks up what a topic enforces per record; undefined when it cannot be told (then only the client limit applies). */
export type TopicLimitsLookup = (topics: readonly string[]) => Promise<ReadonlyMap<string, TopicLimits>>;

export interface RecordScreen {
  readonly maxRequestBytes: number;
  readonly limits: TopicLimitsLookup;
}

/** Splits records into those to send and those refused before sending ({@link checkOutgoingRecord}). */
async function screen(records: readonly OutgoingRecord[], options: RecordScreen): Promise<{ accepted: readonly OutgoingRecord[]; rejected: RejectedRecord[]; limits: ReadonlyMap<string, TopicLimits> }> {
  const topics = new Set<string>();
  for (let i = 0; i < records.length; i++) topics.add(records[i]!.topic);
  const limits = await options.limits([...topics]);
  let rejected: RejectedRecord[] | undefined;
  let accepted: OutgoingRecord[] | undefined;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const problem = checkOutgoingRecord(r, options.maxRequestBytes, limits.get(r.topic));
    if (problem === undefined) {
      accepted?.push(r);
      continue;
    }
    // The common case (nothing refused) keeps the caller's array.
    if (accepted === undefined) accepted = records.slice(0, i);
    (rejected ??= []).push({ record: r, error: problem });
  }
  return { accepted: accepted ?? records, rejected: rejected ?? [], limits };
}

function chunkBytesFor(limits: ReadonlyMap<string, TopicLimits>, maxRequestBytes: number): (topic: string) => number {
  // A chunk's records of one partition form one batch: keep it under the topic's limit with room for the batch header.
  return (topic) => Math.max(1, Math.min(MAX_CHUNK_BYTES, maxRequestBytes, (limits.get(topic)?.maxMessageBytes ?? Number.POSITIVE_INFINITY) - 1024));
}

const report = (rejected: RejectedRecord[]): SendReport => (rejected.length === 0 ? ALL_DELIVERED : { rejected });

/**
 * The at-least-once producer. Records refused by {@link checkOutgoingRecord} are reported without being sent.
 * Should the broker still refuse records of a chunk (a limit the screen could not know), the records not known
 * to be delivered are sent again one per request on a new producer: the failed request may have been
 * written for some partitions and not for others, which leaves an idempotent producer's sequence numbers out
 * of step with the broker. Records delivered twice that way are allowed by at-least-once.
 */
export function kafkajsProducerPort(create: () => Promise<Producer>, first: Producer, retryOptions: RetryOptions, screenOptions: RecordScreen, logger: Logger): ProducerPort {
  let producer = first;
  const { retry, close } = closableRetry(retryOptions, 'the producer');
  const sendChunk = (topicMessages: { topic: string; messages: Message[] }[]) => withRetry(() => producer.sendBatch({ topicMessages }), retry);
  return {
    async send(records) {
      const { accepted, rejected, limits } = await screen(records, screenOptions);
      const failures = await sendPipelined(accepted, sendChunk, chunkBytesFor(limits, screenOptions.maxRequestBytes));
      if (failures.length === 0) return report(rejected);
      const fatal = failures.find((f) => recordLevelErrorType(f.error) === undefined);
      if (fatal !== undefined) throw fatal.error;
      const undelivered = failures.flatMap((f) => f.undelivered);
      logger.warn({ err: failures[0]!.error, records: undelivered.length }, 'the broker refused records of a send; sending them again one by one to find the refused ones');
      await producer.disconnect().catch((e: unknown) => logger.debug({ err: e }, 'disconnect of the producer whose sequence numbers are out of step failed'));
      producer = await create();
      for (const r of undelivered) {
        try {
          await sendChunk([{ topic: r.topic, messages: [toMessage(r)] }]);
        } catch (error) {
          const type = recordLevelErrorType(error);
          if (type === undefined) throw error;
          rejected.push({ record: r, error: rejectionOf(r, type, error) });
          // A refused single-record request leaves the sequence numbers in step: nothing was written.
        }
      }
      return report(rejected);
    },
    async beginTransaction() {
      const transaction = await withRetry(() => producer.transaction(), retry);
      return kafkajsTransactionPort(transaction, retry, screenOptions);
    },
    close: () => {
      close();
      return producer.disconnect();
    },
  };
}

/**
 * A transaction. Records refused by {@link checkOutgoingRecord} are reported without being sent, so the
 * transaction is untouched by them. A refusal by the broker (a limit the screen could not know) rejects the
 * send: the transaction's sequence numbers are then out of step and it can only be aborted.
 */
export function kafkajsTransactionPort(transaction: Transaction, retry: RetryOptions, screenOptions: RecordScreen): TransactionPort {
  return {
    async send(records) {
      const { accepted, rejected, limits } = await screen(records, screenOptions);
      const failures = await sendPipelined(accepted, (topicMessages) => withRetry(() => transaction.sendBatch({ topicMessages }), retry), chunkBytesFor(limits, screenOptions.maxRequestBytes));
      if (failures.length > 0) throw failures[0]!.error;
      return report(rejected);
    },
    async sendOffsets(groupId, offsets, groupMetadata) {
      if (offsets.length === 0) return;
      const byTopic = new Map<string, { partition: number; offset: string }[]>();
      for (const o of offsets) {
        let list = byTopic.get(o.topic);
        if (list === undefined) byTopic.set(o.topic, (list = []));
        list.push({ partition: o.partition, offset: String(o.offset) });
      }
      const topics = withGroupMetadata([...byTopic].map(([topic, partitions]) => ({ topic, partitions })), groupMetadata);
      await withRetry(() => transaction.sendOffsets({ consumerGroupId: groupId, topics }), retry);
    },
    commit: () => withRetry(() => transaction.commit(), retry),
    abort: () => transaction.abort(),
  };
}
