import { Registry } from 'prom-client';
import type { StreamsMetricsHooks } from '../runtime/kafka-streams.js';
import { counter, gauge, histogram } from './registry-metrics.js';

export interface PrometheusMetricsOptions {
  /** Registry the metrics are registered on; default a new one (read it back from the result). */
  readonly registry?: Registry;
  /**
   * Value of the `application_id` label. Default: the application id of the KafkaStreams instance the
   * hooks are given to (one hooks object per instance; several may share a registry).
   */
  readonly applicationId?: string;
  /** Buckets (seconds) of the process and commit duration histograms. */
  readonly durationBuckets?: readonly number[];
}

/** The hooks to pass as `KafkaStreamsConfig.metrics`, plus the registry they write to. */
export interface PrometheusStreamsMetrics extends Required<StreamsMetricsHooks> {
  readonly registry: Registry;
}

/** 0.5 ms to 10 s: a batch of a few records up to a slow exactly-once commit. */
const DEFAULT_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Tributary's stream-processing metrics on a prom-client registry, as the hooks a {@link KafkaStreams}
 * instance calls. Metrics (all labelled `application_id`):
 *
 * - `tributary_node_records_in_total` / `tributary_node_records_out_total` `{task, node}`: records each
 *   processor node received / forwarded (counted in the node, read at commit);
 * - `tributary_node_dropped_records_total {task, node}`: records a node dropped, e.g. late records for
 *   closed windows; `tributary_dropped_records_total {task}`: every drop of the task, bad input included;
 * - `tributary_records_processed_total {task}` and `tributary_process_duration_seconds {task}` (per
 *   fetched batch);
 * - `tributary_commit_duration_seconds`, `tributary_commits_total`, `tributary_committed_records_total {kind}`
 *   (`output` or `changelog`);
 * - `tributary_consumer_lag {topic, partition}`: records behind the high watermark at the last fetch;
 * - `tributary_store_entries {task, store}`: approximate entries per store, sampled at commit (≤ 1/s);
 * - `tributary_restore_restored_records` / `tributary_restore_remaining_records` `{task, store, topic,
 *   partition}`: progress of changelog restore.
 *
 * @example
 * import { Registry } from 'prom-client';
 * const registry = new Registry();
 * const app = new KafkaStreams(topology, { applicationId: 'orders', brokers: ['localhost:9092'], metrics: prometheusMetrics({ registry }) });
 * const server = await serveMetrics(registry, { port: 9464 }); // GET http://127.0.0.1:9464/metrics
 * await app.start();
 */
