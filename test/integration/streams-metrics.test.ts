// Real Kafka: a grouped count run by KafkaStreams with prometheusMetrics(), scraped over HTTP from
// serveMetrics(): records in at the source node, commit latency, the store size and a lag of 0 at the end;
// then the restore progress of a second instance.
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { KafkaStreams, prometheusMetrics, serveMetrics, Serdes, StreamsBuilder, type MetricsServer } from '../../src/index.js';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { createTopics, kafkaSuite, produceWorkload, seededRandom } from './streams-harness.js';

const { brokers, kafka, admin } = kafkaSuite();

interface Sample {
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** The samples of one metric in the Prometheus text format. */
function samples(text: string, metric: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== metric) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    out.push({ labels, value: Number(match[3]) });
  }
  return out;
}

const sum = (list: readonly Sample[]): number => list.reduce((n, s) => n + s.value, 0);

describe('KafkaStreams metrics on real Kafka', () => {
  it('reports records in, commit latency, store size and lag through the /metrics endpoint', async () => {
    const input = randomTopic('metrics_in');
    const output = randomTopic('metrics_out');
    const applicationId = randomName('metrics_app');
    await createTopics(admin, [
      { topic: input, partitions: 2 },
      { topic: output, partitions: 2 },
    ]);
    const total = 3000;
    const truth = await produceWorkload(kafka, input, total, 80, seededRandom(7));

    const builder = new StreamsBuilder();
    builder
      .stream(input, { key: Serdes.string(), value: Serdes.string() })
      .groupByKey()
      .count({ storeName: 'counts' })
      .toStream()
      .to(output, { value: Serdes.long() });
    const registry = new Registry();
    const app = new KafkaStreams(builder.build(), { applicationId, brokers, commitIntervalMs: 200, metrics: prometheusMetrics({ registry }) });
    let server: MetricsServer | undefined;
    try {
      server = await serveMetrics(registry, { port: 0 });
      const url = server.url;
      await app.start();
      await waitFor(() => [...app.store<string, number>('counts').all()].reduce((n, [, c]) => n + c, 0) === total, { timeoutMs: 120_000, intervalMs: 200, description: `${total} records counted` });

      const text = await waitFor(
        async () => {
          const body = await (await fetch(url)).text();
          const lag = samples(body, 'tributary_consumer_lag').filter((s) => s.labels['topic'] === input);
          const entries = samples(body, 'tributary_store_entries').filter((s) => s.labels['store'] === 'counts');
          // Node counts and store sizes are sampled as a commit starts, its duration once it has finished: wait
          // for the commit that follows the last record.
          const commits = samples(body, 'tributary_commit_duration_seconds_count').filter((s) => s.labels['application_id'] === applicationId);
          const sourceIn = samples(body, 'tributary_node_records_in_total').filter((s) => s.labels['application_id'] === applicationId && s.labels['node'] === 'KSTREAM-SOURCE-0000000000');
          const settled = lag.length === 2 && lag.every((s) => s.value === 0) && sum(entries) === truth.size && sum(commits) > 0 && sum(sourceIn) === total;
          return settled && body;
        },
        { timeoutMs: 60_000, intervalMs: 250, description: 'lag 0 on both partitions, a store size equal to the number of keys, every record counted at the source and a finished commit' },
      );

      const sourceIn = samples(text, 'tributary_node_records_in_total').filter((s) => s.labels['application_id'] === applicationId && s.labels['node'] === 'KSTREAM-SOURCE-0000000000');
      expect(sourceIn.map((s) => s.labels['task']).sort()).toEqual(['0_0', '0_1']);
      expect(sum(sourceIn)).toBe(total);
      expect(sum(samples(text, 'tributary_records_processed_total'))).toBe(total);
      const commits = samples(text, 'tributary_commit_duration_seconds_count').filter((s) => s.labels['application_id'] === applicationId);
      expect(sum(commits)).toBeGreaterThan(0);
      const entries = samples(text, 'tributary_store_entries').filter((s) => s.labels['store'] === 'counts');
      expect(sum(entries)).toBe(truth.size);
      expect(samples(text, 'tributary_assigned_tasks')).toEqual([{ labels: { application_id: applicationId }, value: 2 }]);
      // Every count update goes to the changelog; some are combined per commit, so at most one per record.
      const changelog = samples(text, 'tributary_committed_records_total').find((s) => s.labels['kind'] === 'changelog');
      expect(changelog?.value).toBeGreaterThanOrEqual(truth.size);
      expect(changelog?.value).toBeLessThanOrEqual(total);
    } finally {
      await app.close();
      await server?.close();
    }

    // A second instance restores the store from its changelog and reports the progress.
    const restoredRegistry = new Registry();
    const second = new KafkaStreams(builder.build(), { applicationId, brokers, commitIntervalMs: 200, metrics: prometheusMetrics({ registry: restoredRegistry }) });
    try {
      await second.start();
      await waitFor(() => second.state === 'RUNNING', { timeoutMs: 120_000, description: 'second instance RUNNING' });
      const text = await restoredRegistry.metrics();
      const restored = samples(text, 'tributary_restore_restored_records').filter((s) => s.labels['store'] === 'counts');
      expect(restored.map((s) => s.labels['partition']).sort()).toEqual(['0', '1']);
      // At least the latest count of every key was replayed, and nothing is left to replay.
      expect(sum(restored)).toBeGreaterThanOrEqual(truth.size);
      expect(samples(text, 'tributary_restore_remaining_records').filter((s) => s.labels['store'] === 'counts').map((s) => s.value)).toEqual([0, 0]);
      await waitFor(async () => sum(samples(await restoredRegistry.metrics(), 'tributary_store_entries')) === truth.size, { timeoutMs: 30_000, description: 'restored store size equal to the number of keys' });
    } finally {
      await second.close();
    }
  }, 240_000);
});
