import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, stringStream } from '../../testing/test-kit.js';

describe('foreach', () => {
  it('runs the action per record and is terminal', () => {
    const seen: [string, string][] = [];
    const b = new StreamsBuilder();
    stringStream(b).foreach((k, v) => seen.push([k, v]));
    const topology = b.build();
    expect([...topology.nodes.values()].map((n) => n.kind)).toEqual(['Source', 'Foreach']);
    runThrough(b, [['a', '1', 1]]);
    expect(seen).toEqual([['a', '1']]);
  });
});
