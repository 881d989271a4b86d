/**
 * Workarounds for kafkajs 2.2.4 against Kafka 4.x, in one place. The kafkajs adapter goes through these
 * instead of calling the affected kafkajs methods directly; test/integration/kafkajs-compat*.test.ts is the
 * contract that shows what works and why these exist.
 *
 * 1. CONCURRENT_TRANSACTIONS right after a commit or abort. EndTxn returns before the coordinator has written
 *    the transaction markers; until it has, the next transaction's first AddPartitionsToTxn / AddOffsetsToTxn is
 *    answered with CONCURRENT_TRANSACTIONS, which the Java client retries. kafkajs retries it for `send` (within
 *    its producer retry budget) but not at all for `sendOffsets`, so a transaction that starts with
 *    `sendOffsets` (a task that consumed records and produced none) fails most of the time.
 *    {@link beginTransaction} returns a transaction whose `send` and `sendOffsets` retry that error. Retrying is
 *    safe: the error comes from the coordinator before any record or offset was written.
 * 2. `admin.createTopics({ waitForLeaders: true })` polls metadata and tolerates only LEADER_NOT_AVAILABLE. A KRaft
 *    broker (every Kafka 4.x) answers CreateTopics once the controller has committed the topic, and its own
 *    metadata cache may lag: the poll then gets UNKNOWN_TOPIC_OR_PARTITION and kafkajs gives up with "This
 *    server does not host this topic-partition" (seen on a loaded machine). {@link createTopics} creates
 *    without kafkajs's wait and waits itself, tolerating both answers.
 * 3. `admin.deleteTopicRecords` looks up partition leaders in the admin's metadata cache before refreshing it,
 *    so for a topic the admin has not seen yet it fails with KafkaJSBrokerNotFound ("Could not find the leader
 *    for the partition"). {@link deleteRecords} loads the topic's metadata first.
 * 4. Every `send`/`sendBatch` groups a topic's messages by partition with a reduce that copies the partition's
 *    array for each message: quadratic, about 200 ms of CPU for 4,000 messages to one partition and 45 ms
 *    spread over eight. {@link installLinearPartitionGrouping} puts a linear grouping with the same result in
 *    kafkajs's module cache; it takes effect only if it runs before kafkajs is first loaded, which is why
 *    this module has no runtime import of kafkajs and the adapter imports it first.
 * 5. kafkajs sends TxnOffsetCommit at version 0 or 1 only, without the consumer group's generation and member
 *    id, so the group coordinator cannot refuse offsets from a member whose generation is gone: an instance
 *    that stalled past its session timeout could still commit a transaction (outputs and offsets) for
 *    partitions already given to another instance. {@link installTxnOffsetCommitV3} teaches kafkajs version 3
 *    (KIP-447, codec in txn-offset-commit-v3.ts); it is used when the offsets carry group metadata
 *    ({@link withGroupMetadata}) and the coordinator supports version 3 (ApiVersions; every Kafka since 2.5),
 *    otherwise kafkajs's version 1 is sent as before. The metadata rides on the offsets' `topics` array because
 *    kafkajs hands that array unchanged from `transaction.sendOffsets` to the request it builds, and has no
 *    other way in. It patches objects kafkajs looks up at each request, so it works whenever it runs.
 * 6. kafkajs keeps the group generation on its internal ConsumerGroup and reports only the member id (in
 *    GROUP_JOIN). For a consumer marked with {@link markTributaryConsumer}, the GROUP_JOIN payload also carries
 *    `generationId`: the member id and generation of a join then reach the listener together with the
 *    assignment they belong to.
 * 7. When its connection to the group coordinator breaks (a broker restart), a kafkajs consumer crashes and
 *    restarts itself with a new ConsumerGroup that has forgotten its member id. It then joins as a new member,
 *    and the coordinator holds the rebalance until the old member, itself, misses its session timeout: 30 s
 *    or more without processing after the broker is back. The Java consumer keeps its member id through a
 *    reconnect. For a consumer marked with {@link markTributaryConsumer}, the new ConsumerGroup gets the
 *    previous one's member id (a member id the coordinator no longer knows is answered with UNKNOWN_MEMBER_ID,
 *    and kafkajs then joins as a new member, as before). Items 6 and 7 wrap
 *    `ConsumerGroup.prototype.joinAndSync` ({@link installGroupJoinGeneration}), since kafkajs exposes none of
 *    a consumer's ConsumerGroups.
 *
 * What applies to whom. An application that uses kafkajs itself usually shares this kafkajs module with
 * Tributary (npm dedupes it), so a patch of the module reaches the application's clients too; only patches
 * that change nothing those clients can observe are made for everyone:
 * - Importing this module (so importing `tributary-streams`; declared in package.json `sideEffects`) installs
 *   item 4 and nothing else: when it loads before kafkajs, every kafkajs producer in the process groups a
 *   send's messages with the linear function, into the same partitions in the same order (same requests).
 * - Item 5 is installed by the first offsets with group metadata ({@link withGroupMetadata}) or the first
 *   `kafkajsAdapter`. It changes only requests whose offsets carry that metadata, which only Tributary
 *   attaches; any other `sendOffsets`, a user's own producer's included, gets the request stock kafkajs builds.
 * - Items 6 and 7 apply to the consumers marked with {@link markTributaryConsumer}: those the kafkajs adapter
 *   creates (its group consumers and its restore consumers). The `joinAndSync` wrapper, installed by the first
 *   mark, calls kafkajs's own unchanged for every other consumer, and the GROUP_JOIN wrapper sits on the marked
 *   consumer's own emitter. A consumer the application creates with `new Kafka(...)` reports stock GROUP_JOIN
 *   payloads and rejoins as a new member after a restart (test/integration/kafkajs-compat-user-client.test.ts).
 *   The connectors' and the testing helpers' kafkajs clients are not marked either: they were stock under
 *   `tributary cdc` / `tributary sink`, which never load this module, and stay so when run beside a
 *   KafkaStreams application.
 * Items 1 to 3 are functions Tributary calls with its own clients; they patch nothing.
 */
