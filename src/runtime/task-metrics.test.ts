import { describe, expect, it } from 'vitest';
import { TimeWindows } from '../dsl/windows.js';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { Serdes } from '../serde/serdes.js';
import { Task, type InputRecord, type NodeMetrics } from './task.js';

const s = Serdes.string();
const raw = (offset: number, key: string, value: string, timestamp: number): InputRecord => ({
  topic: 'in',
  partition: 0,
  offset,
  key: s.serialize(key, 'in'),
  value: s.serialize(value, 'in'),
  timestamp,
  headers: {},
});

function windowedTask(): Task {
  const b = new StreamsBuilder();
  b.stream('in', { key: s, value: s })
    .filter((_, v) => v !== 'skip', { name: 'not-skip' })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(10, 0))
    .count({ storeName: 'per-window', name: 'count' });
  return new Task({ id: { subtopology: 0, partition: 0 }, topology: b.build(), applicationId: 'app' });
}

const byNode = (nodes: readonly NodeMetrics[]): Map<string, NodeMetrics> => new Map(nodes.map((n) => [n.node, n]));

describe('Task.drainMetrics', () => {
  it('counts records in and out per node, drops of late records, and store sizes; then starts again from zero', () => {
    const task = windowedTask();
    task.initialize();
    task.addRecords([raw(0, 'a', 'x', 1), raw(1, 'b', 'skip', 2), raw(2, 'b', 'y', 3), raw(3, 'a', 'z', 25), raw(4, 'c', 'late', 4)]);
    expect(task.processAll()).toBe(5);
    const first = task.drainMetrics();
    const nodes = byNode(first.nodes);
    expect(nodes.get('KSTREAM-SOURCE-0000000000')).toMatchObject({ recordsIn: 5, recordsOut: 5, dropped: 0 });
    expect(nodes.get('not-skip')).toMatchObject({ recordsIn: 5, recordsOut: 4, dropped: 0 });
    // The record at 4 comes after stream time 25: its window [0,10) closed at 10.
    expect(nodes.get('count')).toMatchObject({ recordsIn: 4, recordsOut: 3, dropped: 1 });
    expect(first.droppedRecords).toBe(1);
    // windows: a@[0,10), b@[0,10), a@[20,30)
    expect(first.stores).toEqual([{ store: 'per-window', entries: 3 }]);

    const second = task.drainMetrics(false);
    expect(second.nodes.every((n) => n.recordsIn === 0 && n.recordsOut === 0 && n.dropped === 0)).toBe(true);
    expect(second.droppedRecords).toBe(0);
    expect(second.stores).toEqual([]);
    task.close();
  });

  it('counts a record that fails to deserialize as dropped by the task, not by a node', () => {
    const task = windowedTask();
    task.initialize();
    task.addRecords([{ ...raw(0, 'a', 'x', 1), timestamp: -5 }]);
    task.processAll();
    const metrics = task.drainMetrics();
    expect(metrics.droppedRecords).toBe(1);
    expect(metrics.nodes.reduce((n, m) => n + m.recordsIn + m.dropped, 0)).toBe(0);
    task.close();
  });
});
