/**
 * How Tributary's Kafka clients authenticate and encrypt: one options object, {@link KafkaSecurityOptions}, shared by
 * `KafkaStreams` (its `security` option), `tributary run`, `tributary cdc` and `tributary sink`. Config files write it
 * with the keys Kafka users know (`security.protocol`, `sasl.mechanism`, `ssl.ca.location`, ...; see
 * {@link KAFKA_SECURITY_CONFIG_KEYS}), read by {@link parseKafkaSecurityConfig}; {@link kafkajsSecurity} turns it into
 * kafkajs's `ssl` and `sasl` client settings.
 *
 * Messages name keys and files, never a password or a key's content.
 *
 * @example
 * const security = parseKafkaSecurityConfig({
 *   'security.protocol': 'SASL_SSL', 'sasl.mechanism': 'SCRAM-SHA-512',
 *   'sasl.username': 'app', 'sasl.password': process.env['KAFKA_PASSWORD'], 'ssl.ca.location': '/etc/kafka/ca.pem',
 * });
 * const app = new KafkaStreams(topology, { applicationId: 'orders', brokers: ['kafka-1:9093'], security });
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { ConfigError } from '../errors.js';

/** Kafka's `security.protocol`: whether the connection is TLS, and whether it authenticates with SASL. */
export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

/** The SASL mechanisms supported (Kafka's `sasl.mechanism` names). */
export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export const SASL_MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** PEM material: the PEM text itself, or a file holding it (read when the client is created). */
export type PemSource = string | Buffer | { readonly file: string };

/** TLS settings of the connection to the brokers. */
export interface KafkaTlsOptions {
  /** CA certificates to trust instead of the system's (Kafka's truststore); default: the system's trust store. */
  readonly ca?: PemSource;
  /** Client certificate (chain), for a listener with `ssl.client.auth`; needs `key`. */
  readonly cert?: PemSource;
  /** Private key of the client certificate. */
  readonly key?: PemSource;
  /** Passphrase of an encrypted `key`. */
  readonly keyPassword?: string;
  /**
   * Check that the broker's certificate names the host connected to (Kafka's
   * `ssl.endpoint.identification.algorithm=https`, its default). Default true.
   */
  readonly verifyHostname?: boolean;
}

export interface KafkaSaslOptions {
  readonly mechanism: SaslMechanism;
  readonly username: string;
  readonly password: string;
}

/**
 * How to reach a secured cluster. `tls` encrypts (`true`: trust the system's CAs, as Kafka's default truststore);
 * `sasl` authenticates. Both: SASL_SSL; `sasl` alone: SASL_PLAINTEXT (credentials in clear: only on a trusted network).
 *
 * @example
 * const security: KafkaSecurityOptions = {
 *   tls: { ca: { file: '/etc/kafka/ca.pem' } },
 *   sasl: { mechanism: 'SCRAM-SHA-256', username: 'app', password: process.env['KAFKA_PASSWORD'] ?? '' },
 * };
 */
export interface KafkaSecurityOptions {
  readonly tls?: KafkaTlsOptions | boolean;
  readonly sasl?: KafkaSaslOptions;
}

/**
 * The config-file keys of {@link parseKafkaSecurityConfig}: the Java client's `security.protocol`, `sasl.mechanism`,
 * `sasl.jaas.config`, `ssl.key.password` and `ssl.endpoint.identification.algorithm`, with librdkafka's PEM file keys
 * (`ssl.ca.location`, `ssl.certificate.location`, `ssl.key.location`) and its `sasl.username` / `sasl.password`.
 */
export const KAFKA_SECURITY_CONFIG_KEYS: readonly string[] = [
  'security.protocol', 'sasl.mechanism', 'sasl.username', 'sasl.password', 'sasl.jaas.config',
  'ssl.ca.location', 'ssl.certificate.location', 'ssl.key.location', 'ssl.key.password', 'ssl.endpoint.identification.algorithm',
];

/** Java client keys that are refused with what to write instead (for a config loader's `unsupported`). */
export const KAFKA_SECURITY_UNSUPPORTED_KEYS: Readonly<Record<string, string>> = {
  'ssl.truststore.location': 'Java trust stores are not read: export the CA certificates as PEM and set ssl.ca.location',
  'ssl.keystore.location': 'Java key stores are not read: set ssl.certificate.location and ssl.key.location (PEM files)',
};

/** Builds the error of a failed check; `key` is the config key at fault. Each caller raises its own class. */
export type SecurityConfigError = (message: string, key: string) => Error;

const defaultError: SecurityConfigError = (message, key) => new ConfigError(message, { context: { key } });

/**
 * Reads the security keys of a flat config (other keys are ignored) into {@link KafkaSecurityOptions}; undefined
 * for PLAINTEXT. `security.protocol` is required as soon as another security key is set, so a config that meant to
 * authenticate never silently connects in clear. SASL credentials come from `sasl.username`/`sasl.password` or from
 * a Java client's `sasl.jaas.config` (PlainLoginModule or ScramLoginModule with username and password).
 *
 * @example
 * parseKafkaSecurityConfig({ 'security.protocol': 'SSL', 'ssl.ca.location': 'ca.pem' });
 * // { tls: { ca: { file: 'ca.pem' }, verifyHostname: true } }
 */