export function prometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusStreamsMetrics {
  const registry = options.registry ?? new Registry();
  const buckets = [...(options.durationBuckets ?? DEFAULT_DURATION_BUCKETS)];
  let app = options.applicationId ?? '';

  const nodeIn = counter(registry, 'tributary_node_records_in_total', 'Records a processor node received', ['application_id', 'task', 'node']);
  const nodeOut = counter(registry, 'tributary_node_records_out_total', 'Records a processor node forwarded', ['application_id', 'task', 'node']);
  const nodeDropped = counter(registry, 'tributary_node_dropped_records_total', 'Records a processor node dropped (late records for closed windows, null keys, refused by a store)', ['application_id', 'task', 'node']);
  const taskDropped = counter(registry, 'tributary_dropped_records_total', 'Records a task dropped, bad input and processing errors included', ['application_id', 'task']);
  const processed = counter(registry, 'tributary_records_processed_total', 'Records processed by a task', ['application_id', 'task']);
  const processDuration = histogram(registry, 'tributary_process_duration_seconds', 'Time to process one fetched batch', ['application_id', 'task'], buckets);
  const commitDuration = histogram(registry, 'tributary_commit_duration_seconds', 'Time of one commit (produce, flush and offsets, or one transaction)', ['application_id'], buckets);
  const commits = counter(registry, 'tributary_commits_total', 'Commits that produced or committed something', ['application_id']);
  const committed = counter(registry, 'tributary_committed_records_total', 'Records produced by commits: output (incl. repartition and dead letters) or changelog', ['application_id', 'kind']);
  const lag = gauge(registry, 'tributary_consumer_lag', 'Records between the last fetched offset and the high watermark', ['application_id', 'topic', 'partition']);
  const storeEntries = gauge(registry, 'tributary_store_entries', 'Approximate number of entries of a state store, sampled at commit', ['application_id', 'task', 'store']);
  const restored = gauge(registry, 'tributary_restore_restored_records', 'Changelog records applied by the current or last restore of a store', ['application_id', 'task', 'store', 'topic', 'partition']);
  const remaining = gauge(registry, 'tributary_restore_remaining_records', 'Changelog offsets left to restore (0 when done)', ['application_id', 'task', 'store', 'topic', 'partition']);
  const assigned = gauge(registry, 'tributary_assigned_tasks', 'Tasks owned by this instance', ['application_id']);

  /** Store gauges set per task, to remove them when the task moves to another instance. */
  const storesByTask = new Map<string, Set<string>>();
  /** Lag series set, by topic then partition, to remove those of partitions given away. */
  const lagSeries = new Map<string, Set<number>>();

  return {
    registry,
    init({ applicationId }) {
      if (options.applicationId === undefined) app = applicationId;
    },
    recordsProcessed(task, count, durationMs) {
      processed.inc({ application_id: app, task }, count);
      processDuration.observe({ application_id: app, task }, durationMs / 1000);
    },
    commit(info) {
      commits.inc({ application_id: app });
      commitDuration.observe({ application_id: app }, info.durationMs / 1000);
      committed.inc({ application_id: app, kind: 'output' }, info.records);
      committed.inc({ application_id: app, kind: 'changelog' }, info.changelogRecords);
    },
    restore(progress) {
      const labels = { application_id: app, task: progress.task, store: progress.storeName, topic: progress.topic, partition: String(progress.partition) };
      restored.set(labels, progress.restored);
      if (progress.endOffset !== undefined) remaining.set(labels, Math.max(0, progress.endOffset - progress.lastOffset - 1));
    },
    lag(topic, partition, records) {
      lag.set({ application_id: app, topic, partition: String(partition) }, records);
      let partitions = lagSeries.get(topic);
      if (partitions === undefined) lagSeries.set(topic, (partitions = new Set()));
      partitions.add(partition);
    },
    tasksAssigned(tasks, partitions) {
      assigned.set({ application_id: app }, tasks.length);
      const ownedPartitions = new Set(partitions.map((p) => `${p.topic}\u0000${p.partition}`));
      for (const [topic, set] of lagSeries) {
        for (const partition of set) {
          if (ownedPartitions.has(`${topic}\u0000${partition}`)) continue;
          lag.remove({ application_id: app, topic, partition: String(partition) });
          set.delete(partition);
        }
      }
      const owned = new Set(tasks);
      for (const [task, stores] of storesByTask) {
        if (owned.has(task)) continue;
        for (const store of stores) storeEntries.remove({ application_id: app, task, store });
        storesByTask.delete(task);
      }
    },
    taskMetrics({ task, nodes, droppedRecords, stores }) {
      for (const n of nodes) {
        const labels = { application_id: app, task, node: n.node };
        // inc(0) still creates the series, so every node shows up from the first commit.
        nodeIn.inc(labels, n.recordsIn);
        nodeOut.inc(labels, n.recordsOut);
        nodeDropped.inc(labels, n.dropped);
      }
      taskDropped.inc({ application_id: app, task }, droppedRecords);
      if (stores.length === 0) return;
      let known = storesByTask.get(task);
      if (known === undefined) storesByTask.set(task, (known = new Set()));
      for (const s of stores) {
        storeEntries.set({ application_id: app, task, store: s.store }, s.entries);
        known.add(s.store);
      }
    },
  };
}
