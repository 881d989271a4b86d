import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { ConfigError } from '../errors.js';
import { Serdes } from '../serde/serdes.js';
import { planTopics } from './internal-topics.js';

function regroupCount() {
  const b = new StreamsBuilder();
  b.stream('words', { key: Serdes.string(), value: Serdes.string() })
    .groupBy((_, v) => v, { key: Serdes.string(), name: 'by-word' })
    .count({ storeName: 'counts' })
    .toStream()
    .to('counts-out', { value: Serdes.long() });
  return b.build();
}

describe('planTopics', () => {
  it('creates repartition topics with delete policy and changelogs compacted with the partition count of their sub-topology', () => {
    const plan = planTopics(regroupCount(), 'app', new Map([['words', 6]]));
    expect(plan.internalTopics).toEqual([
      { topic: 'app-by-word-repartition', partitions: 6, configs: expect.objectContaining({ 'cleanup.policy': 'delete', 'retention.ms': '-1' }) },
      { topic: 'app-counts-changelog', partitions: 6, configs: expect.objectContaining({ 'cleanup.policy': 'compact' }) },
    ]);
    expect(plan.subtopologies).toEqual([
      { subtopology: 0, topics: ['words'] },
      { subtopology: 1, topics: ['app-by-word-repartition'] },
    ]);
    expect(plan.sourceTopics).toEqual(['words', 'app-by-word-repartition']);
    expect(plan.repartitionTopics).toEqual(['app-by-word-repartition']);
  });

  it('takes the partition count of a repartition topic from Repartitioned when given', () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: Serdes.string(), value: Serdes.string() })
      .repartition({ name: 'spread', partitions: 3 })
      .groupByKey()
      .count({ storeName: 'c' });
    const plan = planTopics(b.build(), 'app', new Map([['in', 1]]));
    expect(plan.internalTopics.find((t) => t.topic === 'app-spread-repartition')?.partitions).toBe(3);
    expect(plan.internalTopics.find((t) => t.topic === 'app-c-changelog')?.partitions).toBe(3);
  });

  it('refuses to start when a source topic is missing, naming it', () => {
    expect(() => planTopics(regroupCount(), 'app', new Map())).toThrow(ConfigError);
    expect(() => planTopics(regroupCount(), 'app', new Map())).toThrow(/source topic words does not exist/);
  });
});
