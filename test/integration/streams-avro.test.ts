// Real Kafka, Avro values through a schema registry: a producer registers its schema and writes Avro orders,
// a KafkaStreams app totals them per customer into an Avro table (changelog and output registered by the
// app), the producer moves to a new schema version with an optional field mid-stream, and one record
// without the wire format's magic byte goes to the dead-letter topic. Finally the app is upgraded to a new
// version of its own Avro output and store schema and restarted: it restores its store from the old changelog.
//
// The registry is startSchemaRegistryServer(): Tributary's in-process server for the part of Confluent's
// REST API the client uses (see its header). The app and the producer talk to it over HTTP with
// @kafkajs/confluent-schema-registry, as they would to Confluent's registry, but it checks no compatibility.
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetterHeaders, KafkaStreams, Serdes, StreamsBuilder, confluentSchemaRegistry, deadLetter } from '../../src/index.js';
import { startSchemaRegistryServer, type SchemaRegistryServer } from '../../src/testing/index.js';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { createTopics, kafkaSuite, readRecords } from './streams-harness.js';

const running: KafkaStreams[] = [];
const { brokers, kafka, admin } = kafkaSuite(() => Promise.all(running.map((app) => app.close())));

let server: SchemaRegistryServer;
beforeAll(async () => {
  server = await startSchemaRegistryServer();
});
afterAll(() => server.close());

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
  /** Since version 2 of the app's Total schema. */
  maxAmount?: number;
}

const orderV1 = { type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'customer', type: 'string' }, { name: 'amount', type: 'long' }] };
const orderV2 = { ...orderV1, fields: [...orderV1.fields, { name: 'coupon', type: ['null', 'string'], default: null }] };
const totalSchema = {
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
/** The upgraded app's Total: a new field with a default, so totals restored from the old changelog resolve. */
const totalSchemaV2 = { ...totalSchema, fields: [...totalSchema.fields, { name: 'maxAmount', type: 'long', default: 0 }] };

function totalsApp(applicationId: string, input: string, output: string, dlq: string, version: 1 | 2 = 1): KafkaStreams {
  // The app's own registry client: it shares nothing with the producer's but the server.
  const registry = confluentSchemaRegistry({ host: server.url });
  const totals = Serdes.avro<Total>({ registry, schema: version === 1 ? totalSchema : totalSchemaV2 });
  const builder = new StreamsBuilder();
  builder
    .stream(input, { key: Serdes.string(), value: Serdes.avro<Order>({ registry, schema: orderV2 }) })
    .groupByKey()
    .aggregate<Total>(
      () => ({ customer: '', orders: 0, amount: 0, coupons: 0 }),
      (customer, order, sum) => ({
        customer,
        orders: sum.orders + 1,
        amount: sum.amount + order.amount,
        coupons: sum.coupons + (order.coupon == null ? 0 : 1),
        ...(version === 2 ? { maxAmount: Math.max(sum.maxAmount ?? 0, order.amount) } : {}),
      }),
      { storeName: 'totals', value: totals },
    )
    .toStream()
    .to(output, { key: Serdes.string(), value: totals });
  const app = new KafkaStreams(builder.build(), { applicationId, brokers, guarantee: 'at_least_once', commitIntervalMs: 100, errorPolicies: { deserialization: deadLetter(dlq) } });
  running.push(app);
  return app;
}

async function produce(topic: string, messages: { key: string; value: Buffer }[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages });
  await producer.disconnect();
}

/** Follows a topic from the beginning; `latest` holds the last value per key, decoded with its writer schema. */
async function follow(client: Kafka, topic: string) {
  const reader = Serdes.avro<Total>({ registry: confluentSchemaRegistry({ host: server.url }) });
  const latest = new Map<string, Total>();
  const consumer = client.consumer({ groupId: randomName('reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const values = batch.messages.map((m) => m.value!);
      await reader.prefetch(values, topic);
      for (const m of batch.messages) latest.set(m.key!.toString(), { ...reader.deserialize(m.value!, topic) });
    },
  });
  return { latest, stop: () => consumer.disconnect() };
}

/** Totals of `orders`; `maxAmount` over the orders from `upgradedFrom` on (the upgraded app's new field). */
function expected(orders: Order[], upgradedFrom?: number): Map<string, Total> {
  const totals = new Map<string, Total>();
  orders.forEach((o, i) => {
    const t = totals.get(o.customer) ?? { customer: o.customer, orders: 0, amount: 0, coupons: 0 };
    const next: Total = { customer: o.customer, orders: t.orders + 1, amount: t.amount + o.amount, coupons: t.coupons + (o.coupon == null ? 0 : 1) };
    if (upgradedFrom !== undefined && i >= upgradedFrom) next.maxAmount = Math.max(t.maxAmount ?? 0, o.amount);
    totals.set(o.customer, next);
  });
  return totals;
}

