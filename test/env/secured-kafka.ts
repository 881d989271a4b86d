// A broker of a test's own whose client listener is SASL_SSL: TLS with a certificate of the test's CA, client
// certificates required (signed by the same CA), SASL PLAIN and SCRAM-SHA-256/512 for the given users. Import from test files as
//   import { startSecuredKafka } from '../env/secured-kafka.js';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { Kafka, logLevel } from 'kafkajs';
import { kafkajsSecurity, type KafkaSecurityOptions, type KafkaTlsOptions, type SaslMechanism } from '../../src/kafka/client-security.js';
import { startKafka, type KafkaService } from '../../src/testing/index.js';
import type { TestCertificates } from './test-certificates.js';

/** Java properties read `\n` in a value as a newline: PEM text fits on the one line a KAFKA_* variable becomes. */
const oneLine = (pem: string): string => pem.trim().replace(/\n/g, '\\n');
const quoted = (text: string): string => text.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** The broker settings of a SASL_SSL client listener (named SASL_SSL) for `users` (name -> password). */
export function securedBrokerEnvironment(certificates: TestCertificates, users: Readonly<Record<string, string>>): Record<string, string> {
  const plainUsers = Object.entries(users).map(([name, password]) => `user_${name}="${quoted(password)}"`).join(' ');
  return {
    KAFKA_SASL_ENABLED_MECHANISMS: 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    KAFKA_LISTENER_NAME_SASL__SSL_PLAIN_SASL_JAAS_CONFIG: `org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
    KAFKA_LISTENER_NAME_SASL__SSL_SCRAM___SHA___256_SASL_JAAS_CONFIG: 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    KAFKA_LISTENER_NAME_SASL__SSL_SCRAM___SHA___512_SASL_JAAS_CONFIG: 'org.apache.kafka.common.security.scram.ScramLoginModule required;',
    KAFKA_SSL_KEYSTORE_TYPE: 'PEM',
    KAFKA_SSL_KEYSTORE_CERTIFICATE_CHAIN: oneLine(certificates.serverCertPem),
    KAFKA_SSL_KEYSTORE_KEY: oneLine(certificates.serverKeyPem),
    KAFKA_SSL_TRUSTSTORE_TYPE: 'PEM',
    KAFKA_SSL_TRUSTSTORE_CERTIFICATES: oneLine(certificates.caPem),
    // Required, so that a client's certificate options are proven by every successful connection. A SASL_SSL
    // listener ignores ssl.client.auth unless it is set for the listener by name (KIP-684).
    KAFKA_LISTENER_NAME_SASL__SSL_SSL_CLIENT_AUTH: 'required',
  };
}

/**
 * Starts the broker (`brokers` are `localhost:<port>`, in the certificate) and gives every user SCRAM-SHA-256 and
 * SCRAM-SHA-512 credentials with the same password, so each user can log in with all three mechanisms.
 */
export async function startSecuredKafka(certificates: TestCertificates, users: Readonly<Record<string, string>>): Promise<KafkaService> {
  const [admin, password] = Object.entries(users)[0]!;
  const security: KafkaSecurityOptions = { tls: clientTls(certificates), sasl: { mechanism: 'PLAIN', username: admin, password } };
  const service = await startKafka({
    env: { TRIBUTARY_KAFKA_IMAGE: process.env['TRIBUTARY_KAFKA_IMAGE'] },
    clientProtocol: 'SASL_SSL',
    clientSecurity: security,
    brokerEnvironment: securedBrokerEnvironment(certificates, users),
  });
  try {
    const [host, port] = service.brokers[0]!.split(':') as [string, string];
    await addScramUsers(host, Number(port), certificates, admin, password, users);
    for (const [name, pw] of Object.entries(users)) {
      for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) await awaitLogin(service.brokers, { tls: clientTls(certificates), sasl: { mechanism, username: name, password: pw } });
    }
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}

/** TLS settings of a client the broker accepts: the test CA, and a client certificate signed by it. */
export function clientTls(certificates: TestCertificates): KafkaTlsOptions {
  return { ca: { file: certificates.caFile }, cert: { file: certificates.clientCertFile }, key: { file: certificates.clientKeyFile } };
}

/** A credential reaches the broker's cache shortly after the controller accepted it: log in until it works. */
async function awaitLogin(brokers: string[], security: KafkaSecurityOptions): Promise<void> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 40; attempt++) {
    const admin = new Kafka({ clientId: 'tributary-testing', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 }, ...kafkajsSecurity(security) }).admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
  throw new Error(`SCRAM login of ${security.sasl?.username} (${security.sasl?.mechanism}) never succeeded: ${String(lastError)}`);
}

const SCRAM_ITERATIONS = 4096;
const SCRAM_TYPES: Readonly<Record<Exclude<SaslMechanism, 'PLAIN'>, { id: number; hash: string; bytes: number }>> = {
  'SCRAM-SHA-256': { id: 1, hash: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { id: 2, hash: 'sha512', bytes: 64 },
};

/**
 * AlterUserScramCredentials (API 51, v0) over the SASL_SSL listener, logged in with PLAIN: kafkajs has no such
 * call, and the local image has no kafka-configs tool. The salted password is SCRAM's Hi() (PBKDF2), as Kafka stores it.
 */
async function addScramUsers(host: string, port: number, certificates: TestCertificates, admin: string, password: string, users: Readonly<Record<string, string>>): Promise<void> {
  const socket = tlsConnect({ host, port, servername: host, ca: certificates.caPem, cert: readFileSync(certificates.clientCertFile), key: readFileSync(certificates.clientKeyFile) });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  const client = new RawClient(socket);
  try {
    const handshake = await client.request(17, 1, false, string16('PLAIN'));
    if (handshake.readInt16BE(0) !== 0) throw new Error(`SaslHandshake failed with error code ${handshake.readInt16BE(0)}`);
    const authBytes = Buffer.from(`\u0000${admin}\u0000${password}`);
    const auth = await client.request(36, 1, false, Buffer.concat([int32(authBytes.length), authBytes]));
    if (auth.readInt16BE(0) !== 0) throw new Error(`SaslAuthenticate failed with error code ${auth.readInt16BE(0)}`);
    const upsertions: Buffer[] = [];
    for (const [name, pw] of Object.entries(users)) {
      for (const type of Object.values(SCRAM_TYPES)) {
        const salt = randomBytes(24);
        const salted = pbkdf2Sync(pw, salt, SCRAM_ITERATIONS, type.bytes, type.hash);
        upsertions.push(Buffer.concat([compactBytes(Buffer.from(name)), Buffer.from([type.id]), int32(SCRAM_ITERATIONS), compactBytes(salt), compactBytes(salted), Buffer.from([0])]));
      }
    }
    // One credential per request: the broker refuses two changes of one user in the same request.
    for (const upsertion of upsertions) {
      const response = await client.request(51, 0, true, Buffer.concat([uvarint(1), uvarint(2), upsertion, Buffer.from([0])]));
      checkScramResponse(response);
    }
  } finally {
    socket.destroy();
  }
}

/** Throws on an error in an AlterUserScramCredentials response: throttle_time_ms, then (user, error_code, error_message, tags)*. */
function checkScramResponse(response: Buffer): void {
  let offset = 4;
  const [count, countSize] = readUvarint(response, offset);
  offset += countSize;
  for (let i = 0; i < count - 1; i++) {
    const [nameLength, nameSize] = readUvarint(response, offset);
    const user = response.subarray(offset + nameSize, offset + nameSize + nameLength - 1).toString();
    offset += nameSize + nameLength - 1;
    const code = response.readInt16BE(offset);
    offset += 2;
    const [messageLength, messageSize] = readUvarint(response, offset);
    const message = messageLength === 0 ? '' : response.subarray(offset + messageSize, offset + messageSize + messageLength - 1).toString();
    offset += messageSize + Math.max(0, messageLength - 1) + 1;
    if (code !== 0) throw new Error(`AlterUserScramCredentials for ${user} failed with error code ${code}: ${message}`);
  }
}

/** One request at a time over a socket: size-prefixed frames, header v1 (v2 for flexible requests). */
class RawClient {
  #buffer = Buffer.alloc(0);
  #waiting: ((frame: Buffer) => void) | undefined;
  #correlation = 0;

  constructor(private readonly socket: TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      if (this.#buffer.length < 4) return;
      const size = this.#buffer.readInt32BE(0);
      if (this.#buffer.length < 4 + size) return;
      const frame = this.#buffer.subarray(4, 4 + size);
      this.#buffer = this.#buffer.subarray(4 + size);
      this.#waiting?.(frame);
    });
  }

  /** The response body, after the correlation id (and the header's tagged fields for a flexible request). */
  async request(apiKey: number, version: number, flexible: boolean, body: Buffer): Promise<Buffer> {
    const correlation = ++this.#correlation;
    const header = Buffer.concat([int16(apiKey), int16(version), int32(correlation), string16('tributary-testing'), flexible ? Buffer.from([0]) : Buffer.alloc(0)]);
    const frame = await new Promise<Buffer>((resolve, reject) => {
      this.#waiting = resolve;
      this.socket.once('error', reject);
      this.socket.write(Buffer.concat([int32(header.length + body.length), header, body]));
    });
    if (frame.readInt32BE(0) !== correlation) throw new Error('unexpected correlation id');
    return frame.subarray(flexible ? 5 : 4);
  }
}

function int16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(value);
  return b;
}

function int32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}

function string16(text: string): Buffer {
  const bytes = Buffer.from(text);
  return Buffer.concat([int16(bytes.length), bytes]);
}

function uvarint(value: number): Buffer {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return Buffer.from(out);
}

function readUvarint(buffer: Buffer, offset: number): [value: number, size: number] {
  let value = 0;
  let shift = 0;
  let size = 0;
  for (;;) {
    const byte = buffer[offset + size]!;
    value |= (byte & 0x7f) << shift;
    size++;
    if ((byte & 0x80) === 0) return [value, size];
    shift += 7;
  }
}

function compactBytes(bytes: Buffer): Buffer {
  return Buffer.concat([uvarint(bytes.length + 1), bytes]);
}
