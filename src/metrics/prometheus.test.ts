import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { prometheusMetrics } from './prometheus.js';

/** The value of one sample line of the text exposition, e.g. `name{a="1"}`. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

describe('prometheusMetrics', () => {
  it('turns the runtime hooks into labelled series', async () => {
    const metrics = prometheusMetrics();
    metrics.init({ applicationId: 'orders', instanceId: 'i1' });
    metrics.tasksAssigned(['0_0', '0_1'], [{ topic: 'orders', partition: 0 }, { topic: 'orders', partition: 1 }]);
    metrics.recordsProcessed('0_0', 7, 12);
    metrics.taskMetrics({
      task: '0_0',
      nodes: [
        { node: 'src', recordsIn: 7, recordsOut: 7, dropped: 0 },
        { node: 'win', recordsIn: 7, recordsOut: 5, dropped: 2 },
      ],
      droppedRecords: 2,
      stores: [{ store: 'counts', entries: 4 }],
    });
    metrics.taskMetrics({ task: '0_0', nodes: [{ node: 'src', recordsIn: 3, recordsOut: 3, dropped: 0 }], droppedRecords: 0, stores: [] });
    metrics.commit({ records: 5, changelogRecords: 4, offsets: 1, durationMs: 30, transactional: true });
    metrics.lag('orders', 1, 42);
    metrics.restore({ task: '0_1', storeName: 'counts', topic: 'orders-counts-changelog', partition: 1, restored: 10, endOffset: 25, lastOffset: 9 });

    const text = await metrics.registry.metrics();
    expect(sample(text, 'tributary_node_records_in_total{application_id="orders",task="0_0",node="src"}')).toBe(10);
    expect(sample(text, 'tributary_node_records_out_total{application_id="orders",task="0_0",node="win"}')).toBe(5);
    expect(sample(text, 'tributary_node_dropped_records_total{application_id="orders",task="0_0",node="win"}')).toBe(2);
    expect(sample(text, 'tributary_dropped_records_total{application_id="orders",task="0_0"}')).toBe(2);
    expect(sample(text, 'tributary_records_processed_total{application_id="orders",task="0_0"}')).toBe(7);
    expect(sample(text, 'tributary_process_duration_seconds_count{application_id="orders",task="0_0"}')).toBe(1);
    expect(sample(text, 'tributary_process_duration_seconds_sum{application_id="orders",task="0_0"}')).toBeCloseTo(0.012);
    expect(sample(text, 'tributary_store_entries{application_id="orders",task="0_0",store="counts"}')).toBe(4);
    expect(sample(text, 'tributary_commit_duration_seconds_count{application_id="orders"}')).toBe(1);
    expect(sample(text, 'tributary_commit_duration_seconds_bucket{le="0.05",application_id="orders"}')).toBe(1);
    expect(sample(text, 'tributary_commit_duration_seconds_bucket{le="0.025",application_id="orders"}')).toBe(0);
    expect(sample(text, 'tributary_committed_records_total{application_id="orders",kind="changelog"}')).toBe(4);
    expect(sample(text, 'tributary_consumer_lag{application_id="orders",topic="orders",partition="1"}')).toBe(42);
    const restoreLabels = '{application_id="orders",task="0_1",store="counts",topic="orders-counts-changelog",partition="1"}';
    expect(sample(text, `tributary_restore_restored_records${restoreLabels}`)).toBe(10);
    expect(sample(text, `tributary_restore_remaining_records${restoreLabels}`)).toBe(15);
    expect(sample(text, 'tributary_assigned_tasks{application_id="orders"}')).toBe(2);
  });

  it('drops the store sizes and lag of a task that moved to another instance', async () => {
    const metrics = prometheusMetrics({ applicationId: 'app' });
    metrics.tasksAssigned(['0_0', '0_1'], [{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]);
    for (const task of ['0_0', '0_1']) metrics.taskMetrics({ task, nodes: [], droppedRecords: 0, stores: [{ store: 's', entries: 1 }] });
    metrics.lag('t', 0, 3);
    metrics.lag('t', 1, 4);
    metrics.tasksAssigned(['0_1'], [{ topic: 't', partition: 1 }]);
    const text = await metrics.registry.metrics();
    expect(sample(text, 'tributary_store_entries{application_id="app",task="0_0",store="s"}')).toBeUndefined();
    expect(sample(text, 'tributary_store_entries{application_id="app",task="0_1",store="s"}')).toBe(1);
    expect(sample(text, 'tributary_consumer_lag{application_id="app",topic="t",partition="0"}')).toBeUndefined();
    expect(sample(text, 'tributary_consumer_lag{application_id="app",topic="t",partition="1"}')).toBe(4);
  });

  it('lets two instances share one registry, each with its application id', async () => {
    const registry = new Registry();
    const a = prometheusMetrics({ registry });
    const b = prometheusMetrics({ registry });
    a.init({ applicationId: 'a', instanceId: '1' });
    b.init({ applicationId: 'b', instanceId: '2' });
    a.lag('t', 0, 1);
    b.lag('t', 0, 2);
    const text = await registry.metrics();
    expect(sample(text, 'tributary_consumer_lag{application_id="a",topic="t",partition="0"}')).toBe(1);
    expect(sample(text, 'tributary_consumer_lag{application_id="b",topic="t",partition="0"}')).toBe(2);
  });

  it('refuses a registry holding a metric of the same name and another type', () => {
    const registry = new Registry();
    new Gauge({ name: 'tributary_commits_total', help: 'something else', registers: [registry] });
    expect(() => prometheusMetrics({ registry })).toThrow(/tributary_commits_total is already registered with another type/);
  });
});
