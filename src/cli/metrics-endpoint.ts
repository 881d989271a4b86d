import type { Command } from 'commander';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parseMetricsPort, serveMetrics, type MetricsServer } from '../metrics/http.js';

export interface MetricsEndpointOptions {
  readonly metricsPort?: number;
  readonly metricsHost?: string;
}

/** Adds `--metrics-port <port>` and `--metrics-host <host>` to a command. */
export function addMetricsOptions(command: Command): Command {
  return command
    .option('--metrics-port <port>', 'serve Prometheus metrics at http://<metrics-host>:<port>/metrics', parseMetricsPort)
    .option('--metrics-host <host>', 'interface of the metrics endpoint (default 127.0.0.1; 0.0.0.0 inside a container)');
}

/** A registry with the Node.js process metrics, served over HTTP; `undefined` without a port. */
export async function openMetricsEndpoint(options: MetricsEndpointOptions, logger: Logger): Promise<{ registry: Registry; server: MetricsServer } | undefined> {
  if (options.metricsPort === undefined) return undefined;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const server = await serveMetrics(registry, { port: options.metricsPort, ...(options.metricsHost === undefined ? {} : { host: options.metricsHost }) });
  logger.info({ url: server.url }, 'serving metrics');
  return { registry, server };
}
