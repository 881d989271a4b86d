import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, strings } from '../../testing/test-kit.js';

describe('KTable toStream', () => {
  it('emits the new value of each change with the update timestamp', () => {
    const b = new StreamsBuilder();
    b.table('in', strings).toStream({ name: 'as-stream' }).to('out');
    expect(runThrough(b, [['a', '1', 3], ['a', null, 4]]).records).toEqual([['a', '1', 3], ['a', null, 4]]);
    expect(b.build().nodes.has('as-stream')).toBe(true);
  });
});
