/**
 * `tributary cdc --config <file>`: runs the PostgreSQL CDC source from a JSON file of Debezium-style keys until
 * SIGINT/SIGTERM, then shuts down gracefully (in-flight events acknowledged by Kafka and confirmed to the slot).
 *
 * @example
 * // cdc.json: {"topic.prefix":"dbserver1","database.url":"postgres://postgres@localhost/shop","kafka.bootstrap.servers":"localhost:9092"}
 * // $ tributary cdc --config cdc.json --metrics-port 9464
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createPostgresCdcSource } from '../../connectors/postgres-cdc/index.js';
import { CdcConfigError } from '../../connectors/postgres-cdc/errors.js';
import type { RawConfig } from '../../connectors/postgres-cdc/config.js';
import { addMetricsOptions, openMetricsEndpoint, type MetricsEndpointOptions } from './metrics-endpoint.js';

export async function readCdcConfigFile(path: string): Promise<RawConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CdcConfigError(`cannot read config file ${path}: ${(err as Error).message}`, '--config', { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CdcConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`, '--config', { cause: err });
  }
  // Kafka Connect's REST form {"name": ..., "config": {...}} is accepted too.
  const obj = (parsed && typeof parsed === 'object' && 'config' in parsed ? { name: (parsed as { name?: string }).name, ...(parsed as { config: object }).config } : parsed) as Record<string, unknown>;
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new CdcConfigError(`config file ${path} must hold a JSON object`, '--config');
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new CdcConfigError(`${k}: expected a string, number or boolean`, k);
    out[k] = v;
  }
  return out;
}

export async function runCdc(configPath: string, options: MetricsEndpointOptions = {}): Promise<void> {
  const logger = pino({ name: 'tributary-cdc' });
  const config = await readCdcConfigFile(configPath);
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
    void source.stop().catch(() => undefined);
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  let failure: Error | null = null;
  source.on('error', (err) => (failure = err));
  await source.start();
  await source.done;
  if (failure) throw failure;
}

/** Adds `cdc --config <file>` to the tributary command. */
export function registerCdcCommand(program: Command): void {
  const command = program
    .command('cdc')
    .description('stream PostgreSQL changes into Kafka as Debezium-compatible change events')
    .requiredOption('-c, --config <file>', 'JSON file with Debezium-style connector keys (topic.prefix, database.*, slot.name, ...)');
  addMetricsOptions(command).action(async (opts: { config: string } & MetricsEndpointOptions) => {
    try {
      await runCdc(opts.config, opts);
    } catch (err) {
      process.stderr.write(`tributary cdc: ${(err as Error).message}\n`);
      process.exitCode = 1;
    }
  });
}
