import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { Serdes } from '../serde/serdes.js';

// The word-count topology of Kafka Streams' quickstart; its describe() output there is the reference.
function wordCount() {
  const b = new StreamsBuilder();
  b.stream('streams-plaintext-input', { key: Serdes.string(), value: Serdes.string() })
    .flatMapValues((line) => line.toLowerCase().split(/\W+/), { name: undefined })
    .groupBy((_, word) => word, { key: Serdes.string(), value: Serdes.string() })
    .count({ storeName: 'counts-store' })
    .toStream()
    .to('streams-wordcount-output', { value: Serdes.long() });
  return b.build();
}

describe('describe()', () => {
  it('prints a topology with a repartition in Kafka Streams text layout', () => {
    expect(wordCount().describe().toString()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [streams-plaintext-input])',
        '      --> KSTREAM-FLATMAPVALUES-0000000001',
        '    Processor: KSTREAM-FLATMAPVALUES-0000000001 (stores: [])',
        '      --> KSTREAM-KEY-SELECT-0000000002',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: KSTREAM-KEY-SELECT-0000000002 (stores: [])',
        '      --> KSTREAM-FILTER-0000000005',
        '      <-- KSTREAM-FLATMAPVALUES-0000000001',
        '    Processor: KSTREAM-FILTER-0000000005 (stores: [])',
        '      --> KSTREAM-SINK-0000000004',
        '      <-- KSTREAM-KEY-SELECT-0000000002',
        '    Sink: KSTREAM-SINK-0000000004 (topic: counts-store-repartition)',
        '      <-- KSTREAM-FILTER-0000000005',
        '',
        '  Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000006 (topics: [counts-store-repartition])',
        '      --> KSTREAM-AGGREGATE-0000000003',
        '    Processor: KSTREAM-AGGREGATE-0000000003 (stores: [counts-store])',
        '      --> KTABLE-TOSTREAM-0000000007',
        '      <-- KSTREAM-SOURCE-0000000006',
        '    Processor: KTABLE-TOSTREAM-0000000007 (stores: [])',
        '      --> KSTREAM-SINK-0000000008',
        '      <-- KSTREAM-AGGREGATE-0000000003',
        '    Sink: KSTREAM-SINK-0000000008 (topic: streams-wordcount-output)',
        '      <-- KTABLE-TOSTREAM-0000000007',
        '',
        '',
      ].join('\n'),
    );
  });

  it('matches the stored snapshot (names are the compatibility contract of a running application)', () => {
    expect(wordCount().describe().toString()).toMatchSnapshot();
  });

  it('orders siblings by the size of their downstream sub-tree, then by name, and prints none for empty edges', () => {
    const b = new StreamsBuilder();
    const s = b.stream('in', { key: Serdes.string(), value: Serdes.string() });
    s.to('a');
    s.filter(() => true).mapValues((v) => v).to('b', { value: Serdes.string() });
    s.foreach(() => undefined);
    const text = b.build().describe().toString();
    expect(text).toContain('--> KSTREAM-FILTER-0000000002, KSTREAM-FOREACH-0000000005, KSTREAM-SINK-0000000001');
    expect(text).toContain('Processor: KSTREAM-FOREACH-0000000005 (stores: [])\n      --> none\n      <-- KSTREAM-SOURCE-0000000000');
  });

  it('describes programmatically and renders Mermaid with one subgraph per sub-topology and topic nodes', () => {
    const description = wordCount().describe();
    expect(description.subtopologies.map((s) => s.nodes.length)).toEqual([5, 4]);
    expect(description.subtopologies[1]!.nodes[1]).toMatchObject({ name: 'KSTREAM-AGGREGATE-0000000003', role: 'processor', stores: ['counts-store'] });
    const mermaid = description.toMermaid();
    expect(mermaid.startsWith('flowchart TD\n')).toBe(true);
    expect(mermaid).toContain('subgraph sub0["Sub-topology 0"]');
    expect(mermaid).toContain('subgraph sub1["Sub-topology 1"]');
    expect(mermaid).toContain('KSTREAM_SINK_0000000004 --> topic_counts_store_repartition');
    expect(mermaid).toContain('topic_counts_store_repartition --> KSTREAM_SOURCE_0000000006');
    expect(mermaid).toContain('KSTREAM_AGGREGATE_0000000003["KSTREAM-AGGREGATE-0000000003<br/>stores: counts-store"]');
  });
});
