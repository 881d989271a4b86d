import { describe, expect, it } from 'vitest';
import { Serdes } from '../serdes.js';
import { AvroSerdeError, recordNameStrategy } from './avro-serde.js';
import { InMemorySchemaRegistry } from './in-memory-schema-registry.js';
import type { SchemaRegistryClient } from './schema-registry.js';

interface OrderV1 {
  id: string;
  amount: number;
}
interface OrderV2 extends OrderV1 {
  note: string | null;
}

const orderV1 = { type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'id', type: 'string' }, { name: 'amount', type: 'long' }] };
const orderV2 = { ...orderV1, fields: [...orderV1.fields, { name: 'note', type: ['null', 'string'], default: null }] };

describe('Serdes.avro', () => {
  it('writes the Confluent wire format: magic byte, big-endian schema id, Avro binary', () => {
    const registry = new InMemorySchemaRegistry();
    registry.registerSync('unrelated-value', JSON.stringify({ type: 'string' }));
    const serde = Serdes.avro<OrderV1>({ registry, schema: orderV1 });
    const bytes = serde.serialize({ id: 'a', amount: 5 }, 'orders');
    // id 2; "a" = length 1 (zigzag 0x02) + 0x61; 5 as a zigzag varint = 0x0a
    expect([...bytes]).toEqual([0, 0, 0, 0, 2, 0x02, 0x61, 0x0a]);
    expect(registry.versions('orders-value')).toEqual([2]);
    expect(serde.deserialize(bytes, 'orders')).toEqual({ id: 'a', amount: 5 });
  });

  it('registers keys under <topic>-key and values under <topic>-value', () => {
    const registry = new InMemorySchemaRegistry();
    Serdes.avroKey<string>({ registry, schema: { type: 'string' } }).serialize('k', 'orders');
    Serdes.avro<OrderV1>({ registry, schema: orderV1 }).serialize({ id: 'a', amount: 1 }, 'orders');
    expect(registry.subjects()).toEqual(['orders-key', 'orders-value']);
  });

  it('takes another subject name strategy', () => {
    const registry = new InMemorySchemaRegistry();
    Serdes.avro<OrderV1>({ registry, schema: orderV1, subjectNameStrategy: recordNameStrategy }).serialize({ id: 'a', amount: 1 }, 'orders');
    expect(registry.subjects()).toEqual(['shop.Order']);
  });

  it('resolves an older writer schema to the reader schema: an added field takes its default', () => {
    const registry = new InMemorySchemaRegistry();
    const bytes = Serdes.avro<OrderV1>({ registry, schema: orderV1 }).serialize({ id: 'a', amount: 5 }, 'orders');
    const reader = Serdes.avro<OrderV2>({ registry, schema: orderV2 });
    expect(reader.deserialize(bytes, 'orders')).toEqual({ id: 'a', amount: 5, note: null });
  });

  it('resolves a newer writer schema to an older reader schema: the removed field is skipped', () => {
    const registry = new InMemorySchemaRegistry();
    const bytes = Serdes.avro<OrderV2>({ registry, schema: orderV2 }).serialize({ id: 'a', amount: 5, note: 'gift' }, 'orders');
    expect(registry.versions('orders-value')).toEqual([1]);
    const reader = Serdes.avro<OrderV1>({ registry, schema: orderV1 });
    expect(reader.deserialize(bytes, 'orders')).toEqual({ id: 'a', amount: 5 });
  });

  it('decodes with the writer schema when it has no reader schema, and then cannot write', () => {
    const registry = new InMemorySchemaRegistry();
    const bytes = Serdes.avro<OrderV2>({ registry, schema: orderV2 }).serialize({ id: 'a', amount: 5, note: 'gift' }, 'orders');
    const generic = Serdes.avro<Record<string, unknown>>({ registry });
    expect(generic.deserialize(bytes, 'orders')).toEqual({ id: 'a', amount: 5, note: 'gift' });
    expect(() => generic.serialize({ id: 'b' }, 'orders')).toThrow(/only reads/);
  });

  it('fails on an unknown schema id and on bytes without the magic byte', () => {
    const registry = new InMemorySchemaRegistry();
    const serde = Serdes.avro<OrderV1>({ registry, schema: orderV1 });
    expect(() => serde.deserialize(Buffer.from([0, 0, 0, 0, 9, 2, 0x61, 0x0a]), 'orders')).toThrow(AvroSerdeError);
    expect(() => serde.deserialize(Buffer.from([0, 0, 0, 0, 9, 2, 0x61, 0x0a]), 'orders')).toThrow(/unknown writer schema id 9/);
    expect(() => serde.deserialize(Buffer.from('{"id":"a"}'), 'orders')).toThrow(/magic byte 0/);
    expect(() => serde.deserialize(Buffer.from([0, 0, 0]), 'orders')).toThrow(AvroSerdeError);
  });

  it('fails on a body that does not decode with its writer schema', () => {
    const registry = new InMemorySchemaRegistry();
    const serde = Serdes.avro<OrderV1>({ registry, schema: orderV1 });
    const bytes = serde.serialize({ id: 'abc', amount: 5 }, 'orders');
    expect(() => serde.deserialize(bytes.subarray(0, 7), 'orders')).toThrow(/cannot decode Avro body with writer schema 1/);
  });

  it('names the invalid field of a value that does not match the schema', () => {
    const serde = Serdes.avro<OrderV1>({ registry: new InMemorySchemaRegistry(), schema: orderV1 });
    expect(() => serde.serialize({ id: 'a', amount: 'five' } as unknown as OrderV1, 'orders')).toThrow(/invalid at amount/);
  });

  it('with autoRegister off, writes only schemas the subject already holds', async () => {
    const registry = new InMemorySchemaRegistry();
    const serde = Serdes.avro<OrderV1>({ registry, schema: orderV1, autoRegister: false });
    expect(() => serde.serialize({ id: 'a', amount: 1 }, 'orders')).toThrow(/autoRegister is off/);
    await expect(serde.prepare('orders')).rejects.toThrow(/autoRegister is off/);
    registry.registerSync('orders-value', JSON.stringify(orderV1));
    await serde.prepare('orders');
    expect(serde.deserialize(serde.serialize({ id: 'a', amount: 1 }, 'orders'), 'orders')).toEqual({ id: 'a', amount: 1 });
  });

  it('compares keys by bytes under topic "" without touching the registry', () => {
    const registry = new InMemorySchemaRegistry();
    const serde = Serdes.avroKey<OrderV1>({ registry, schema: orderV1 });
    expect(serde.serialize({ id: 'a', amount: 1 }, '').equals(serde.serialize({ id: 'a', amount: 1 }, ''))).toBe(true);
    expect(registry.subjects()).toEqual([]);
  });

  describe('on a registry that answers only asynchronously', () => {
    it('serializes only once prepare() resolved the schema id of the topic', async () => {
      const memory = new InMemorySchemaRegistry();
      const serde = Serdes.avro<OrderV1>({ registry: memory.asRemote(), schema: orderV1 });
      expect(() => serde.serialize({ id: 'a', amount: 5 }, 'orders')).toThrow(/not resolved yet.*prepare\('orders'\)/);
      await serde.prepare('orders');
      expect(memory.versions('orders-value')).toEqual([1]);
      const bytes = serde.serialize({ id: 'a', amount: 5 }, 'orders');
      expect([...bytes.subarray(0, 5)]).toEqual([0, 0, 0, 0, 1]);
      // What it wrote itself (e.g. to a changelog) reads back without fetching its own schema.
      expect(serde.deserialize(bytes, 'orders')).toEqual({ id: 'a', amount: 5 });
    });

    it('deserializes ids it has prefetched; ids the registry does not know stay unknown', async () => {
      const memory = new InMemorySchemaRegistry();
      const writer = Serdes.avro<OrderV1>({ registry: memory, schema: orderV1 });
      const good = writer.serialize({ id: 'a', amount: 5 }, 'orders');
      const unknown = Buffer.from([0, 0, 0, 0, 42, 2, 0x61, 0x0a]);
      const reader = Serdes.avro<OrderV2>({ registry: memory.asRemote(), schema: orderV2 });
      expect(() => reader.deserialize(good, 'orders')).toThrow(/unknown writer schema id 1/);
      await reader.prefetch([good, unknown, Buffer.from('not avro')], 'orders');
      expect(reader.deserialize(good, 'orders')).toEqual({ id: 'a', amount: 5, note: null });
      expect(() => reader.deserialize(unknown, 'orders')).toThrow(/unknown writer schema id 42/);
    });

    it('lets a registry failure during prefetch reach the caller', async () => {
      const failing: SchemaRegistryClient = { ...new InMemorySchemaRegistry().asRemote(), schemaById: () => Promise.reject(new Error('connection refused')) };
      const reader = Serdes.avro<OrderV1>({ registry: failing, schema: orderV1 });
      await expect(reader.prefetch([Buffer.from([0, 0, 0, 0, 1, 2, 0x61, 0x0a])], 'orders')).rejects.toThrow(/connection refused/);
    });
  });
});
