import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, stringStream } from '../../testing/test-kit.js';

describe('peek', () => {
  it('runs the action and forwards the record unchanged', () => {
    const seen: string[] = [];
    const b = new StreamsBuilder();
    stringStream(b)
      .peek((k, v) => seen.push(`${k}=${v}`))
      .to('out');
    expect(runThrough(b, [['a', '1', 1], ['b', '2', 2]]).records).toEqual([['a', '1', 1], ['b', '2', 2]]);
    expect(seen).toEqual(['a=1', 'b=2']);
  });
});
