/**
 * Prometheus metrics of the CDC source (prom-client): confirmed position, slot lag read from the server at scrape
 * time, and counts of streamed changes and snapshot rows.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface CdcMetricsSource {
  readonly name: string;
  confirmedLsn(): bigint;
  slotLagBytes(): Promise<bigint | null>;
}

export class CdcMetrics {
  readonly changes: Counter<'connector'>;
  readonly snapshotRows: Counter<'connector'>;

  constructor(registry: Registry, source: CdcMetricsSource) {
    const labels = { connector: source.name };
    this.changes = new Counter({ name: 'tributary_cdc_changes_total', help: 'Row changes streamed from the replication slot', labelNames: ['connector'], registers: [registry] });
    this.snapshotRows = new Counter({ name: 'tributary_cdc_snapshot_rows_total', help: 'Rows read by snapshots', labelNames: ['connector'], registers: [registry] });
    new Gauge({
      name: 'tributary_cdc_confirmed_lsn',
      help: 'LSN confirmed to the replication slot (every event before it is acknowledged by Kafka)',
      labelNames: ['connector'],
      registers: [registry],
      collect() {
        this.set(labels, Number(source.confirmedLsn()));
      },
    });
    new Gauge({
      name: 'tributary_cdc_slot_lag_bytes',
      help: 'WAL bytes between the server position and the slot confirmed flush position',
      labelNames: ['connector'],
      registers: [registry],
      async collect() {
        const lag = await source.slotLagBytes().catch(() => null);
        if (lag !== null) this.set(labels, Number(lag));
      },
    });
    this.changes.inc(labels, 0);
    this.snapshotRows.inc(labels, 0);
  }
}
