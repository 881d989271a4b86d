import { describe, expect, it } from 'vitest';
import { TopologyError } from '../errors.js';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { Serdes } from '../serde/serdes.js';

const strings = { key: Serdes.string(), value: Serdes.string() };

describe('topology compilation', () => {
  it('rejects an empty topology with what to do', () => {
    expect(() => new StreamsBuilder().build()).toThrow(/empty.*builder.stream/);
  });

  it('rejects duplicate user names with a TopologyError naming the node', () => {
    const b = new StreamsBuilder();
    const s = b.stream('in', strings);
    s.filter(() => true, { name: 'x' });
    let error: unknown;
    try {
      s.filter(() => true, { name: 'x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TopologyError);
    expect((error as TopologyError).nodeName).toBe('x');
    expect((error as TopologyError).retriable).toBe(false);
  });

  it('refuses to combine streams of two builders', () => {
    const a = new StreamsBuilder().stream('a', strings);
    const other = new StreamsBuilder().stream('b', strings);
    expect(() => a.merge(other)).toThrow(/another StreamsBuilder/);
  });

  it('splits sub-topologies at repartition topics and lists their source topics and stores', () => {
    const b = new StreamsBuilder();
    b.stream('in', strings).selectKey((_, v) => v).groupByKey({ key: Serdes.string() }).count({ storeName: 'c' });
    const topology = b.build();
    expect(topology.subtopologies.map((s) => ({ id: s.id, topics: s.sourceTopics.map((t) => [t.topic, t.internal]), stores: s.stores }))).toEqual([
      { id: 0, topics: [['in', false]], stores: [] },
      { id: 1, topics: [['c-repartition', true]], stores: ['c'] },
    ]);
  });

  it('keeps processors that share a store in one sub-topology', () => {
    const b = new StreamsBuilder();
    const left = b.stream('l', strings).groupByKey();
    const right = b.stream('r', strings).groupByKey();
    left.cogroup((_, _v, n: number) => n + 1).cogroup(right, (_, _v, n) => n + 1).aggregate(() => 0, { value: Serdes.long() });
    expect(b.build().subtopologies).toHaveLength(1);
  });

  it('is frozen: nodes cannot be changed after build', () => {
    const b = new StreamsBuilder();
    b.stream('in', strings).to('out');
    const topology = b.build();
    const node = topology.node('KSTREAM-SINK-0000000001');
    expect(Object.isFrozen(node)).toBe(true);
    expect(Object.isFrozen(topology)).toBe(true);
  });
});

describe('the topology carries its processor factories', () => {
  const build = () => {
    const b = new StreamsBuilder();
    b.stream('in', { ...strings, name: 'src' }).filter((_k, v) => v !== 'drop', { name: 'keep' }).to('out', { ...strings, name: 'out' });
    return b.build();
  };

  it('creates a new processor per call for every node it holds', () => {
    const topology = build();
    const names = topology.subtopologies.flatMap((s) => s.nodeNames);
    expect(names).toEqual(['src', 'keep', 'out']);
    for (const name of names) {
      const first = topology.createProcessor(name);
      expect(typeof first.process).toBe('function');
      expect(topology.createProcessor(name)).not.toBe(first);
    }
  });

  it('knows how each node is described, without asking the DSL', () => {
    const topology = build();
    expect(['src', 'keep', 'out'].map((name) => topology.roleOf(name))).toEqual(['source', 'processor', 'sink']);
  });

  it('refuses an unknown node with a TopologyError naming it', () => {
    const topology = build();
    expect(() => topology.createProcessor('nope')).toThrow(TopologyError);
    expect(() => topology.createProcessor('nope')).toThrow(/no node named nope/);
  });
});