import { createRequire } from 'node:module';
import { RetriesExhaustedError } from '../errors.js';
import { retry } from '../retry.js';
import { errorChain } from './error-chain.js';
import type {
  Admin,
  Consumer,
  ITopicConfig,
  Offsets,
  Producer,
  ProducerBatch,
  ProducerRecord,
  RecordMetadata,
  Transaction,
} from 'kafkajs';
import {
  decodeTxnOffsetCommitV3Response,
  encodeTxnOffsetCommitV3,
  failedPartitions,
  REQUEST_HEADER_TAGGED_FIELDS,
  TXN_OFFSET_COMMIT_API_KEY,
  type TxnOffsetCommitGroupMetadata,
  type TxnOffsetCommitV3Response,
} from './txn-offset-commit-v3.js';

export interface ConcurrentTransactionsRetry {
  /** Give up after this long; default 30 s (the markers of a committed transaction are written in milliseconds
   *  on a healthy cluster, seconds on a loaded one). */
  readonly maxWaitMs?: number;
  /** Bound of the first pause between attempts, doubled up to 500 ms (full jitter below it); default 20 ms. */
  readonly initialBackoffMs?: number;
}

/** True when `error` (or what it wraps) is Kafka's CONCURRENT_TRANSACTIONS (error code 51). */
export function isConcurrentTransactionsError(error: unknown): boolean {
  for (const e of errorChain(error)) if (e['type'] === 'CONCURRENT_TRANSACTIONS' || e['code'] === 51) return true;
  return false;
}

/**
 * Runs `operation`, retrying while the transaction coordinator answers CONCURRENT_TRANSACTIONS; once the wait is
 * over it rejects with that last answer (callers recognise it), not with the retry loop's exhaustion error.
 */