export function parseKafkaSecurityConfig(raw: Readonly<Record<string, unknown>>, error: SecurityConfigError = defaultError): KafkaSecurityOptions | undefined {
  const text = (key: string): string | undefined => {
    const value = raw[key];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw error(`${key} must be a string`, key);
    return value;
  };
  const given = KAFKA_SECURITY_CONFIG_KEYS.filter((key) => text(key) !== undefined || (key === 'ssl.endpoint.identification.algorithm' && raw[key] === ''));
  const protocolText = text('security.protocol');
  if (protocolText === undefined) {
    if (given.length === 0) return undefined;
    throw error(`${given[0]} is set but security.protocol is not: set it to ${SECURITY_PROTOCOLS.filter((p) => p !== 'PLAINTEXT').join(', ')}`, 'security.protocol');
  }
  const protocol = protocolText.toUpperCase() as SecurityProtocol;
  if (!SECURITY_PROTOCOLS.includes(protocol)) throw error(`security.protocol: '${protocolText}' is not one of ${SECURITY_PROTOCOLS.join(', ')}`, 'security.protocol');
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  // A key the protocol would not use is a mistake in the config, not something to ignore.
  const stray = given.find((key) => (key.startsWith('ssl.') && !usesTls) || (key.startsWith('sasl.') && !usesSasl));
  if (stray !== undefined) throw error(`${stray} is set but security.protocol is ${protocol}, which does not use it`, stray);
  const security: { tls?: KafkaTlsOptions; sasl?: KafkaSaslOptions } = {};
  if (usesTls) security.tls = tlsFromConfig(text, raw, error);
  if (usesSasl) security.sasl = saslFromConfig(text, protocol, error);
  return security;
}

function tlsFromConfig(text: (key: string) => string | undefined, raw: Readonly<Record<string, unknown>>, error: SecurityConfigError): KafkaTlsOptions {
  const ca = text('ssl.ca.location');
  const cert = text('ssl.certificate.location');
  const key = text('ssl.key.location');
  const keyPassword = text('ssl.key.password');
  if ((cert === undefined) !== (key === undefined)) {
    const missing = cert === undefined ? 'ssl.certificate.location' : 'ssl.key.location';
    throw error(`${missing} is required with ${missing === 'ssl.key.location' ? 'ssl.certificate.location' : 'ssl.key.location'}: a client certificate needs its private key`, missing);
  }
  if (keyPassword !== undefined && key === undefined) throw error('ssl.key.password is set without ssl.key.location', 'ssl.key.password');
  const algorithm = raw['ssl.endpoint.identification.algorithm'];
  if (algorithm !== undefined && algorithm !== '' && String(algorithm).toLowerCase() !== 'https') {
    throw error(`ssl.endpoint.identification.algorithm: '${String(algorithm)}' is not https or empty (no host name check)`, 'ssl.endpoint.identification.algorithm');
  }
  return {
    ...(ca === undefined ? {} : { ca: { file: ca } }),
    ...(cert === undefined ? {} : { cert: { file: cert } }),
    ...(key === undefined ? {} : { key: { file: key } }),
    ...(keyPassword === undefined ? {} : { keyPassword }),
    verifyHostname: algorithm !== '',
  };
}

function saslFromConfig(text: (key: string) => string | undefined, protocol: SecurityProtocol, error: SecurityConfigError): KafkaSaslOptions {
  const mechanismText = text('sasl.mechanism');
  if (mechanismText === undefined) throw error(`sasl.mechanism is required with security.protocol ${protocol}: one of ${SASL_MECHANISMS.join(', ')}`, 'sasl.mechanism');
  const mechanism = mechanismText.toUpperCase() as SaslMechanism;
  if (!SASL_MECHANISMS.includes(mechanism)) throw error(`sasl.mechanism: '${mechanismText}' is not one of ${SASL_MECHANISMS.join(', ')}`, 'sasl.mechanism');
  const jaas = text('sasl.jaas.config');
  let username = text('sasl.username');
  let password = text('sasl.password');
  if (jaas !== undefined) {
    if (username !== undefined || password !== undefined) throw error('set the credentials either in sasl.jaas.config or in sasl.username and sasl.password, not both', 'sasl.jaas.config');
    ({ username, password } = jaasCredentials(jaas, mechanism, error));
  }
  if (username === undefined) throw error(`sasl.username is required with sasl.mechanism ${mechanism}`, 'sasl.username');
  if (password === undefined) throw error(`sasl.password is required with sasl.mechanism ${mechanism}`, 'sasl.password');
  return { mechanism, username, password };
}

/**
 * `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";` -> its credentials.
 * The messages never quote the value: it holds the password.
 */
