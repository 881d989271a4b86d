import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { DeadLetterHeaders, deadLetter } from '../../errors.js';
import { TopologyTestDriver } from '../../testing/topology-test-driver.js';
import { Serdes } from '../serdes.js';
import { InMemorySchemaRegistry } from './in-memory-schema-registry.js';

interface Order {
  customer: string;
  amount: number;
  coupon?: string | null;
}
interface Total {
  customer: string;
  orders: number;
  amount: number;
  coupons: number;
}

const orderV1 = { type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'customer', type: 'string' }, { name: 'amount', type: 'long' }] };
const orderV2 = { ...orderV1, fields: [...orderV1.fields, { name: 'coupon', type: ['null', 'string'], default: null }] };
const total = {
  type: 'record',
  name: 'Total',
  namespace: 'shop',
  fields: [
    { name: 'customer', type: 'string' },
    { name: 'orders', type: 'long' },
    { name: 'amount', type: 'long' },
    { name: 'coupons', type: 'long' },
  ],
};

function totalsTopology(registry: InMemorySchemaRegistry) {
  const b = new StreamsBuilder();
  b.stream('orders', { key: Serdes.string(), value: Serdes.avro<Order>({ registry, schema: orderV2 }) })
    .groupByKey()
    .aggregate<Total>(
      () => ({ customer: '', orders: 0, amount: 0, coupons: 0 }),
      (customer, order, sum) => ({ customer, orders: sum.orders + 1, amount: sum.amount + order.amount, coupons: sum.coupons + (order.coupon == null ? 0 : 1) }),
      { storeName: 'totals', value: Serdes.avro<Total>({ registry, schema: total }) },
    )
    .toStream()
    .to('totals', { value: Serdes.avro<Total>({ registry, schema: total }) });
  return b.build();
}

describe('an Avro topology in the TopologyTestDriver', () => {
  it('reads records of two writer schema versions, aggregates, writes Avro and dead-letters bytes without the magic byte', () => {
    const registry = new InMemorySchemaRegistry();
    const driver = new TopologyTestDriver(totalsTopology(registry), { errorPolicies: { deserialization: deadLetter('orders-dlq') } });
    // Producers of both schema versions write to the same topic.
    const v1 = driver.createInputTopic('orders', Serdes.string(), Serdes.avro<Order>({ registry, schema: orderV1 }));
    const v2 = driver.createInputTopic('orders', Serdes.string(), Serdes.avro<Order>({ registry, schema: orderV2 }));
    const raw = driver.createInputTopic('orders', Serdes.string(), Serdes.bytes());
    v1.pipeInput('ann', { customer: 'ann', amount: 10 }, 1);
    raw.pipeInput('ann', Buffer.from('{"customer":"ann","amount":99}'), 2);
    v2.pipeInput('ann', { customer: 'ann', amount: 5, coupon: 'SAVE5' }, 3);
    v1.pipeInput('bob', { customer: 'bob', amount: 7 }, 4);

    const totals = driver.createOutputTopic('totals', Serdes.string(), Serdes.avro<Total>({ registry })).readKeyValuesToList();
    expect(totals).toEqual([
      ['ann', { customer: 'ann', orders: 1, amount: 10, coupons: 0 }],
      ['ann', { customer: 'ann', orders: 2, amount: 15, coupons: 1 }],
      ['bob', { customer: 'bob', orders: 1, amount: 7, coupons: 0 }],
    ]);

    const dead = driver.createOutputTopic('orders-dlq', Serdes.string(), Serdes.bytes()).readRecordsToList();
    expect(dead).toHaveLength(1);
    expect(dead[0]!.value!.toString()).toBe('{"customer":"ann","amount":99}');
    expect(dead[0]!.headers).toMatchObject({ [DeadLetterHeaders.errorClass]: 'DeserializationError', [DeadLetterHeaders.phase]: 'deserialization' });
    expect(String(dead[0]!.headers[DeadLetterHeaders.errorMessage])).toMatch(/magic byte 0/);

    // Both order versions under one subject; the output and the store's changelog have their own subjects.
    expect(registry.subjects()).toEqual(['orders-value', 'test-app-totals-changelog-value', 'totals-value']);
    expect(registry.versions('orders-value')).toHaveLength(2);
    const changelog = driver.createOutputTopic('test-app-totals-changelog', Serdes.string(), Serdes.avro<Total>({ registry, schema: total }));
    expect(changelog.readKeyValuesToList().at(-1)).toEqual(['bob', { customer: 'bob', orders: 1, amount: 7, coupons: 0 }]);
    driver.close();
  });

  it('dead-letters a record whose schema id the registry does not know', () => {
    const registry = new InMemorySchemaRegistry();
    const driver = new TopologyTestDriver(totalsTopology(registry), { errorPolicies: { deserialization: deadLetter('orders-dlq') } });
    driver.createInputTopic('orders', Serdes.string(), Serdes.bytes()).pipeInput('ann', Buffer.from([0, 0, 0, 0, 77, 0x06, 0x61, 0x6e, 0x6e, 0x02]), 1);
    const dead = driver.createOutputTopic('orders-dlq', Serdes.string(), Serdes.bytes()).readRecordsToList();
    expect(dead.map((r) => String(r.headers[DeadLetterHeaders.errorMessage]))).toEqual([expect.stringMatching(/unknown writer schema id 77/)]);
    expect(driver.createOutputTopic('totals', Serdes.string(), Serdes.bytes()).isEmpty()).toBe(true);
    driver.close();
  });
});