export async function retryConcurrentTransactions<T>(
  operation: () => Promise<T>,
  options: ConcurrentTransactionsRetry = {},
): Promise<T> {
  try {
    return await retry(operation, {
      retries: Infinity,
      budgetMs: options.maxWaitMs ?? 30_000,
      initialBackoffMs: options.initialBackoffMs ?? 20,
      maxBackoffMs: 500,
      isRetriable: isConcurrentTransactionsError,
    });
  } catch (error) {
    throw error instanceof RetriesExhaustedError ? error.cause : error;
  }
}

/**
 * Begins a transaction on a transactional producer, like `producer.transaction()`, but its `send`, `sendBatch`
 * and `sendOffsets` retry CONCURRENT_TRANSACTIONS, and `sendOffsets` takes the consumer's group metadata
 * (see the module comment, items 1 and 5).
 *
 * @example
 * ```ts
 * const producer = kafka.producer({ transactionalId: 'app-0_1', idempotent: true, maxInFlightRequests: 1 });
 * await producer.connect();
 * const transaction = await beginTransaction(producer);
 * // groupMetadata (optional): the consumer's generation; the commit fails if it is no longer the group's.
 * await transaction.sendOffsets({ consumerGroupId: 'app', groupMetadata, topics: [{ topic: 'in', partitions: [{ partition: 1, offset: '42' }] }] });
 * await transaction.send({ topic: 'out', messages: [{ key: 'k', value: 'v' }] });
 * await transaction.commit();
 * ```
 */
export async function beginTransaction(producer: Producer, options: ConcurrentTransactionsRetry = {}): Promise<Transaction> {
  const transaction = await producer.transaction();
  return {
    send: (record: ProducerRecord): Promise<RecordMetadata[]> =>
      retryConcurrentTransactions(() => transaction.send(record), options),
    sendBatch: (batch: ProducerBatch): Promise<RecordMetadata[]> =>
      retryConcurrentTransactions(() => transaction.sendBatch(batch), options),
    sendOffsets: (offsets: Offsets & { consumerGroupId: string; groupMetadata?: TxnOffsetCommitGroupMetadata | undefined }): Promise<void> => {
      const { groupMetadata, ...rest } = offsets;
      const fenced = { ...rest, topics: withGroupMetadata([...rest.topics], groupMetadata) };
      return retryConcurrentTransactions(() => transaction.sendOffsets(fenced), options);
    },
    commit: () => transaction.commit(),
    abort: () => transaction.abort(),
    isActive: () => transaction.isActive(),
  };
}

/**
 * Deletes the records of `topic` below the given offsets (Kafka's DeleteRecords; `offset: '-1'` means up to
 * the high watermark), working around kafkajs's stale leader lookup (see the module comment).
 */
export async function deleteRecords(
  admin: Admin,
  topic: string,
  partitions: ReadonlyArray<{ partition: number; offset: string }>,
): Promise<void> {
  await admin.fetchTopicMetadata({ topics: [topic] });
  await admin.deleteTopicRecords({ topic, partitions: partitions.map((p) => ({ ...p })) });
}

export interface CreateTopicsOptions {
  readonly topics: ITopicConfig[];
  /** Broker-side timeout of the request and the longest wait for leaders; default 30 s. */
  readonly timeout?: number;
  /** Wait until every partition of every topic has a leader; default true. */
  readonly waitForLeaders?: boolean;
  readonly validateOnly?: boolean;
}

const METADATA_NOT_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION']);

/**
 * Creates topics like `admin.createTopics`, returning false when they all existed already, and (by default)
 * waits until every partition has a leader, tolerating a broker whose metadata lags its controller (see the
 * module comment).
 *
 * @example
 * ```ts
 * await createTopics(admin, { topics: [{ topic: 'app-store-changelog', numPartitions: 4, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
 * ```
 */
