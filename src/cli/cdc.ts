/**
 * `tributary cdc --config <file>`: runs the PostgreSQL CDC source from a JSON file of Debezium-style keys until
 * SIGINT/SIGTERM, then shuts down gracefully (in-flight events acknowledged by Kafka and confirmed to the slot).
 *
 * @example
 * // cdc.json: {"topic.prefix":"dbserver1","database.url":"postgres://postgres@localhost/shop","kafka.bootstrap.servers":"localhost:9092"}
 * // $ tributary cdc --config cdc.json --metrics-port 9464
 */
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createPostgresCdcSource } from '../../connectors/postgres-cdc/index.js';
import { CdcConfigError } from '../../connectors/postgres-cdc/errors.js';
import { CDC_CONFIG_KEYS, CDC_IGNORED_KEY_PREFIXES, CDC_IGNORED_KEYS, parseCdcConfig, type RawConfig } from '../../connectors/postgres-cdc/config.js';
import { explainKafkaFailure } from '../kafka/connect-failure.js';
import { KAFKA_SECURITY_UNSUPPORTED_KEYS } from '../kafka/client-security.js';
import { createCliLogger } from './cli-logger.js';
import { readConfigFile, type ConfigFileSpec } from './config-file.js';
import { addLogLevelOption } from './log-level.js';
import { configSecrets, secretMasker } from './secrets.js';
import { addMetricsOptions, openMetricsEndpoint, type MetricsEndpointOptions } from './metrics-endpoint.js';

/** How `tributary cdc` reads its file: Debezium keys, flat or in a Kafka Connect definition. */
const FILE_SPEC: ConfigFileSpec = {
  known: CDC_CONFIG_KEYS,
  ignored: CDC_IGNORED_KEYS,
  ignoredPrefixes: CDC_IGNORED_KEY_PREFIXES,
  // Debezium would apply these; silently leaving them out would change the events a consumer expects.
  unsupported: {
    transforms: 'single message transforms are not supported',
    predicates: 'single message transforms (and their predicates) are not supported',
    ...KAFKA_SECURITY_UNSUPPORTED_KEYS,
  },
  connectWrapper: true,
  error: (message, { key, file, variable, cause }) =>
    new CdcConfigError(message, { key, ...(cause === undefined ? {} : { cause }), context: { file, ...(variable === undefined ? {} : { variable }) } }),
};

/**
 * Reads the config file of `tributary cdc`: Debezium PostgreSQL connector keys, as a flat JSON object or a Kafka
 * Connect definition (`{"name": ..., "config": {...}}`), with `${env:NAME}` replaced. An unknown key is an error
 * naming the nearest known one (a misspelt `table.include.list` would otherwise capture every table); the Connect
 * keys of {@link CDC_IGNORED_KEYS} are accepted and ignored.
 */
export async function readCdcConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Promise<RawConfig> {
  const raw = await readConfigFile(path, FILE_SPEC, env);
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new CdcConfigError(`${k}: expected a string, number or boolean`, { key: k });
    out[k] = v;
  }
  return out;
}

/** After SIGTERM/SIGINT the process ends within this time even if a connection does not close (Kafka or PostgreSQL gone). */
const STOP_DEADLINE_MS = 9_000;
/** After the source stopped, handles a dependency leaves open (retry timers, sockets) may delay the exit this long. */
const EXIT_GRACE_MS = 1_000;

/** Options of `tributary cdc` besides its config file. */
export interface CdcOptions extends MetricsEndpointOptions {
  /** One of `LOG_LEVELS`; default `info`. */
  readonly logLevel?: string;
}

/**
 * Runs the CDC source of a config file until SIGINT/SIGTERM or a fatal error (which rejects). Log lines and error
 * messages have the config's passwords masked.
 */
export async function runCdc(configPath: string, options: CdcOptions = {}): Promise<void> {
  const config = await readCdcConfigFile(configPath);
  await runCdcConfig(config, options, secretMasker(configSecrets(config)));
}

async function runCdcConfig(config: RawConfig, options: CdcOptions, mask: (text: string) => string): Promise<void> {
  const logger = createCliLogger({ name: 'tributary-cdc', ...(options.logLevel === undefined ? {} : { level: options.logLevel }), mask });
  const metrics = await openMetricsEndpoint(options, logger);
  try {
    await runSource(config, logger, metrics?.registry);
  } finally {
    await metrics?.server.close();
  }
}

async function runSource(config: RawConfig, logger: Logger, registry: Registry | undefined): Promise<void> {
  const source = createPostgresCdcSource(config, { logger, ...(registry === undefined ? {} : { metrics: registry }) });
  let signalled = false;
  const onSignal = (sig: string): void => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal: sig }, 'shutting down');
    // What is stored is stored: an offset is written only after Kafka acknowledged its events, so ending here at the
    // latest repeats some events on the next start and loses none.
    setTimeout(() => {
      logger.error({ signal: sig, afterMs: STOP_DEADLINE_MS }, 'did not stop in time, exiting (unacknowledged events are sent again on the next start)');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    void source.stop().catch(() => undefined);
  };
  const onSigint = (): void => onSignal('SIGINT');
  const onSigterm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    // start() resolves once streaming runs, or keeps retrying while PostgreSQL or Kafka are unreachable: a signal or a
    // fatal error ends `done` either way
    void source.start().catch(() => undefined);
    await source.done;
    if (source.failure) throw source.failure;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}

/** Adds `cdc --config <file>` to the tributary command. */
export function registerCdcCommand(program: Command): void {
  const command = program
    .command('cdc')
    .description('stream PostgreSQL changes into Kafka as Debezium-compatible change events')
    .requiredOption('-c, --config <file>', 'JSON file with Debezium-style connector keys (topic.prefix, database.*, slot.name, ...)');
  addMetricsOptions(addLogLevelOption(command)).action(async (opts: { config: string } & CdcOptions) => {
    let mask = (text: string): string => text;
    let explain = (err: unknown): Error => err as Error;
    try {
      const config = await readCdcConfigFile(opts.config);
      mask = secretMasker(configSecrets(config));
      // A refused login or an untrusted certificate is told with the brokers and what to check.
      explain = (err) => explainKafkaFailure(err, () => {
        const parsed = parseCdcConfig(config);
        return { brokers: parsed.kafkaBrokers, security: parsed.kafkaSecurity };
      }, 'the CDC source');
      await runCdcConfig(config, opts, mask);
    } catch (err) {
      process.stderr.write(mask(`tributary cdc: ${explain(err).message}\n`));
      process.exitCode = 1;
    }
    // the source is stopped and everything it stored is stored: a socket or timer a client library leaves behind
    // must not keep the process alive
    setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
  });
}
