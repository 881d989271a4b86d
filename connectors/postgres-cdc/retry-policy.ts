/**
 * Which failures the CDC source retries, and how long it waits: Debezium's `errors.max.retries`,
 * `errors.retry.delay.initial.ms` and `errors.retry.delay.max.ms`. Attempts are counted until the source makes real
 * progress again (Kafka acknowledged a batch or the slot's confirmed position moved), not until a connection merely
 * opens, so a server that accepts connections and fails right after still exhausts the budget.
 *
 * The budget is a {@link Backoff} of the library's one retry loop (src/retry.ts), which the source runs its restarts
 * on. It has no jitter: the Debezium keys promise these exact pauses, and one source restarting against its own
 * database has no crowd of clients to spread out.
 *
 * @example
 * const budget = new RetryBudget({ maxRetries: 5, initialDelayMs: 300, maxDelayMs: 10_000 });
 * const delay = budget.next();  // 300, then 600, 1200, ... up to 10 000; null once 5 retries are used
 * budget.progress();            // a batch was acknowledged: the next failure starts from 300 again
 */
import { errorChain } from '../../src/kafka/error-chain.js';
import { Backoff } from '../../src/retry.js';
import { CdcError } from './errors.js';

export interface RetryBudgetOptions {
  /** Retries before giving up: -1 no limit, 0 none. */
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export class RetryBudget extends Backoff {
  constructor(options: RetryBudgetOptions) {
    super({ retries: options.maxRetries, initialBackoffMs: options.initialDelayMs, maxBackoffMs: options.maxDelayMs, jitter: 'none' });
  }

  /** The source made real progress: the budget is whole again. */
  progress(): void {
    this.reset();
  }
}

/** SQLSTATEs of a server that is going away, starting up or out of connections: trying again later helps. */
const RETRIABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '53400', '58000', '40001', '40P01', '55006']);
/** Socket errors: the network or the peer is (for now) unreachable. */
const RETRIABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);
/** pg's own errors for a connection that ended or timed out carry no code, only these messages. */
const RETRIABLE_MESSAGES = /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error|Connection refused|socket hang up|read ECONNRESET/i;
/** kafkajs errors that mean "broker unreachable or busy", whatever their own retriable flag says once retries ran out. */
const RETRIABLE_KAFKAJS = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSBrokerNotFound', 'KafkaJSLockTimeout', 'KafkaJSMetadataNotLoaded', 'KafkaJSStaleTopicMetadataAssignment']);

/**
 * Whether the failure is infrastructure that may come back (network, broker or server restarting, connection
 * limits) rather than a problem retrying cannot fix (configuration, authentication, a lost slot, bad data, bugs).
 *
 * @example
 * isRetriableCdcError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })); // true
 * isRetriableCdcError(Object.assign(new Error('password authentication failed'), { code: '28P01' }));               // false
 */
export function isRetriableCdcError(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError) return false;
  // Tributary's own errors decide for themselves (a lost slot or a config error is never retried)
  if (error instanceof CdcError && !error.retriable) return false;
  for (const e of errorChain(error)) {
    if (e instanceof CdcError) {
      if (e.retriable) return true;
      if (e !== error) return false;
      continue;
    }
    const code = e['code'];
    if (typeof code === 'string') {
      if (RETRIABLE_SOCKET_CODES.has(code) || RETRIABLE_SQLSTATES.has(code) || code.startsWith('08')) return true;
      if (/^[0-9A-Z]{5}$/.test(code)) return false; // any other SQLSTATE: the server answered, and said no
    }
    const name = e['name'];
    if (typeof name === 'string' && name.startsWith('KafkaJS')) {
      if (RETRIABLE_KAFKAJS.has(name) || e['retriable'] === true) return true;
    }
    if (typeof e['message'] === 'string' && RETRIABLE_MESSAGES.test(e['message'])) return true;
  }
  return false;
}
