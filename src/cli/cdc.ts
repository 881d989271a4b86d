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
import { configSecrets, maskingStream, secretMasker } from './secrets.js';
import { addMetricsOptions, openMetricsEndpoint, type MetricsEndpointOptions } from './metrics-endpoint.js';

export async function readCdcConfigFile(path: string): Promise<RawConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CdcConfigError(`cannot read config file ${path}: ${(err as Error).message}`, { key: '--config', cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    // JSON.parse quotes the text around the mistake, and the file holds passwords: say only where it is
    const where = /position \d+(?: \(line \d+ column \d+\))?/.exec((err as Error).message)?.[0];
    throw new CdcConfigError(`config file ${path} is not valid JSON${where ? ` (at ${where})` : ''}`, { key: '--config' });
  }
  // Kafka Connect's REST form {"name": ..., "config": {...}} is accepted too.
  const obj = (parsed && typeof parsed === 'object' && 'config' in parsed ? { name: (parsed as { name?: string }).name, ...(parsed as { config: object }).config } : parsed) as Record<string, unknown>;
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new CdcConfigError(`config file ${path} must hold a JSON object`, { key: '--config' });
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(obj)) {
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

/**
 * Runs the CDC source of a config file until SIGINT/SIGTERM or a fatal error (which rejects). Log lines and error
 * messages have the config's passwords masked.
 */
export async function runCdc(configPath: string, options: MetricsEndpointOptions = {}): Promise<void> {
  const config = await readCdcConfigFile(configPath);
  await runCdcConfig(config, options, secretMasker(configSecrets(config)));
}

async function runCdcConfig(config: RawConfig, options: MetricsEndpointOptions, mask: (text: string) => string): Promise<void> {
  const logger = pino({ name: 'tributary-cdc' }, maskingStream(mask));
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
  addMetricsOptions(command).action(async (opts: { config: string } & MetricsEndpointOptions) => {
    let mask = (text: string): string => text;
    try {
      const config = await readCdcConfigFile(opts.config);
      mask = secretMasker(configSecrets(config));
      await runCdcConfig(config, opts, mask);
    } catch (err) {
      process.stderr.write(mask(`tributary cdc: ${(err as Error).message}\n`));
      process.exitCode = 1;
    }
    // the source is stopped and everything it stored is stored: a socket or timer a client library leaves behind
    // must not keep the process alive
    setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
  });
}
