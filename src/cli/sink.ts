/**
 * `tributary sink --config <file>`: runs the Postgres sink from a JSON file of Debezium JDBC sink keys until
 * SIGINT/SIGTERM.
 *
 * @example
 * // sink.json: {"connection.url":"postgres://app@localhost/shop","connection.password":"${env:PG_PASSWORD}",
 * //             "bootstrap.servers":"localhost:9092","topics":"dbserver1.public.orders","insert.mode":"upsert","primary.key.mode":"record_key"}
 * // $ PG_PASSWORD=... tributary sink --config sink.json --log-level debug
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createPostgresSink, parseSinkConfig, registerSinkMetrics, SinkConfigError, type SinkConfig, type SinkConfigInput } from '../../connectors/postgres-sink/index.js';
import { SINK_CONFIG_KEYS, SINK_IGNORED_KEYS, SINK_UNSUPPORTED_KEYS } from '../../connectors/postgres-sink/config.js';
import { explainKafkaFailure } from '../kafka/connect-failure.js';
import { createCliLogger } from './cli-logger.js';
import { parseConfigText, type ConfigFileSpec } from './config-file.js';
import { addLogLevelOption } from './log-level.js';
import { addMetricsOptions, openMetricsEndpoint, type MetricsEndpointOptions } from './metrics-endpoint.js';
import { configSecrets, secretMasker } from './secrets.js';

/** How `tributary sink` reads its file: JDBC sink keys, flat or in a Kafka Connect definition. */
const FILE_SPEC: ConfigFileSpec = {
  known: SINK_CONFIG_KEYS,
  ignored: SINK_IGNORED_KEYS,
  unsupported: SINK_UNSUPPORTED_KEYS,
  connectWrapper: true,
  error: (message, { key, file, variable, cause }) =>
    new SinkConfigError(message, { key, ...(cause === undefined ? {} : { cause }), context: { file, ...(variable === undefined ? {} : { variable }) } }),
};

/**
 * Reads a sink configuration file's text: a flat JSON object of sink keys, or a Kafka Connect connector definition
 * (`{"name": ..., "config": {...}}`). `${env:NAME}` in a string value is replaced by that environment variable, as
 * Kafka Connect's EnvVarConfigProvider does, so secrets stay out of the file. An unknown key is an error naming the
 * nearest known one. `file` names the file in messages.
 */
export function readSinkConfigText(text: string, env: NodeJS.ProcessEnv = process.env, file = '(text)'): SinkConfig {
  return parseSinkConfig(sinkConfigInput(text, env, file));
}

function sinkConfigInput(text: string, env: NodeJS.ProcessEnv, file: string): SinkConfigInput {
  const input: Record<string, string | number | boolean | string[]> = {};
  for (const [key, value] of Object.entries(parseConfigText(text, file, FILE_SPEC, env))) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') input[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) input[key] = value as string[];
    else throw new SinkConfigError('values must be strings, numbers, booleans or lists of strings', { key });
  }
  return input;
}

/** Options of `tributary sink` besides its config file. */
export interface SinkOptions extends MetricsEndpointOptions {
  /** One of `LOG_LEVELS`; default `info`. */
  readonly logLevel?: string;
}

/** Runs the sink of a config file until SIGINT/SIGTERM or a fatal error (which rejects). */
async function runSink(
  configPath: string,
  options: SinkOptions,
  setMask: (mask: (text: string) => string) => void,
  setExplain: (explain: (err: unknown) => Error) => void,
): Promise<void> {
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch (cause) {
    throw new SinkConfigError(`cannot read config file ${configPath}: ${(cause as Error).message}`, { key: '--config', cause });
  }
  const input = sinkConfigInput(text, process.env, configPath);
  // From here on every message may come from a driver echoing the connection: mask the passwords of the file.
  const mask = secretMasker(configSecrets(input));
  setMask(mask);
  const config = parseSinkConfig(input);
  setExplain((err) => explainKafkaFailure(err, () => ({ brokers: config.kafka.brokers, security: config.kafka.security }), 'the sink'));
  const logger = createCliLogger({ name: 'tributary-sink', ...(options.logLevel === undefined ? {} : { level: options.logLevel }), mask });
  const metrics = await openMetricsEndpoint(options, logger);
  const sink = createPostgresSink(config, { logger });
  if (metrics !== undefined) registerSinkMetrics(metrics.registry, sink, config.name);
  const stop = (signal: string) => {
    logger.info({ signal }, 'stopping');
    void sink.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await sink.start();
    await sink.done;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await metrics?.server.close();
  }
}

/** Adds `tributary sink --config <file>` to the program. */
export function registerSinkCommand(program: Command): void {
  const command = program
    .command('sink')
    .description('run the Postgres sink: Kafka topics (Debezium change events or KTable changelogs) -> PostgreSQL tables')
    .requiredOption('-c, --config <file>', 'JSON file with the sink configuration (Debezium JDBC sink keys)');
  addMetricsOptions(addLogLevelOption(command)).action(async (opts: { config: string } & SinkOptions) => {
    let mask = (text: string): string => text;
    // A refused login or an untrusted certificate is told with the brokers and what to check.
    let explain = (err: unknown): Error => err as Error;
    try {
      await runSink(opts.config, opts, (m) => (mask = m), (e) => (explain = e));
    } catch (err) {
      process.stderr.write(mask(`tributary sink: ${explain(err).message}\n`));
      process.exitCode = 1;
    }
  });
}