export async function createTopics(admin: Admin, options: CreateTopicsOptions): Promise<boolean> {
  const timeout = options.timeout ?? 30_000;
  const created = await admin.createTopics({
    topics: options.topics,
    timeout,
    validateOnly: options.validateOnly ?? false,
    waitForLeaders: false,
  });
  if (options.waitForLeaders === false || options.validateOnly) return created;

  const wanted = new Map(options.topics.map((t) => [t.topic, t.numPartitions ?? 0]));
  // Partitions without a leader yet are not a failure of the call: the one retry loop polls on while it sees this.
  const notYet = Symbol('leaders not yet elected');
  let lastError: unknown;
  try {
    await retry(
      async () => {
        try {
          const { topics } = await admin.fetchTopicMetadata({ topics: [...wanted.keys()] });
          const ready = [...wanted].every(([name, partitions]) => {
            const topic = topics.find((t) => t.name === name);
            if (!topic || topic.partitions.length === 0 || topic.partitions.length < partitions) return false;
            return topic.partitions.every((p) => p.leader >= 0);
          });
          if (!ready) throw notYet;
          // A KRaft broker can list itself as leader before its replica manager serves the partition; a produce
          // then fails for that partition only, and a non-idempotent kafkajs producer retries the whole request,
          // duplicating the partitions that succeeded. Asking every leader for its offsets proves it serves them.
          for (const name of wanted.keys()) await admin.fetchTopicOffsets(name);
        } catch (error) {
          if (error === notYet || !METADATA_NOT_YET.has(String((error as { type?: unknown }).type))) throw error;
          lastError = error;
          throw notYet;
        }
      },
      // a poll every 100 ms within the timeout
      { retries: Infinity, budgetMs: timeout, initialBackoffMs: 100, maxBackoffMs: 100, jitter: 'none', isRetriable: (e) => e === notYet },
    );
    return created;
  } catch (error) {
    if (!(error instanceof RetriesExhaustedError)) throw error;
    throw new Error(`timed out after ${timeout} ms waiting for leaders of ${[...wanted.keys()].join(', ')}`, {
      cause: lastError,
    });
  }
}

type PartitionerArgs = { topic: string; partitionMetadata: unknown[]; message: unknown };
type GroupArgs = { topic: string; partitionMetadata: unknown[]; messages: unknown[]; partitioner: (args: PartitionerArgs) => number };

/**
 * Groups a topic's messages by the partition the partitioner picks, keeping their order: kafkajs's
 * `groupMessagesPerPartition` in linear time (see the module comment, item 4).
 */
export function groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner }: GroupArgs): { [partition: number]: unknown[] } {
  const result: { [partition: number]: unknown[] } = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const list = result[partition];
    if (list === undefined) result[partition] = [message];
    else list.push(message);
  }
  return result;
}

let groupingInstalled: boolean | undefined;

/**
 * Makes kafkajs use {@link groupMessagesPerPartition}. Returns whether kafkajs's producer uses it: false when
 * kafkajs was loaded earlier (producing is then correct, only slower for large batches).
 *
 * @example
 * if (!installLinearPartitionGrouping()) logger.debug('kafkajs loaded before the grouping fix');
 */
export function installLinearPartitionGrouping(): boolean {
  if (groupingInstalled !== undefined) return groupingInstalled;
  try {
    const require = createRequire(import.meta.url);
    const target = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
    const sendMessages = require.resolve('kafkajs/src/producer/sendMessages.js');
    const cache = require.cache;
    if (cache[sendMessages] !== undefined) {
      groupingInstalled = cache[target]?.exports === groupMessagesPerPartition;
      return groupingInstalled;
    }
    // A module record that Node's loader takes as already loaded: sendMessages.js gets this function.
    const Module = (require('node:module') as { Module: new (id: string) => NodeJS.Module }).Module;
    const module = new Module(target);
    module.filename = target;
    module.loaded = true;
    module.exports = groupMessagesPerPartition;
    cache[target] = module;
    groupingInstalled = true;
  } catch {
    groupingInstalled = false;
  }
  return groupingInstalled;
}

