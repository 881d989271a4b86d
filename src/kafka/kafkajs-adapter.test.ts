import { describe, expect, it } from 'vitest';
import type { OutgoingRecord } from '../errors.js';
import { chunkRecords, sendPipelined } from './kafkajs-adapter.js';

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

  it('rejects with the first failure only after every chain settled', async () => {
    const records = [record('a', 0), record('b', 1)];
    let bSettled = false;
    const result = sendPipelined(records, async (topicMessages) => {
      if (topicMessages[0]!.topic === 'a') throw new Error('a failed');
      await new Promise((r) => setTimeout(r, 20));
      bSettled = true;
    });
    await expect(result).rejects.toThrow('a failed');
    expect(bSettled).toBe(true);
  });
});
