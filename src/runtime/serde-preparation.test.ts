import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { InMemorySchemaRegistry } from '../serde/avro/in-memory-schema-registry.js';
import { Serdes } from '../serde/serdes.js';
import { SerdePreparation } from './serde-preparation.js';

const click = { type: 'record', name: 'Click', fields: [{ name: 'user', type: 'string' }, { name: 'page', type: 'string' }] };
const count = { type: 'record', name: 'Count', fields: [{ name: 'n', type: 'long' }] };

describe('SerdePreparation', () => {
  const memory = new InMemorySchemaRegistry();
  const registry = memory.asRemote();
  const clicks = Serdes.avro<{ user: string; page: string }>({ registry, schema: click });
  const counts = Serdes.avro<{ n: number }>({ registry, schema: count });
  const b = new StreamsBuilder();
  b.stream('clicks', { key: Serdes.string(), value: clicks })
    .groupBy((_, c) => c.page, { key: Serdes.string(), value: clicks })
    .aggregate(() => ({ n: 0 }), (_, _c, agg) => ({ n: agg.n + 1 }), { storeName: 'per-page', value: counts })
    .toStream()
    .to('page-counts', { value: counts });
  const topology = b.build();

  it('registers the writer schema of every sink, repartition and changelog topic, and nothing for sources', async () => {
    await new SerdePreparation(topology, 'app').prepare();
    const repartition = topology.repartitionTopics.map((t) => `app-${t.topic}-value`);
    expect(memory.subjects()).toEqual([...repartition, 'app-per-page-changelog-value', 'page-counts-value'].sort());
    expect(() => counts.serialize({ n: 1 }, 'page-counts')).not.toThrow();
    expect(() => counts.serialize({ n: 1 }, 'app-per-page-changelog')).not.toThrow();
  });

  it('prefetches writer schemas for the source serdes of a topic, and has nothing to do for other topics', async () => {
    // Another producer's version of the schema: an id this app's serdes have not seen.
    const clickWithReferrer = { ...click, fields: [...click.fields, { name: 'referrer', type: ['null', 'string'], default: null }] };
    const writer = Serdes.avro<{ user: string; page: string; referrer: string | null }>({ registry: memory, schema: clickWithReferrer });
    const bytes = writer.serialize({ user: 'u', page: 'home', referrer: 'ad' }, 'clicks');
    const preparation = new SerdePreparation(topology, 'app');
    expect(() => clicks.deserialize(bytes, 'clicks')).toThrow(/unknown writer schema id/);
    await preparation.prefetch('clicks', [{ key: Buffer.from('u'), value: bytes }, { key: null, value: null }]);
    expect(clicks.deserialize(bytes, 'clicks')).toEqual({ user: 'u', page: 'home' });
    expect(preparation.prefetch('elsewhere', [{ key: null, value: bytes }])).toBeUndefined();
  });

  it('costs nothing for a topology without registry-backed serdes', () => {
    const plain = new StreamsBuilder();
    plain.stream('in', { key: Serdes.string(), value: Serdes.string() }).to('out');
    expect(new SerdePreparation(plain.build(), 'app').prefetch('in', [{ key: null, value: Buffer.from('x') }])).toBeUndefined();
  });
});
