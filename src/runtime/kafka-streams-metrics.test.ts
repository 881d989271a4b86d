import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { InMemoryKafka } from '../kafka/in-memory-kafka.js';
import type { ConsumedBatch, KafkaPort } from '../kafka/port.js';
import { Serdes } from '../serde/serdes.js';
import { KafkaStreams, type StreamsMetricsHooks } from './kafka-streams.js';
import type { TaskMetrics } from './task.js';

/** The shared in-memory Kafka: one topic, empty changelogs; the test assigns partitions and hands batches over. */
function memoryKafka(topics: Record<string, number>) {
  const kafka = new InMemoryKafka(topics);
  return {
    port: kafka as KafkaPort,
    assign: (tps: { topic: string; partition: number }[]) => kafka.assign(tps),
    batch: (batch: ConsumedBatch) => kafka.batch(batch),
  };
}

const words = (partition: number, first: number, highWatermark: number, keys: string[]): ConsumedBatch => ({
  topic: 'words',
  partition,
  highWatermark,
  records: keys.map((k, i) => ({ offset: first + i, key: Buffer.from(k), value: Buffer.from(k), timestamp: 1000 + first + i, headers: {} })),
});

describe('KafkaStreams metrics hooks', () => {
  it('reports the application, assignment, lag, processed batches, per-node counts and store sizes', async () => {
    const b = new StreamsBuilder();
    b.stream('words', { key: Serdes.string(), value: Serdes.string() }).groupByKey().count({ storeName: 'counts' });
    const kafka = memoryKafka({ words: 2 });
    const calls = { init: [] as string[], assigned: [] as string[][], lag: [] as string[], processed: [] as [string, number][], tasks: [] as (TaskMetrics & { task: string })[], commits: 0 };
    const hooks: StreamsMetricsHooks = {
      init: (app) => void calls.init.push(app.applicationId),
      tasksAssigned: (tasks) => void calls.assigned.push([...tasks]),
      lag: (topic, partition, lag) => void calls.lag.push(`${topic}-${partition}:${lag}`),
      recordsProcessed: (task, count, durationMs) => {
        expect(durationMs).toBeGreaterThanOrEqual(0);
        calls.processed.push([task, count]);
      },
      taskMetrics: (m) => void calls.tasks.push(m),
      commit: () => void calls.commits++,
    };
    const app = new KafkaStreams(b.build(), { applicationId: 'wc', kafka: kafka.port, commitIntervalMs: 60_000, metrics: hooks });
    expect(calls.init).toEqual(['wc']);
    await app.start();
    kafka.assign([{ topic: 'words', partition: 0 }, { topic: 'words', partition: 1 }]);
    for (let i = 0; i < 100 && app.state !== 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 5));
    expect(calls.assigned).toEqual([['0_0', '0_1']]);
    await kafka.batch(words(0, 0, 10, ['a', 'b', 'a']));
    await kafka.batch(words(1, 0, 1, ['c']));
    expect(calls.lag).toEqual(['words-0:7', 'words-1:0']);
    expect(calls.processed).toEqual([['0_0', 3], ['0_1', 1]]);
    await app.close();
    expect(calls.commits).toBe(1);
    const byTask = new Map(calls.tasks.map((t) => [t.task, t]));
    const source = (task: string) => byTask.get(task)!.nodes.find((n) => n.node === 'KSTREAM-SOURCE-0000000000');
    expect(source('0_0')).toMatchObject({ recordsIn: 3, recordsOut: 3 });
    expect(source('0_1')).toMatchObject({ recordsIn: 1, recordsOut: 1 });
    expect(byTask.get('0_0')!.stores).toEqual([{ store: 'counts', entries: 2 }]);
    expect(byTask.get('0_1')!.stores).toEqual([{ store: 'counts', entries: 1 }]);
  });
});
