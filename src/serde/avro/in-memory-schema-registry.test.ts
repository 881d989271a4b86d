import { describe, expect, it } from 'vitest';
import { InMemorySchemaRegistry } from './in-memory-schema-registry.js';

const v1 = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }] });
const v1Spaced = JSON.stringify({ type: 'record', name: 'Order', doc: 'an order', fields: [{ name: 'id', type: 'string' }] }, null, 2);
const v2 = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }, { name: 'note', type: ['null', 'string'], default: null }] });

describe('InMemorySchemaRegistry', () => {
  it('gives global ids from 1 and the same id for the same schema, whatever the subject or formatting', async () => {
    const registry = new InMemorySchemaRegistry();
    expect(await registry.register('orders-value', v1)).toBe(1);
    expect(await registry.register('orders-value', v1Spaced)).toBe(1);
    expect(await registry.register('orders-value', v2)).toBe(2);
    expect(await registry.register('archive-value', v1)).toBe(1);
    expect(registry.subjects()).toEqual(['archive-value', 'orders-value']);
    expect(registry.versions('orders-value')).toEqual([1, 2]);
    expect(registry.versions('archive-value')).toEqual([1]);
  });

  it('looks schemas up by subject, by id and as the latest version', async () => {
    const registry = new InMemorySchemaRegistry();
    await registry.register('orders-value', v1);
    await registry.register('orders-value', v2);
    expect(await registry.lookup('orders-value', v1)).toBe(1);
    expect(await registry.lookup('other-value', v1)).toBeUndefined();
    expect(await registry.schemaById(2)).toBe(v2);
    expect(await registry.schemaById(3)).toBeUndefined();
    expect(await registry.latest('orders-value')).toEqual({ id: 2, schema: v2 });
    expect(await registry.latest('other-value')).toBeUndefined();
    expect(registry.sync.schemaById(1)).toBe(v1);
    expect(registry.sync.lookup('orders-value', v2)).toBe(2);
  });

  it('rejects a schema that is not valid Avro', async () => {
    const registry = new InMemorySchemaRegistry();
    await expect(registry.register('x-value', JSON.stringify({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'nope' }] }))).rejects.toThrow(/nope/);
    expect(registry.subjects()).toEqual([]);
  });
});
