/**
 * The first connection to Kafka, bounded in time and explained: a client that cannot reach its brokers fails with a
 * {@link KafkaConnectError} that names the bootstrap servers, what went wrong (refused, unknown host, no answer,
 * certificate not trusted, authentication refused) and what to check, instead of the client's raw error after its
 * own retries (16 s of "Connection error: connect ECONNREFUSED", or 30 s then "Broker not connected").
 *
 * @example
 * await connectWithin(() => admin.connect(), () => admin.disconnect(), { brokers, security, timeoutMs: 30_000, client: 'admin client' });
 */
import { StreamsError, type TributaryErrorOptions } from '../errors.js';
import { securityProtocol, type KafkaSecurityOptions } from './client-security.js';
import { errorChain } from './error-chain.js';

/** Default time the first connection to Kafka may take (the Java client's `socket.connection.setup.timeout.max.ms`). */
export const DEFAULT_KAFKA_CONNECT_TIMEOUT_MS = 30_000;

/**
 * Kafka could not be reached, or refused this client. `retriable` is true when the brokers may simply not be up
 * yet (refused, no answer), false when the configuration must change (authentication, certificates, host name).
 */
export class KafkaConnectError extends StreamsError {
  /** The bootstrap servers tried. */
  readonly brokers: readonly string[];

  constructor(message: string, options: TributaryErrorOptions & { readonly brokers: readonly string[] }) {
    super(message, options);
    this.brokers = options.brokers;
  }
}

export interface ConnectContext {
  readonly brokers: readonly string[];
  readonly security?: KafkaSecurityOptions | undefined;
  /** Which client connects (for the message), e.g. "admin client". */
  readonly client: string;
  readonly timeoutMs: number;
}

/**
 * Runs `connect`; if it fails, or has not finished after `timeoutMs` (then `abandon` is started to stop the client's retries),
 * rejects with a {@link KafkaConnectError} explaining why.
 */
export async function connectWithin<T>(connect: () => Promise<T>, abandon: () => Promise<unknown>, context: ConnectContext): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(CONNECT_TIMEOUT), context.timeoutMs);
  });
  const attempt = connect();
  try {
    return await Promise.race([attempt, timedOut]);
  } catch (error) {
    if (error === CONNECT_TIMEOUT) {
      attempt.catch(() => undefined);
      // Not awaited: a disconnect waits for the request in flight, which is what did not answer.
      abandon().catch(() => undefined);
    }
    throw explainConnectFailure(error, context);
  } finally {
    clearTimeout(timer);
  }
}

/** What the timer rejects with: not an Error, so it cannot be mistaken for one from the client. */
const CONNECT_TIMEOUT: unique symbol = Symbol('connect timeout');

/** What a connection failure means, and what to check; see {@link KafkaConnectError}. */
export function explainConnectFailure(error: unknown, context: ConnectContext): KafkaConnectError {
  const where = `Kafka at ${context.brokers.join(',')}`;
  const protocol = securityProtocol(context.security);
  const [problem, check, retriable] = diagnose(error, context, protocol);
  let message = `${context.client} cannot connect to ${where} (security.protocol ${protocol}): ${problem}; check ${check}`;
  // kafkajs does not put credentials into errors; this keeps it so should a message ever echo one.
  const password = context.security?.sasl?.password;
  if (password !== undefined && password.length > 0) message = message.split(password).join('***');
  return new KafkaConnectError(message, {
    brokers: context.brokers,
    retriable,
    ...(error === CONNECT_TIMEOUT ? {} : { cause: error }),
    context: { brokers: context.brokers.join(','), securityProtocol: protocol },
  });
}

const CERTIFICATE_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME/;

