import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { ALL_DELIVERED, type ConsumedBatch, type ConsumerHandlers, type KafkaPort } from '../kafka/port.js';
import { Serdes } from '../serde/serdes.js';
import { KafkaStreams, type StreamsMetricsHooks } from './kafka-streams.js';
import type { TaskMetrics } from './task.js';

/** Just enough of a Kafka port for at-least-once processing of one topic with empty changelogs. */
function memoryKafka(topics: Record<string, number>) {
  const partitions = new Map(Object.entries(topics));
  let handlers: ConsumerHandlers | undefined;
  // Not annotated: a port with more methods (e.g. seek) still accepts it.
  const consumer = {
    run: async (_topics: readonly string[], h: ConsumerHandlers) => void (handlers = h),
    commit: async () => undefined,
    pause: () => undefined,
    resume: () => undefined,
    seek: () => undefined,
    close: async () => undefined,
    groupMetadata: () => undefined,
  };
  const port: KafkaPort = {
    admin: async () => ({
      createTopics: async (ts) => void ts.forEach((t) => partitions.set(t.topic, t.partitions)),
      partitionCounts: async (names) => new Map(names.filter((n) => partitions.has(n)).map((n) => [n, partitions.get(n)!])),
      offsets: async (topic) => Array.from({ length: partitions.get(topic) ?? 0 }, (_, p) => ({ partition: p, low: 0, high: 0 })),
      committedOffsets: async () => [],
      deleteRecords: async () => undefined,
      close: async () => undefined,
    }),
    consumer: () => consumer,
    producer: async () => ({
      send: async () => ALL_DELIVERED,
      beginTransaction: async () => {
        throw new Error('not used under at-least-once');
      },
      close: async () => undefined,
    }),
    readToEnd: async () => undefined,
  };
  return {
    port,
    assign: (tps: { topic: string; partition: number }[]) => handlers!.onAssigned(tps),
    batch: (batch: ConsumedBatch) => handlers!.onBatch(batch),
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
