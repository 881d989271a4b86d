import { describe, expect, it } from 'vitest';
import type { OutgoingRecord } from '../errors.js';
import { chunkRecords, sendPipelined } from './kafkajs-producer.js';

const record = (topic: string, i: number, partition?: number): OutgoingRecord => ({
  topic,
  key: Buffer.from(`k${i}`),
  value: Buffer.alloc(100, i % 256),
  timestamp: i,
  headers: {},
  ...(partition === undefined ? {} : { partition }),
});

describe('chunkRecords', () => {
  it('bounds chunks by record count and bytes, keeping order', () => {
    const records = Array.from({ length: 25 }, (_, i) => record('t', i));
    const chunks = chunkRecords(records, 10, 1_000_000);
    expect(chunks.map((c) => c.length)).toEqual([10, 10, 5]);
    expect(chunks.flat()).toEqual(records);
    expect(chunkRecords(records, 100, 3 * (64 + 2 + 100)).every((c) => c.length <= 3)).toBe(true);
  });
});

describe('sendPipelined', () => {
  it('sends each topic as its own chain of chunks, chains in flight together, a topic one chunk at a time', async () => {
    const records = [...Array.from({ length: 9000 }, (_, i) => record('out', i)), ...Array.from({ length: 5000 }, (_, i) => record('changelog', i, i % 2))];
    const inFlight = new Map<string, number>();
    let maxTopicsInFlight = 0;
    const sent = new Map<string, number[]>();
    const releases: (() => void)[] = [];
    const done = sendPipelined(records, async (topicMessages) => {
      expect(topicMessages).toHaveLength(1);
      const { topic, messages } = topicMessages[0]!;
      expect(inFlight.get(topic) ?? 0).toBe(0);
      inFlight.set(topic, 1);
      maxTopicsInFlight = Math.max(maxTopicsInFlight, [...inFlight.values()].filter((n) => n > 0).length);
      await new Promise<void>((resolve) => releases.push(resolve));
      inFlight.set(topic, 0);
      const list = sent.get(topic) ?? [];
      list.push(...messages.map((m) => Number(m.timestamp)));
      sent.set(topic, list);
    });
    while (true) {
      await new Promise((r) => setTimeout(r, 1));
      const release = releases.shift();
      if (release === undefined) break;
      release();
    }
    await done;
    expect(maxTopicsInFlight).toBe(2);
    expect(sent.get('out')).toEqual(Array.from({ length: 9000 }, (_, i) => i));
    expect(sent.get('changelog')).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it('reports a failed chain with the records of its failed chunk and after, only after every chain settled', async () => {
    const records = [record('a', 0), record('b', 1), ...Array.from({ length: 10 }, (_, i) => record('c', 2 + i))];
    let bSettled = false;
    let cChunks = 0;
    const failures = await sendPipelined(
      records,
      async (topicMessages) => {
        const { topic } = topicMessages[0]!;
        if (topic === 'a') throw new Error('a failed');
        if (topic === 'c' && ++cChunks === 2) throw new Error('c failed at its second chunk');
        await new Promise((r) => setTimeout(r, 20));
        if (topic === 'b') bSettled = true;
      },
      // Chunks of three records of topic c (each record counts 64 + key + value bytes).
      (topic) => (topic === 'c' ? 3 * (64 + 3 + 100) : 1_000_000),
    );
    expect(bSettled).toBe(true);
    expect(failures.map((f) => [f.topic, (f.error as Error).message, f.undelivered.map((r) => r.timestamp)])).toEqual([
      ['a', 'a failed', [0]],
      ['c', 'c failed at its second chunk', [5, 6, 7, 8, 9, 10, 11]],
    ]);
  });
});