function diagnose(error: unknown, context: ConnectContext, protocol: string): [problem: string, check: string, retriable: boolean] {
  if (error === CONNECT_TIMEOUT) {
    return [
      `no connection within ${context.timeoutMs} ms`,
      `that a broker listens there and is reachable (firewall, advertised.listeners), and that its listener speaks ${protocol} (a TLS listener does not answer a client without TLS)`,
      true,
    ];
  }
  const chain = [...errorChain(error)];
  const codes = chain.map((e) => e['code']).filter((c): c is string => typeof c === 'string');
  const names = chain.map((e) => e['name']).filter((n): n is string => typeof n === 'string');
  const text = chain.map((e) => (typeof e['message'] === 'string' ? e['message'] : '')).join(' | ');
  const sasl = context.security?.sasl;
  if (names.includes('KafkaJSSASLAuthenticationError') || /SASL .*authentication failed/i.test(text)) {
    return [
      `SASL ${sasl?.mechanism ?? ''} authentication as "${sasl?.username ?? ''}" was refused`,
      'sasl.username and sasl.password, and that the listener enables this sasl.mechanism and the user exists for it (SCRAM users are created per mechanism)',
      false,
    ];
  }
  // An alert is the broker's refusal of this client's side of the handshake (no certificate, or one it does not trust).
  const alert = codes.find((c) => c.includes('ALERT'));
  if (alert !== undefined) {
    return [
      `the broker refused the TLS handshake (${alert})`,
      'ssl.certificate.location and ssl.key.location: a listener with ssl.client.auth=required wants a client certificate signed by a CA it trusts',
      false,
    ];
  }
  const code = codes.find((c) => CERTIFICATE_CODES.test(c));
  if (code !== undefined) {
    const hostname = /ALTNAME/.test(code);
    return [
      `the broker's certificate was not accepted (${code})`,
      hostname
        ? 'that the host names of the bootstrap servers and advertised.listeners are in the broker certificate (or set ssl.endpoint.identification.algorithm to "")'
        : 'ssl.ca.location: it must hold the CA that signed the broker certificate (without it the system trust store is used)',
      false,
    ];
  }
  if (codes.includes('ECONNREFUSED')) return ['connection refused', 'that the broker is running and the host:port of the bootstrap servers', true];
  if (codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN')) return ['the host name does not resolve', 'the host names of the bootstrap servers', true];
  if (codes.includes('EPROTO') || /wrong version number|before secure TLS connection|handshake/i.test(text)) {
    return [
      'the TLS handshake failed',
      `that the listener speaks TLS (security.protocol ${protocol}) and, if it requires client certificates, ssl.certificate.location and ssl.key.location`,
      false,
    ];
  }
  if (/not connected|timed? ?out|closed connection|ECONNRESET/i.test(`${text} ${codes.join(' ')}`)) {
    return [
      'the broker did not answer',
      `that the port is a Kafka listener for ${protocol} clients (a TLS or SASL listener drops a client that does not speak its protocol)`,
      true,
    ];
  }
  return [firstLine(chain[0]?.['message']), 'the bootstrap servers and the security settings', true];
}

function firstLine(message: unknown): string {
  return typeof message === 'string' && message !== '' ? message.split('\n')[0]! : 'unknown error';
}

/** kafkajs's errors of a connection that could not be made or was refused (as opposed to a request that failed). */
const CONNECT_ERROR_NAMES = new Set(['KafkaJSSASLAuthenticationError', 'KafkaJSConnectionError', 'KafkaJSConnectionClosedError']);

/**
 * For a command that creates its own Kafka client (the connectors): `error` explained as a {@link KafkaConnectError}
 * when it is a connection or login failure, else as it is. `clientOf` gives the brokers and security the client used
 * (it may throw: then `error` is returned as it is).
 *
 * @example
 * process.stderr.write(`tributary cdc: ${explainKafkaFailure(error, () => ({ brokers, security }), 'the CDC source').message}\n`);
 */
export function explainKafkaFailure(error: unknown, clientOf: () => { brokers: readonly string[]; security?: KafkaSecurityOptions | undefined }, client: string): Error {
  const asError = error instanceof Error ? error : new Error(String(error));
  if (error instanceof KafkaConnectError) return error;
  // Only the client's own error: a connector's error wrapping one (retries exhausted, ...) already says what it means.
  if (!CONNECT_ERROR_NAMES.has(asError.name)) return asError;
  let context: { brokers: readonly string[]; security?: KafkaSecurityOptions | undefined };
  try {
    context = clientOf();
  } catch {
    return asError;
  }
  return explainConnectFailure(error, { ...context, client, timeoutMs: 0 });
}