function jaasCredentials(jaas: string, mechanism: SaslMechanism, error: SecurityConfigError): { username: string | undefined; password: string | undefined } {
  const module = /^\s*([\w.$]+)\s+required\b/.exec(jaas)?.[1];
  const expected = mechanism === 'PLAIN' ? 'PlainLoginModule' : 'ScramLoginModule';
  if (module === undefined || !module.endsWith(`.${expected}`)) {
    throw error(`sasl.jaas.config must use ${expected} ... required username="..." password="..."; for sasl.mechanism ${mechanism}`, 'sasl.jaas.config');
  }
  const option = (name: string): string | undefined => {
    const match = new RegExp(`\\b${name}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(jaas);
    return match?.[1]?.replace(/\\(.)/g, '$1');
  };
  return { username: option('username'), password: option('password') };
}

/** Kafka's name for how a client with these options connects. */
export function securityProtocol(security: KafkaSecurityOptions | undefined): SecurityProtocol {
  const tls = security?.tls !== undefined && security.tls !== false;
  if (security?.sasl !== undefined) return tls ? 'SASL_SSL' : 'SASL_PLAINTEXT';
  return tls ? 'SSL' : 'PLAINTEXT';
}

/** kafkajs's SASL mechanism names. */
const KAFKAJS_MECHANISMS: Readonly<Record<SaslMechanism, 'plain' | 'scram-sha-256' | 'scram-sha-512'>> = {
  PLAIN: 'plain',
  'SCRAM-SHA-256': 'scram-sha-256',
  'SCRAM-SHA-512': 'scram-sha-512',
};

/** The kafkajs client settings for {@link KafkaSecurityOptions}: what `new Kafka({...})` takes as `ssl` and `sasl`. */
export interface KafkajsSecuritySettings {
  readonly ssl?: boolean | ConnectionOptions;
  readonly sasl?: SASLOptions;
}

/**
 * kafkajs's `ssl` and `sasl` settings for `security`, PEM files read now (so a missing or unreadable file fails at
 * start, naming the option and the path). Spread into the kafkajs client config.
 *
 * @example
 * new Kafka({ clientId: 'app', brokers, ...kafkajsSecurity({ tls: true, sasl: { mechanism: 'PLAIN', username, password } }) });
 */
export function kafkajsSecurity(security: KafkaSecurityOptions | undefined, error: SecurityConfigError = defaultError): KafkajsSecuritySettings {
  if (security === undefined) return {};
  const out: { ssl?: boolean | ConnectionOptions; sasl?: SASLOptions } = {};
  if (security.tls === true) out.ssl = true;
  else if (security.tls !== undefined && security.tls !== false) out.ssl = tlsConnectionOptions(security.tls, error);
  if (security.sasl !== undefined) {
    const { mechanism, username, password } = security.sasl;
    const kafkajsMechanism = KAFKAJS_MECHANISMS[mechanism];
    if (kafkajsMechanism === undefined) throw error(`sasl.mechanism: '${String(mechanism)}' is not one of ${SASL_MECHANISMS.join(', ')}`, 'sasl.mechanism');
    if (typeof username !== 'string' || username === '') throw error('sasl.username must be a non-empty string', 'sasl.username');
    if (typeof password !== 'string') throw error('sasl.password must be a string', 'sasl.password');
    out.sasl = { mechanism: kafkajsMechanism, username, password } as SASLOptions;
  }
  return out;
}

function tlsConnectionOptions(tls: KafkaTlsOptions, error: SecurityConfigError): ConnectionOptions {
  const options: ConnectionOptions = {};
  if (tls.ca !== undefined) options.ca = [pem(tls.ca, 'ssl.ca.location', error)];
  if ((tls.cert === undefined) !== (tls.key === undefined)) throw error('a client certificate needs both cert and key', tls.cert === undefined ? 'ssl.certificate.location' : 'ssl.key.location');
  if (tls.cert !== undefined) options.cert = pem(tls.cert, 'ssl.certificate.location', error);
  if (tls.key !== undefined) options.key = pem(tls.key, 'ssl.key.location', error);
  if (tls.keyPassword !== undefined) options.passphrase = tls.keyPassword;
  // Kafka's ssl.endpoint.identification.algorithm="": the chain is still verified, only the host name is not.
  if (tls.verifyHostname === false) options.checkServerIdentity = () => undefined;
  return options;
}

/** PEM text of a source; a string that is not PEM is refused, as it is likely a path meant as `{ file }`. */
function pem(source: PemSource, key: string, error: SecurityConfigError): string {
  let text: string;
  if (typeof source === 'string' || Buffer.isBuffer(source)) {
    text = source.toString();
    if (!text.includes('-----BEGIN ')) throw error(`${key}: expected PEM text (-----BEGIN ...) or { file: path }`, key);
    return text;
  }
  try {
    text = readFileSync(source.file, 'utf8');
  } catch (cause) {
    throw error(`${key}: cannot read ${source.file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`, key);
  }
  if (!text.includes('-----BEGIN ')) throw error(`${key}: ${source.file} holds no PEM block (-----BEGIN ...); DER or Java stores must be converted to PEM`, key);
  return text;
}
