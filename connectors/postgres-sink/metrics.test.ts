import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerSinkMetrics } from './metrics.js';
import type { SinkStats } from './sink.js';

describe('registerSinkMetrics', () => {
  it('exposes the sink counters and lag as they are at scrape time', async () => {
    const registry = new Registry();
    let stats: SinkStats = { records: 10, rows: 9, batches: 2, skipped: 1, deadLettered: 0, lag: 5 };
    registerSinkMetrics(registry, { stats: () => stats }, 'orders-sink');
    const first = await registry.metrics();
    expect(first).toContain('tributary_sink_records_total{connector="orders-sink"} 10');
    expect(first).toContain('tributary_sink_lag{connector="orders-sink"} 5');
    stats = { records: 25, rows: 24, batches: 4, skipped: 1, deadLettered: 2, lag: 0 };
    const second = await registry.metrics();
    expect(second).toContain('tributary_sink_records_total{connector="orders-sink"} 25');
    expect(second).toContain('tributary_sink_rows_total{connector="orders-sink"} 24');
    expect(second).toContain('tributary_sink_batches_total{connector="orders-sink"} 4');
    expect(second).toContain('tributary_sink_dead_lettered_records_total{connector="orders-sink"} 2');
    expect(second).toContain('tributary_sink_lag{connector="orders-sink"} 0');
  });
});
