import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../streams-builder.js';
import { runThrough, stringStream, strings } from '../../testing/test-kit.js';

describe('split / branch', () => {
  const inputs = [['a', '5', 1], ['b', '50', 2], ['c', '500', 3]] as const;

  it('sends each record to the first matching branch, unmatched to the default branch', () => {
    const b = new StreamsBuilder();
    const branches = stringStream(b)
      .split({ name: 'size-' })
      .branch((_, v) => v.length >= 2, { name: 'big' })
      .branch((_, v) => v.length >= 3, { name: 'huge' })
      .defaultBranch({ name: 'small' });
    expect(Object.keys(branches)).toEqual(['size-big', 'size-huge', 'size-small']);
    branches['size-big']!.to('big');
    branches['size-huge']!.to('huge');
    branches['size-small']!.to('out');
    const { records, driver } = runThrough(b, inputs);
    expect(records).toEqual([['a', '5', 1]]);
    const big = driver.createOutputTopic('big', strings.key, strings.value);
    const huge = driver.createOutputTopic('huge', strings.key, strings.value);
    expect(big.readKeyValuesToList()).toEqual([['b', '50'], ['c', '500']]);
    expect(huge.isEmpty()).toBe(true);
  });

  it('drops unmatched records without a default branch; generated names follow Kafka Streams', () => {
    const b = new StreamsBuilder();
    const branches = stringStream(b)
      .split()
      .branch((k) => k === 'a', { chain: (s) => s.mapValues((v) => `${v}!`) })
      .noDefaultBranch();
    expect(Object.keys(branches)).toEqual(['KSTREAM-BRANCH-00000000011']);
    branches['KSTREAM-BRANCH-00000000011']!.to('out', { value: strings.value });
    expect(runThrough(b, inputs).records).toEqual([['a', '5!', 1]]);
  });

  it('refuses branches after the split was completed', () => {
    const b = new StreamsBuilder();
    const split = stringStream(b).split();
    split.noDefaultBranch();
    expect(() => split.branch(() => true)).toThrow(/complete/);
  });
});