installLinearPartitionGrouping();

const GROUP_METADATA = Symbol.for('tributary.txnOffsetCommit.groupMetadata');

type OffsetTopics = { topic: string; partitions: { partition: number; offset: string; metadata?: string | null }[] }[];

/**
 * Attaches the consumer's group metadata to the `topics` of a transactional `sendOffsets`, so the offsets
 * are sent with TxnOffsetCommit v3 and refused when that generation is no longer the group's (see the module
 * comment, item 5). Returns `topics`; without metadata it is left as it is.
 *
 * @example
 * await transaction.sendOffsets({ consumerGroupId: 'app', topics: withGroupMetadata(topics, { generationId: 4, memberId }) });
 */
export function withGroupMetadata<T extends object[]>(topics: T, metadata: TxnOffsetCommitGroupMetadata | undefined): T {
  if (metadata === undefined) return topics;
  // Offsets with metadata are what version 3 exists for: it is installed by the first of them, not at import.
  installTxnOffsetCommitV3();
  Object.defineProperty(topics, GROUP_METADATA, { value: { ...metadata }, enumerable: false, configurable: true });
  return topics;
}

interface TxnOffsetCommitArgs {
  transactionalId: string;
  groupId: string;
  producerId: string | number;
  producerEpoch: number;
  topics: OffsetTopics & { [GROUP_METADATA]?: TxnOffsetCommitGroupMetadata };
}

interface KafkajsProtocolRequest {
  request: { apiKey: number; apiVersion: number; apiName: string; encode: () => Promise<unknown> };
  response: { decode: (payload: Buffer) => Promise<unknown>; parse: (data: never) => Promise<unknown> };
}

interface KafkajsRequestDefinitions {
  versions: string[];
  protocol: (options: { version: number }) => ((args: TxnOffsetCommitArgs) => KafkajsProtocolRequest) | undefined;
}

/** The kafkajs request of a TxnOffsetCommit v3; failed partitions become kafkajs protocol errors (by code). */
function txnOffsetCommitV3Request(
  args: TxnOffsetCommitArgs,
  metadata: TxnOffsetCommitGroupMetadata,
  kafkajs: { Encoder: new () => { writeBuffer(b: Buffer): unknown }; createErrorFromCode: (code: number) => Error },
): KafkajsProtocolRequest {
  return {
    request: {
      apiKey: TXN_OFFSET_COMMIT_API_KEY,
      apiVersion: 3,
      apiName: 'TxnOffsetCommit',
      encode: async () => {
        const body = encodeTxnOffsetCommitV3({ ...args, ...metadata, topics: args.topics });
        // kafkajs writes a version 1 request header; the tagged fields make it the version 2 header of a flexible request.
        const encoder = new kafkajs.Encoder();
        encoder.writeBuffer(Buffer.concat([REQUEST_HEADER_TAGGED_FIELDS, body]));
        return encoder;
      },
    },
    response: {
      decode: async (payload: Buffer) => {
        const decoded = decodeTxnOffsetCommitV3Response(payload);
        // Since version 1 the broker answers before throttling; kafkajs throttles on clientSideThrottleTime.
        return { ...decoded, throttleTime: 0, clientSideThrottleTime: decoded.throttleTimeMs };
      },
      parse: async (data: TxnOffsetCommitV3Response) => {
        const [first] = failedPartitions(data);
        if (first === undefined) return data;
        throw Object.assign(kafkajs.createErrorFromCode(first.errorCode), {
          topic: first.topic,
          partition: first.partition,
          groupId: args.groupId,
          generationId: metadata.generationId,
          memberId: metadata.memberId,
        });
      },
    },
  };
}

let txnOffsetCommitV3Installed: boolean | undefined;

