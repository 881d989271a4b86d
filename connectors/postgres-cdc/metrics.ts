/**
 * Prometheus metrics of the CDC source (prom-client): confirmed position, slot lag read from the server at scrape
 * time, the slot's health as of the last check (wal_status, retained WAL, lag in time, safe WAL size), retries, and
 * counts of streamed changes and snapshot rows.
 *
 * @example
 * const metrics = new CdcMetrics(registry, { name: 'inventory', confirmedLsn: () => 0n, slotLagBytes: async () => null });
 * metrics.recordSlotHealth(health, 1200);
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { SlotHealth, WalStatus } from './slot-health.js';

export interface CdcMetricsSource {
  readonly name: string;
  confirmedLsn(): bigint;
  slotLagBytes(): Promise<bigint | null>;
}

const WAL_STATUSES: readonly WalStatus[] = ['reserved', 'extended', 'unreserved', 'lost'];

export class CdcMetrics {
  readonly changes: Counter<'connector'>;
  readonly snapshotRows: Counter<'connector'>;
  /** Retries of retriable errors (each restart of the source after backoff). */
  readonly retries: Counter<'connector'>;
  /** Slot health warnings logged, per kind (lag-bytes, lag-time, retained-wal, wal-unreserved). */
  readonly slotWarnings: Counter<'connector' | 'kind'>;
  private readonly retainedWal: Gauge<'connector'>;
  private readonly lagMs: Gauge<'connector'>;
  private readonly safeWal: Gauge<'connector'>;
  private readonly walStatus: Gauge<'connector' | 'status'>;
  private readonly labels: { connector: string };

  constructor(registry: Registry, source: CdcMetricsSource) {
    const labels = { connector: source.name };
    this.labels = labels;
    this.changes = new Counter({ name: 'tributary_cdc_changes_total', help: 'Row changes streamed from the replication slot', labelNames: ['connector'], registers: [registry] });
    this.snapshotRows = new Counter({ name: 'tributary_cdc_snapshot_rows_total', help: 'Rows read by snapshots', labelNames: ['connector'], registers: [registry] });
    this.retries = new Counter({ name: 'tributary_cdc_retries_total', help: 'Restarts of the source after a retriable error', labelNames: ['connector'], registers: [registry] });
    this.slotWarnings = new Counter({ name: 'tributary_cdc_slot_warnings_total', help: 'Slot health warnings past the configured thresholds', labelNames: ['connector', 'kind'], registers: [registry] });
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
    this.retainedWal = new Gauge({ name: 'tributary_cdc_slot_retained_wal_bytes', help: 'WAL bytes the slot keeps on the server (from restart_lsn), at the last slot check', labelNames: ['connector'], registers: [registry] });
    this.lagMs = new Gauge({ name: 'tributary_cdc_slot_lag_ms', help: 'How long the slot confirmed position has been behind the server, at the last slot check', labelNames: ['connector'], registers: [registry] });
    this.safeWal = new Gauge({ name: 'tributary_cdc_slot_safe_wal_bytes', help: 'WAL bytes that may be written before the slot risks invalidation (safe_wal_size; absent without max_slot_wal_keep_size)', labelNames: ['connector'], registers: [registry] });
    this.walStatus = new Gauge({ name: 'tributary_cdc_slot_wal_status', help: 'pg_replication_slots.wal_status at the last slot check: 1 for the current status', labelNames: ['connector', 'status'], registers: [registry] });
    this.changes.inc(labels, 0);
    this.snapshotRows.inc(labels, 0);
    this.retries.inc(labels, 0);
  }

  /** Sets the slot gauges from a health reading. */
  recordSlotHealth(h: SlotHealth, lagMs: number | null): void {
    this.retainedWal.set(this.labels, Number(h.retainedBytes));
    if (lagMs !== null) this.lagMs.set(this.labels, lagMs);
    if (h.safeWalBytes !== null) this.safeWal.set(this.labels, Number(h.safeWalBytes));
    for (const s of WAL_STATUSES) this.walStatus.set({ ...this.labels, status: s }, h.walStatus === s ? 1 : 0);
  }
}