const sameTotals = (actual: Map<string, Total>, want: Map<string, Total>): boolean =>
  actual.size === want.size && [...want].every(([k, v]) => JSON.stringify(actual.get(k)) === JSON.stringify(v));

describe('KafkaStreams with Avro serdes and a schema registry on real Kafka', () => {
  it('totals Avro orders across a writer schema change, dead-letters a record without the magic byte, and restores its Avro store after an upgrade', async () => {
    const applicationId = randomName('avro_app');
    const input = randomTopic('avro_orders');
    const output = randomTopic('avro_totals');
    const dlq = randomTopic('avro_dlq');
    await createTopics(admin, [
      { topic: input, partitions: 2 },
      { topic: output, partitions: 2 },
      { topic: dlq, partitions: 1 },
    ]);
    const customers = ['ann', 'bob', 'cyd', 'dan', 'eve'];
    let second: Order[] = [];
    const producerRegistry = confluentSchemaRegistry({ host: server.url });
    const writeV1 = Serdes.avro<Order>({ registry: producerRegistry, schema: orderV1 });
    const writeV2 = Serdes.avro<Order>({ registry: producerRegistry, schema: orderV2 });
    await writeV1.prepare(input);

    const first: Order[] = Array.from({ length: 40 }, (_, i) => ({ customer: customers[i % 5]!, amount: i + 1 }));
    await produce(input, first.map((o) => ({ key: o.customer, value: writeV1.serialize(o, input) })));

    const app = totalsApp(applicationId, input, output, dlq);
    await app.start();
    const totals = await follow(kafka, output);
    const bad = Buffer.from(JSON.stringify({ customer: 'ann', amount: 1_000_000 }));
    try {
      await waitFor(() => sameTotals(totals.latest, expected(first)), { timeoutMs: 90_000, description: 'totals of the first schema version' });

      // Mid-stream the producer moves to version 2 (a new optional field); the app has never seen its id.
      await writeV2.prepare(input);
      second = Array.from({ length: 30 }, (_, i) => ({ customer: customers[(i * 3) % 5]!, amount: 100 + i, coupon: i % 3 === 0 ? `C${i}` : null }));
      await produce(input, [
        ...second.slice(0, 15).map((o) => ({ key: o.customer, value: writeV2.serialize(o, input) })),
        { key: 'ann', value: bad },
        ...second.slice(15).map((o) => ({ key: o.customer, value: writeV2.serialize(o, input) })),
      ]);
      await waitFor(() => sameTotals(totals.latest, expected([...first, ...second])), { timeoutMs: 90_000, description: 'totals across both schema versions' });
    } finally {
      await totals.stop();
    }

    const letters = await readRecords(kafka, dlq, 1);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.key).toBe('ann');
    expect(letters[0]!.value.equals(bad)).toBe(true);
    expect(letters[0]!.headers[DeadLetterHeaders.errorClass]).toBe('DeserializationError');
    expect(letters[0]!.headers[DeadLetterHeaders.errorMessage]).toMatch(/magic byte 0/);
    expect(letters[0]!.headers[DeadLetterHeaders.topic]).toBe(input);

    // The input subject holds both versions; the app registered its output and its store's changelog.
    const v2Id = server.registry.versions(`${input}-value`)[1]!;
    expect(server.registry.versions(`${input}-value`)).toHaveLength(2);
    expect(server.registry.subjects()).toEqual(expect.arrayContaining([`${output}-value`, `${applicationId}-totals-changelog-value`]));
    expect(server.requests).toContain(`GET /schemas/ids/${v2Id}`);
    expect(app.state).toBe('RUNNING');
    await app.close();

    // The app is upgraded with a new Total version and restarted: its store is restored from a changelog
    // written with the old version, whose schema the new instance fetches by id before restoring.
    const upgraded = totalsApp(applicationId, input, output, dlq, 2);
    await upgraded.start();
    const third: Order[] = Array.from({ length: 10 }, (_, i) => ({ customer: customers[i % 5]!, amount: 1000 + i, coupon: null }));
    await produce(input, third.map((o) => ({ key: o.customer, value: writeV2.serialize(o, input) })));
    const after = await follow(kafka, output);
    try {
      const all = [...first, ...second, ...third];
      await waitFor(() => sameTotals(after.latest, expected(all, all.length - third.length)), { timeoutMs: 90_000, description: 'totals of the upgraded app after restoring its store' });
    } finally {
      await after.stop();
    }
    expect(server.registry.versions(`${applicationId}-totals-changelog-value`)).toHaveLength(2);
    expect(upgraded.state).toBe('RUNNING');
    await upgraded.close();
  });
});
