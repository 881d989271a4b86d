import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { pino } from 'pino';
import { createPostgresSink, parseSinkConfig, registerSinkMetrics, SinkConfigError, type SinkConfig, type SinkConfigInput } from '../../connectors/postgres-sink/index.js';
import { addMetricsOptions, openMetricsEndpoint, type MetricsEndpointOptions } from './metrics-endpoint.js';

const ENV_REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Reads a sink configuration file: a flat JSON object of sink keys, or a Kafka Connect connector definition
 * (`{"name": ..., "config": {...}}`). `${env:NAME}` in a string value is replaced by that environment
 * variable, as Kafka Connect's EnvVarConfigProvider does, so secrets stay out of the file.
 */
export function readSinkConfigText(text: string, env: NodeJS.ProcessEnv = process.env): SinkConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new SinkConfigError(`not JSON: ${(e as Error).message}`, { key: '(file)' });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SinkConfigError('expected a JSON object', { key: '(file)' });
  let flat = parsed as Record<string, unknown>;
  if (typeof flat['config'] === 'object' && flat['config'] !== null) {
    flat = { ...(flat['config'] as Record<string, unknown>), ...(typeof flat['name'] === 'string' ? { name: flat['name'] } : {}) };
  }
  const input: Record<string, string | number | boolean | string[]> = {};
  for (const [key, value] of Object.entries(flat)) {
    if (typeof value === 'string') {
      input[key] = value.replace(ENV_REFERENCE, (_m, name: string) => {
        const v = env[name];
        if (v === undefined) throw new SinkConfigError(`environment variable ${name} is not set`, { key });
        return v;
      });
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      input[key] = value;
    } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
      input[key] = value as string[];
    } else {
      throw new SinkConfigError('values must be strings, numbers, booleans or lists of strings', { key });
    }
  }
  return parseSinkConfig(input as SinkConfigInput);
}

/** Adds `tributary sink --config <file>` to the program. */
export function registerSinkCommand(program: Command): void {
  const command = program
    .command('sink')
    .description('run the Postgres sink: Kafka topics (Debezium change events or KTable changelogs) -> PostgreSQL tables')
    .requiredOption('-c, --config <file>', 'JSON file with the sink configuration (Debezium JDBC sink keys)')
    .option('--log-level <level>', 'pino log level', 'info');
  addMetricsOptions(command).action(async (opts: { config: string; logLevel: string } & MetricsEndpointOptions) => {
    const logger = pino({ name: 'tributary-sink', level: opts.logLevel });
    const config = readSinkConfigText(await readFile(opts.config, 'utf8'));
    const metrics = await openMetricsEndpoint(opts, logger);
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
      await metrics?.server.close();
    }
  });
}