/**
 * Adds TxnOffsetCommit version 3 to kafkajs (see the module comment, item 5). Returns whether it is in place.
 * It changes only requests whose offsets carry group metadata ({@link withGroupMetadata}, which installs it):
 * for any other `sendOffsets`, a user's own producer's included, kafkajs builds the same version 0 or 1
 * request as stock kafkajs.
 *
 * @example
 * if (!installTxnOffsetCommitV3()) throw new Error('exactly-once needs the group generation on offset commits');
 */
export function installTxnOffsetCommitV3(): boolean {
  if (txnOffsetCommitV3Installed !== undefined) return txnOffsetCommitV3Installed;
  try {
    const require = createRequire(import.meta.url);
    const definitions = require('kafkajs/src/protocol/requests/txnOffsetCommit/index.js') as KafkajsRequestDefinitions;
    const kafkajs = {
      Encoder: require('kafkajs/src/protocol/encoder.js') as new () => { writeBuffer(b: Buffer): unknown },
      createErrorFromCode: (require('kafkajs/src/protocol/error.js') as { createErrorFromCode: (code: number) => Error }).createErrorFromCode,
    };
    const original = definitions.protocol;
    // kafkajs picks the highest version both sides support: 3 on a broker that has it, else the broker's highest.
    definitions.protocol = ({ version }) => {
      const v1 = original({ version: Math.min(version, 1) });
      if (version < 3 || v1 === undefined) return v1;
      return (args) => {
        const metadata = args.topics[GROUP_METADATA];
        return metadata === undefined ? v1(args) : txnOffsetCommitV3Request(args, metadata, kafkajs);
      };
    };
    if (!definitions.versions.includes('3')) definitions.versions.push('3');
    txnOffsetCommitV3Installed = true;
  } catch {
    txnOffsetCommitV3Installed = false;
  }
  return txnOffsetCommitV3Installed;
}


interface KafkajsConsumerGroup {
  generationId: number | null;
  memberId: string | null;
  instrumentationEmitter: object;
  joinAndSync(...args: unknown[]): Promise<unknown>;
}

interface KafkajsInstrumentationEmitter {
  emit(eventName: string, payload?: unknown): void;
  addListener(eventName: string, listener: (...args: unknown[]) => void): () => void;
}

/**
 * The kafkajs consumers Tributary created, by their instrumentation emitter: kafkajs gives each consumer one
 * emitter and hands it to every ConsumerGroup the consumer makes, restarts included, so it is the one thing a
 * ConsumerGroup carries that tells whose it is. The value is the consumer's latest ConsumerGroup (item 7).
 * A consumer not in here is left to stock kafkajs.
 */
const tributaryConsumers = new WeakMap<object, { group?: KafkajsConsumerGroup }>();

let groupJoinEvent: string | undefined;
let groupJoinGenerationInstalled: boolean | undefined;

/**
 * Wraps kafkajs's `ConsumerGroup.prototype.joinAndSync` so that the consumers marked with
 * {@link markTributaryConsumer} report the generation and keep their member id through a restart (see the
 * module comment, items 6 and 7). For every other consumer the wrapper calls kafkajs's `joinAndSync` with the
 * same `this` and arguments and returns its result, nothing else. Returns whether it is in place; it is
 * installed by the first {@link markTributaryConsumer}, so importing this module does not do it.
 *
 * @example
 * if (!installGroupJoinGeneration()) logger.warn('exactly-once offset commits are not fenced by the group generation');
 */
