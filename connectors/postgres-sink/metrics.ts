/**
 * Prometheus metrics of the Postgres sink (prom-client), read from `sink.stats()` at scrape time: nothing is
 * counted twice and the sink's hot path is untouched.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { PostgresSink, SinkStats } from './sink.js';

type CountedStat = Exclude<keyof SinkStats, 'lag'>;

const COUNTERS: readonly [CountedStat, string, string][] = [
  ['records', 'tributary_sink_records_total', 'Kafka records written (or skipped or dead-lettered) and committed by the sink'],
  ['rows', 'tributary_sink_rows_total', 'Table rows inserted, updated or deleted by the sink'],
  ['batches', 'tributary_sink_batches_total', 'PostgreSQL transactions committed by the sink'],
  ['skipped', 'tributary_sink_skipped_records_total', 'Records the sink skipped on purpose (e.g. tombstones with delete.enabled=false)'],
  ['deadLettered', 'tributary_sink_dead_lettered_records_total', 'Records the sink sent to the dead-letter topic'],
];

/**
 * Registers the sink's metrics, labelled `connector` (the sink's name), on `registry`.
 *
 * @example
 * const sink = createPostgresSink(config);
 * registerSinkMetrics(registry, sink, config.name);
 * await serveMetrics(registry, { port: 9464 });
 */
export function registerSinkMetrics(registry: Registry, sink: Pick<PostgresSink, 'stats'>, connector: string): void {
  const labels = { connector };
  for (const [stat, name, help] of COUNTERS) {
    new Counter({
      name,
      help,
      labelNames: ['connector'],
      registers: [registry],
      collect() {
        // The sink keeps the running total; a scrape copies it.
        this.reset();
        this.inc(labels, sink.stats()[stat]);
      },
    });
  }
  new Gauge({
    name: 'tributary_sink_lag',
    help: 'Records not yet read, summed over the partitions the sink has consumed',
    labelNames: ['connector'],
    registers: [registry],
    collect() {
      this.set(labels, sink.stats().lag);
    },
  });
}
