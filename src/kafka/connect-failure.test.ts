import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TributaryError } from '../errors.js';
import { connectWithin, explainConnectFailure, explainKafkaFailure, KafkaConnectError } from './connect-failure.js';
import { kafkajsAdapter } from './kafkajs-adapter.js';
import { startSilentListener } from './silent-listener.test-support.js';

let silent: Awaited<ReturnType<typeof startSilentListener>>;
let silentPort: number;
beforeAll(async () => {
  silent = await startSilentListener();
  silentPort = silent.port;
});
afterAll(() => {
  silent.close();
});

const context = { brokers: ['kafka-1:9093'], client: 'admin client', timeoutMs: 1000 };

describe('connectWithin', () => {
  it('fails after the timeout against a silent listener, naming the endpoint and what to check, and stops the client', async () => {
    const brokers = [`127.0.0.1:${silentPort}`];
    const admin = new Kafka({ clientId: 'connect-failure-test', brokers, logLevel: logLevel.NOTHING }).admin();
    let abandoned = false;
    const error = await connectWithin(() => admin.connect(), async () => {
      abandoned = true;
      await admin.disconnect();
    }, { brokers, client: 'admin client', timeoutMs: 300 }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaConnectError);
    expect((error as Error).message).toBe(
      `admin client cannot connect to Kafka at 127.0.0.1:${silentPort} (security.protocol PLAINTEXT): no connection within 300 ms; check that a broker listens there and is reachable (firewall, advertised.listeners), and that its listener speaks PLAINTEXT (a TLS listener does not answer a client without TLS)`,
    );
    expect((error as KafkaConnectError).retriable).toBe(true);
    expect(abandoned).toBe(true);
  });

  it('resolves with the connection when it comes in time', async () => {
    await expect(connectWithin(async () => 'connected', async () => undefined, context)).resolves.toBe('connected');
  });

  it('makes KafkaStreams-style start fail through the adapter with the explained error', async () => {
    const port = kafkajsAdapter({ brokers: [`127.0.0.1:${silentPort}`], connectTimeoutMs: 300 });
    const error = await port.admin().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaConnectError);
    expect((error as Error).message).toContain(`cannot connect to Kafka at 127.0.0.1:${silentPort}`);
  });
});

describe('explainConnectFailure', () => {
  const kafkajsError = (name: string, message: string, code?: string) => Object.assign(new Error(message), { name, ...(code === undefined ? {} : { code }) });

  it.each([
    [kafkajsError('KafkaJSConnectionError', 'Connection error: connect ECONNREFUSED 10.0.0.1:9093', 'ECONNREFUSED'), 'connection refused; check that the broker is running', true],
    [kafkajsError('KafkaJSConnectionError', 'Connection error: getaddrinfo ENOTFOUND kafka-1', 'ENOTFOUND'), 'the host name does not resolve', true],
    [kafkajsError('KafkaJSConnectionError', 'Connection error: self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'), "the broker's certificate was not accepted (SELF_SIGNED_CERT_IN_CHAIN); check ssl.ca.location", false],
    [kafkajsError('KafkaJSConnectionError', "Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'), 'ssl.endpoint.identification.algorithm', false],
    [kafkajsError('KafkaJSConnectionError', 'Connection error: alert certificate required', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), 'the broker refused the TLS handshake (ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED); check ssl.certificate.location', false],
    [kafkajsError('KafkaJSConnectionError', 'Connection error: wrong version number', 'EPROTO'), 'the TLS handshake failed', false],
    [kafkajsError('KafkaJSConnectionError', 'Closed connection'), 'the broker did not answer', true],
  ])('explains %s', (error, expected, retriable) => {
    const explained = explainConnectFailure(error, context);
    expect(explained.message).toContain('admin client cannot connect to Kafka at kafka-1:9093 (security.protocol PLAINTEXT): ');
    expect(explained.message).toContain(expected);
    expect(explained.retriable).toBe(retriable);
    expect(explained.cause).toBe(error);
    expect(explained.brokers).toEqual(['kafka-1:9093']);
  });

  it('names the SASL mechanism and user of a refused login, and masks the password should the client echo it', () => {
    const security = { tls: true, sasl: { mechanism: 'SCRAM-SHA-512', username: 'orders', password: 'hunter2-xyz' } } as const;
    const error = kafkajsError('KafkaJSSASLAuthenticationError', 'SASL SCRAM SHA512 authentication failed: bad password hunter2-xyz');
    const explained = explainConnectFailure(Object.assign(error, {}), { ...context, security });
    expect(explained.message).toBe(
      'admin client cannot connect to Kafka at kafka-1:9093 (security.protocol SASL_SSL): SASL SCRAM-SHA-512 authentication as "orders" was refused; check sasl.username and sasl.password, and that the listener enables this sasl.mechanism and the user exists for it (SCRAM users are created per mechanism)',
    );
    expect(explained.retriable).toBe(false);
    const unknown = explainConnectFailure(kafkajsError('Error', 'odd failure mentioning hunter2-xyz'), { ...context, security });
    expect(unknown.message).toContain('odd failure mentioning ***');
  });
});

describe('explainKafkaFailure', () => {
  const refused = Object.assign(new Error('SASL PLAIN authentication failed: Authentication failed: Invalid username or password'), { name: 'KafkaJSSASLAuthenticationError' });
  const client = () => ({ brokers: ['kafka-1:9093'], security: { tls: true, sasl: { mechanism: 'PLAIN', username: 'cdc', password: 'pw-123' } } as const });

  it("explains a connector's own kafkajs connection or login failure with the brokers it used", () => {
    expect(explainKafkaFailure(refused, client, 'the CDC source').message).toBe(
      'the CDC source cannot connect to Kafka at kafka-1:9093 (security.protocol SASL_SSL): SASL PLAIN authentication as "cdc" was refused; check sasl.username and sasl.password, and that the listener enables this sasl.mechanism and the user exists for it (SCRAM users are created per mechanism)',
    );
  });

  it('leaves other errors, a connector error wrapping a kafkajs one, and an unreadable config as they are', () => {
    const other = new Error('relation does not exist');
    expect(explainKafkaFailure(other, client, 'the sink')).toBe(other);
    const wrapped = new TributaryError('giving up after 2 retries', { cause: refused });
    expect(explainKafkaFailure(wrapped, client, 'the sink')).toBe(wrapped);
    expect(explainKafkaFailure(refused, () => { throw new Error('bad config'); }, 'the sink')).toBe(refused);
  });
});
