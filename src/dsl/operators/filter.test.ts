import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, stringStream } from '../../testing/test-kit.js';

describe('filter / filterNot', () => {
  const inputs = [['a', '1', 1], ['b', '22', 2], ['c', '333', 3]] as const;

  it('keeps records whose predicate is true, with key, value and timestamp unchanged', () => {
    const b = new StreamsBuilder();
    stringStream(b).filter((_, v) => v.length !== 2).to('out');
    expect(runThrough(b, inputs).records).toEqual([['a', '1', 1], ['c', '333', 3]]);
  });

  it('filterNot keeps records whose predicate is false', () => {
    const b = new StreamsBuilder();
    stringStream(b).filterNot((k) => k === 'a').to('out');
    expect(runThrough(b, inputs).records).toEqual([['b', '22', 2], ['c', '333', 3]]);
  });

  it('generates KSTREAM-FILTER names and honours a user name', () => {
    const b = new StreamsBuilder();
    stringStream(b).filter(() => true).filter(() => true, { name: 'only-good' }).to('out');
    const names = [...b.build().nodes.keys()];
    expect(names).toEqual(['KSTREAM-SOURCE-0000000000', 'KSTREAM-FILTER-0000000001', 'only-good', 'KSTREAM-SINK-0000000002']);
  });

  it('rejects a missing predicate at build time of the call', () => {
    const b = new StreamsBuilder();
    expect(() => stringStream(b).filter(undefined as never)).toThrow("predicate can't be null");
  });
});