export function installGroupJoinGeneration(): boolean {
  if (groupJoinGenerationInstalled !== undefined) return groupJoinGenerationInstalled;
  try {
    const require = createRequire(import.meta.url);
    const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup.js') as { prototype: KafkajsConsumerGroup };
    const { events } = require('kafkajs/src/consumer/instrumentationEvents.js') as { events: { GROUP_JOIN: string } };
    const proto = ConsumerGroup.prototype;
    const joinAndSync = proto.joinAndSync;
    if (typeof joinAndSync !== 'function') throw new Error('kafkajs ConsumerGroup has no joinAndSync');
    groupJoinEvent = events.GROUP_JOIN;
    // A prototype wrapper because kafkajs makes a new ConsumerGroup at each (re)start and exposes none of them.
    proto.joinAndSync = function joinAndSyncForTributaryConsumers(this: KafkajsConsumerGroup, ...args: unknown[]) {
      const consumer = tributaryConsumers.get(this.instrumentationEmitter);
      if (consumer !== undefined) {
        // A restarted kafkajs consumer makes a new ConsumerGroup on the same emitter: the latest one reports
        // the generation, and it rejoins under the member id of the one before it (item 7).
        const previous = consumer.group;
        if (previous !== undefined && previous !== this && !this.memberId && previous.memberId) this.memberId = previous.memberId;
        consumer.group = this;
      }
      return joinAndSync.apply(this, args);
    };
    groupJoinGenerationInstalled = true;
  } catch {
    groupJoinGenerationInstalled = false;
  }
  return groupJoinGenerationInstalled;
}

/**
 * The instrumentation emitter of a kafkajs consumer, which kafkajs keeps to itself: `consumer.on` hands a
 * listener to it, so the emitter is the `this` of the `addListener` that call makes. The prototype method is
 * swapped for the duration of that synchronous call only, and the listener is removed again. Undefined when
 * the consumer comes from another copy of kafkajs or kafkajs's internals have changed.
 */
export function consumerInstrumentationEmitter(consumer: Consumer): object | undefined {
  try {
    const require = createRequire(import.meta.url);
    const Emitter = require('kafkajs/src/instrumentation/emitter.js') as { prototype: KafkajsInstrumentationEmitter };
    const proto = Emitter.prototype;
    const addListener = proto.addListener;
    let captured: object | undefined;
    proto.addListener = function capturingAddListener(this: KafkajsInstrumentationEmitter, eventName, listener) {
      captured ??= this;
      return addListener.call(this, eventName, listener);
    };
    try {
      consumer.on(consumer.events.GROUP_JOIN, () => undefined)();
    } finally {
      proto.addListener = addListener;
    }
    return captured;
  } catch {
    return undefined;
  }
}

/**
 * Makes `consumer` a Tributary consumer for kafkajs-compat: its GROUP_JOIN events carry the group generation
 * (`payload.generationId`) next to the member id, and after kafkajs restarts it (a broken coordinator
 * connection) it rejoins under its previous member id (see the module comment, items 6 and 7). Only consumers
 * marked this way change; every other kafkajs consumer in the process behaves as stock kafkajs. Call it before
 * `consumer.run`. Returns whether the consumer is marked (false: it behaves as stock kafkajs).
 *
 * @example
 * const consumer = kafka.consumer({ groupId: 'app' });
 * if (!markTributaryConsumer(consumer)) logger.warn('no group generation on GROUP_JOIN');
 * consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => remember(payload.memberId, (payload as { generationId?: number }).generationId));
 */
export function markTributaryConsumer(consumer: Consumer): boolean {
  if (!installGroupJoinGeneration() || groupJoinEvent === undefined) return false;
  const emitter = consumerInstrumentationEmitter(consumer) as KafkajsInstrumentationEmitter | undefined;
  if (emitter === undefined) return false;
  if (tributaryConsumers.has(emitter)) return true;
  const state: { group?: KafkajsConsumerGroup } = {};
  tributaryConsumers.set(emitter, state);
  const joinEvent = groupJoinEvent;
  // On this consumer's emitter only: the generation is the latest ConsumerGroup's, read when kafkajs emits GROUP_JOIN.
  const emit = emitter.emit;
  emitter.emit = function emitWithGeneration(this: KafkajsInstrumentationEmitter, eventName: string, payload?: unknown) {
    const generationId = state.group?.generationId;
    if (eventName === joinEvent && typeof payload === 'object' && payload !== null && typeof generationId === 'number') {
      return emit.call(this, eventName, { ...payload, generationId });
    }
    return emit.call(this, eventName, payload);
  };
  return true;
}
