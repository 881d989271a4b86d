import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchemaRegistryServer, type SchemaRegistryServer } from '../../testing/schema-registry-server.js';
import { Serdes } from '../serdes.js';
import { confluentSchemaRegistry, SchemaRegistryError } from './schema-registry.js';

const v1 = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }] });
const v2 = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }, { name: 'note', type: ['null', 'string'], default: null }] });

describe('confluentSchemaRegistry over the Confluent REST API', () => {
  let server: SchemaRegistryServer;
  beforeAll(async () => {
    server = await startSchemaRegistryServer();
  });
  afterAll(() => server.close());

  it('registers, looks up, fetches by id and reads the latest version', async () => {
    const client = confluentSchemaRegistry({ host: server.url });
    const id1 = await client.register('orders-value', v1);
    const id2 = await client.register('orders-value', v2);
    expect(id2).not.toBe(id1);
    expect(await client.register('orders-value', v1)).toBe(id1);
    expect(await client.lookup('orders-value', v2)).toBe(id2);
    expect(JSON.parse((await client.schemaById(id1))!)).toEqual(JSON.parse(v1));
    expect(await client.latest('orders-value')).toMatchObject({ id: id2 });
    expect(server.registry.versions('orders-value')).toEqual([id1, id2]);
  });

  it('answers undefined for what the registry does not hold', async () => {
    const client = confluentSchemaRegistry({ host: server.url });
    expect(await client.schemaById(999)).toBeUndefined();
    expect(await client.lookup('missing-value', v1)).toBeUndefined();
    expect(await client.latest('missing-value')).toBeUndefined();
  });

  it('reports an unreachable registry as a retriable SchemaRegistryError', async () => {
    const client = confluentSchemaRegistry({ host: 'http://127.0.0.1:1', retry: { retries: 0 } });
    const failure = await client.schemaById(1).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SchemaRegistryError);
    expect((failure as SchemaRegistryError).retriable).toBe(true);
  });

  it('round-trips Avro serdes between two clients that share only the server', async () => {
    const writer = Serdes.avro<{ id: string }>({ registry: confluentSchemaRegistry({ host: server.url }), schema: v1 });
    const reader = Serdes.avro<{ id: string; note: string | null }>({ registry: confluentSchemaRegistry({ host: server.url }), schema: v2 });
    await writer.prepare('invoices');
    const bytes = writer.serialize({ id: 'x' }, 'invoices');
    await reader.prefetch([bytes], 'invoices');
    expect(reader.deserialize(bytes, 'invoices')).toEqual({ id: 'x', note: null });
  });
});
