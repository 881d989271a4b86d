import { describe, expect, it } from 'vitest';
import { ChangeLoggingKeyValueStore } from '../../state/change-logging-key-value-store.js';
import { InMemoryKeyValueStore } from '../../state/in-memory-key-value-store.js';
import { restoreStore } from '../../state/restore.js';
import type { ChangelogRecord } from '../../state/state-store.js';
import { keyIdentityFor } from '../../state/store-builder.js';
import { Serdes } from '../serdes.js';
import { InMemorySchemaRegistry } from './in-memory-schema-registry.js';
import type { SchemaRegistryClient } from './schema-registry.js';

interface Total {
  orders: number;
  coupons?: number;
}
const totalV1 = { type: 'record', name: 'Total', fields: [{ name: 'orders', type: 'long' }] };
const totalV2 = { ...totalV1, fields: [...totalV1.fields, { name: 'coupons', type: 'long', default: 0 }] };

describe('restoring a store whose changelog holds Avro values of an older schema version', () => {
  const topic = 'app-totals-changelog';
  const memory = new InMemorySchemaRegistry();
  const oldVersion = Serdes.avro<Total>({ registry: memory, schema: totalV1 });
  const changelog: ChangelogRecord[] = [
    { key: Buffer.from('ann'), value: oldVersion.serialize({ orders: 3 }, topic), timestamp: 1, offset: 0 },
    { key: Buffer.from('bob'), value: oldVersion.serialize({ orders: 1 }, topic), timestamp: 2, offset: 1 },
  ];
  const storeWith = (registry: SchemaRegistryClient) => {
    const inner = new InMemoryKeyValueStore<string, Total>('totals', keyIdentityFor(Serdes.string()));
    const logged = new ChangeLoggingKeyValueStore(inner, topic, 0, keyIdentityFor(Serdes.string()), Serdes.string(), Serdes.avro<Total>({ registry, schema: totalV2 }));
    return { inner, logged };
  };

  it('fetches the writer schemas before applying the records and resolves them to the current schema', async () => {
    const { inner, logged } = storeWith(memory.asRemote());
    expect(await restoreStore(logged, [changelog])).toBe(2);
    expect(inner.get('ann')).toEqual({ orders: 3, coupons: 0 });
    expect(inner.get('bob')).toEqual({ orders: 1, coupons: 0 });
  });

  it('could not apply them without that fetch', () => {
    const { logged } = storeWith(memory.asRemote());
    expect(() => logged.restore(changelog)).toThrow(/unknown writer schema id 1/);
  });
});
