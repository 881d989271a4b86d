import { StreamsError, type StreamsErrorOptions } from '../errors.js';
import { errorChain } from './error-chain.js';

/**
 * What a failed exactly-once transaction calls for:
 * - `fenced`: the producer's epoch is gone (another InitProducerId for the same transactional id, or the
 *   coordinator aborted a transaction that outlived `transaction.timeout.ms`). The producer is unusable:
 *   abort, re-create it, and redo the work since the last committed transaction.
 * - `migrated`: the group coordinator refused the offsets because the generation they were sent with is no
 *   longer the group's (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID on TxnOffsetCommit v3): the
 *   partitions went to another member while this one stalled (Kafka Streams' TaskMigratedException). Abort,
 *   drop the tasks without committing them and rebuild them from the changelogs once the consumer has
 *   rejoined; the producer is re-created as for `fenced`.
 * - `abortable`: the transaction failed on a transient problem (time-outs, lost connections, coordinator or
 *   leader moves that outlasted the client's own retries). Abort and redo the work since the last commit.
 * - `fatal`: trying again gives the same answer (authorization, a record above the broker's size limit, an
 *   unsupported broker, a programming error): the application stops.
 */
export type TransactionFailureKind = 'fenced' | 'migrated' | 'abortable' | 'fatal';

/** Kafka error codes (and kafkajs's names for them) after which the producer's epoch is no longer valid. */
const FENCED_CODES = new Map<number, string>([
  [45, 'OUT_OF_ORDER_SEQUENCE_NUMBER'],
  [47, 'INVALID_PRODUCER_EPOCH'],
  [48, 'INVALID_TXN_STATE'],
  [49, 'INVALID_PRODUCER_ID_MAPPING'],
  [52, 'TRANSACTION_COORDINATOR_FENCED'],
  [59, 'UNKNOWN_PRODUCER_ID'],
  // kafkajs 2.2.4 predates PRODUCER_FENCED and reports it as KAFKAJS_UNKNOWN_ERROR with this code.
  [90, 'PRODUCER_FENCED'],
]);

/**
 * Kafka error codes (and kafkajs's names) by which the group coordinator refuses transactional offsets from
 * a member of a past generation. Matched by code too, as kafkajs versions may name them differently.
 */
const MIGRATED_CODES = new Map<number, string>([
  [22, 'ILLEGAL_GENERATION'],
  [25, 'UNKNOWN_MEMBER_ID'],
  [82, 'FENCED_INSTANCE_ID'],
]);

/** Errors that repeat however often the transaction is redone. */
const FATAL_CODES = new Map<number, string>([
  [10, 'MESSAGE_TOO_LARGE'],
  [18, 'RECORD_LIST_TOO_LARGE'],
  [21, 'INVALID_REQUIRED_ACKS'],
  [29, 'TOPIC_AUTHORIZATION_FAILED'],
  [30, 'GROUP_AUTHORIZATION_FAILED'],
  [31, 'CLUSTER_AUTHORIZATION_FAILED'],
  [35, 'UNSUPPORTED_VERSION'],
  [43, 'UNSUPPORTED_FOR_MESSAGE_FORMAT'],
  [50, 'INVALID_TRANSACTION_TIMEOUT'],
  [53, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'],
  [58, 'SASL_AUTHENTICATION_FAILED'],
  [74, 'UNSUPPORTED_COMPRESSION_TYPE'],
  [87, 'INVALID_RECORD'],
]);

/** kafkajs client-side errors that say the producer's transaction state machine is broken. */
const FENCED_MESSAGES = /Transaction state exception|Invalid state transition|not initialized|producer is disconnect/i;

const FATAL_NAMES = new Set(['KafkaJSSASLAuthenticationError', 'KafkaJSServerDoesNotSupportApiKey', 'KafkaJSNotImplemented', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError']);

/**
 * Classifies an error thrown by a transactional call (begin, send, sendOffsets, commit). The whole cause
 * chain is inspected (kafkajs wraps the broker's answer in KafkaJSNumberOfRetriesExceeded); the most severe
 * finding wins (fatal, then fenced, then migrated), so a fencing error hidden under a time-out still
 * re-creates the producer.
 *
 * @example
 * classifyTransactionFailure(Object.assign(new Error('fenced'), { type: 'INVALID_PRODUCER_EPOCH', code: 47 })); // 'fenced'
 */
export function classifyTransactionFailure(error: unknown): TransactionFailureKind {
  let fenced = false;
  let migrated = false;
  for (const e of errorChain(error)) {
    if (e instanceof TransactionFailedError) return e.kind;
    const code = typeof e['code'] === 'number' ? e['code'] : undefined;
    const type = typeof e['type'] === 'string' ? e['type'] : undefined;
    const name = typeof e['name'] === 'string' ? e['name'] : undefined;
    if ((code !== undefined && FATAL_CODES.has(code)) || (type !== undefined && [...FATAL_CODES.values()].includes(type))) return 'fatal';
    if (name !== undefined && FATAL_NAMES.has(name)) return 'fatal';
    if ((code !== undefined && FENCED_CODES.has(code)) || (type !== undefined && [...FENCED_CODES.values()].includes(type))) fenced = true;
    if (typeof e['message'] === 'string' && FENCED_MESSAGES.test(e['message'])) fenced = true;
    if ((code !== undefined && MIGRATED_CODES.has(code)) || (type !== undefined && [...MIGRATED_CODES.values()].includes(type))) migrated = true;
  }
  return fenced ? 'fenced' : migrated ? 'migrated' : 'abortable';
}

/** Options of {@link TransactionFailedError}; `retriable` follows from `kind`. */
export interface TransactionFailedErrorOptions extends Omit<StreamsErrorOptions, 'retriable'> {
  readonly transactionalId: string;
  readonly kind: TransactionFailureKind;
}

/**
 * An exactly-once transaction failed and was aborted. `kind` says whether the work can be redone
 * ({@link TransactionFailureKind}); `retriable` is true unless it is fatal.
 *
 * @example
 * if (error instanceof TransactionFailedError && error.kind !== 'fatal') await recover(error);
 */
export class TransactionFailedError extends StreamsError {
  readonly kind: TransactionFailureKind;
  readonly transactionalId: string;

  constructor(message: string, options: TransactionFailedErrorOptions) {
    const { transactionalId, kind } = options;
    super(message, { ...options, retriable: kind !== 'fatal', context: { transactionalId, kind, ...options.context } });
    this.kind = kind;
    this.transactionalId = transactionalId;
  }
}
