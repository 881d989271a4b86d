/**
 * `tributary run <module>`: runs the topology a user's module default-exports on Kafka until SIGINT/SIGTERM,
 * then closes it gracefully (final commit, group left, clients closed).
 *
 * @example
 * // $ TRIBUTARY_BROKERS=localhost:9092 tributary run dist/word-count.js --config app.json --metrics-port 9464
 * // app.json: {"applicationId": "word-count", "guarantee": "exactly_once"}
 */
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { StreamsError } from '../errors.js';
import type { StreamsState } from '../runtime/kafka-streams.js';
import { addMetricsOptions, openMetricsEndpoint, type MetricsEndpointOptions } from './metrics-endpoint.js';
import { addLogLevelOption } from './log-level.js';
import { loadRunConfig, RUN_CONFIG_VARIABLES } from './run-config.js';
import { loadTopologyModule } from './topology-module.js';
import { secretMasker } from './secrets.js';

export interface RunOptions extends MetricsEndpointOptions {
  readonly config?: string;
  readonly logLevel?: string;
}

/**
 * Runs the module's topology until a signal stops it (resolves) or the instance fails (rejects with the error
 * that moved it to ERROR). The runtime is imported here, not at the top, so `tributary --help` stays fast.
 */
export async function runTopologyModule(modulePath: string, options: RunOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const topology = await loadTopologyModule(modulePath);
  const config = await loadRunConfig(options.config, env);
  const [{ createCliLogger }, { KafkaStreams }, { prometheusMetrics }] = await Promise.all([
    import('./cli-logger.js'),
    import('../runtime/kafka-streams.js'),
    import('../metrics/prometheus.js'),
  ]);
  // Second line of defence: kafkajs puts no credential into its log entries, and none may reach a log line.
  const mask = secretMasker([config.security?.sasl?.password, typeof config.security?.tls === 'object' ? config.security.tls.keyPassword : undefined].filter((s): s is string => s !== undefined));
  const logger: Logger = createCliLogger({ name: 'tributary-run', ...(options.logLevel === undefined ? {} : { level: options.logLevel }), mask });
  const endpoint = await openMetricsEndpoint(options, logger);
  const app = new KafkaStreams(topology, {
    ...config,
    logger,
    ...(endpoint === undefined ? {} : { metrics: prometheusMetrics({ registry: endpoint.registry }) }),
  });
  const stopped = new Promise<StreamsState>((resolve) => {
    app.on('state', (state) => {
      if (state === 'NOT_RUNNING' || state === 'ERROR') resolve(state);
    });
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      // A second signal means the operator does not want to wait for the final commit.
      logger.warn({ signal }, 'second signal: exiting without waiting for the shutdown to finish');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    logger.info({ signal }, 'shutting down: final commit, leaving the group');
    void app.close({ timeoutMs: SHUTDOWN_TIMEOUT_MS }).then(
      (done) => {
        if (done) return;
        // Kafka is unreachable: what was not committed is processed again by the next owner.
        logger.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown did not finish in time; exiting without the final commit');
        process.exit(1);
      },
      (error: unknown) => logger.error({ err: error }, 'shutdown failed'),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await app.start();
    const state = await stopped;
    if (state === 'ERROR') throw app.error ?? new StreamsError('the application stopped in state ERROR');
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await endpoint?.server.close();
  }
}

/** How long a signalled shutdown may take before the process exits without it (under a supervisor's usual 10 s). */
const SHUTDOWN_TIMEOUT_MS = 8_000;

/** Adds `run <module>` to the tributary command. */
export function registerRunCommand(program: Command): void {
  const variables = Object.entries(RUN_CONFIG_VARIABLES).map(([key, variable]) => `${variable} (${key})`).join(', ');
  const command = program
    .command('run')
    .description('run a topology module on Kafka until SIGINT/SIGTERM (its default export: a topology, or a function returning one)')
    .argument('<module>', 'JavaScript module whose default export is the topology or a function returning it')
    .option('-c, --config <file>', 'JSON file with applicationId, brokers, guarantee, commitIntervalMs, instanceId, ..., and security.protocol, sasl.*, ssl.* for a secured cluster')
    .addHelpText('after', `\nThe environment overrides the file: ${variables}.`);
  addMetricsOptions(addLogLevelOption(command)).action(async (modulePath: string, options: RunOptions) => {
    await runTopologyModule(modulePath, options);
  });
}
