// Real Kafka: a stream joined (join and leftJoin) with a GlobalKTable. The global topic is filled before start
// (inserts, updates, tombstones, a record that cannot be deserialized); every instance loads all of it before
// processing, applies later updates, and two instances of one application each hold the whole table while
// sharing the stream partitions. Under exactly_once the global topic is read read_committed.
import { describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { deadLetter, DeadLetterHeaders, KafkaStreams, Serdes, StreamsBuilder, type Serde, type Topology } from '../../src/index.js';
import { randomName, randomTopic, waitFor } from '../env/services.js';
import { createTopics, kafkaSuite } from './streams-harness.js';

const running: KafkaStreams[] = [];
const { brokers, kafka, admin } = kafkaSuite(() => Promise.all(running.map((app) => app.close())));

/** Country names; the bytes `bad` are not a valid value. */
const countryName: Serde<string> = {
  serialize: (value) => Buffer.from(value),
  deserialize: (bytes) => {
    const text = bytes.toString();
    if (text === 'bad') throw new Error(`not a country name: ${text}`);
    return text;
  },
};

interface Topics {
  readonly countries: string;
  readonly orders: string;
  readonly joined: string;
  readonly left: string;
  readonly dlq: string;
}

/** Orders (value = country code) joined with the country table on the order's value. */
function ordersWithCountries(t: Topics): Topology {
  const s = { key: Serdes.string(), value: Serdes.string() };
  const builder = new StreamsBuilder();
  const countries = builder.globalTable(t.countries, { key: Serdes.string(), value: countryName, storeName: 'countries' });
  const orders = builder.stream(t.orders, s);
  orders.join(countries, (_order, code) => code, (code, country) => `${code}=${country}`).to(t.joined, s);
  orders.leftJoin(countries, (_order, code) => code, (code, country) => `${code}=${country ?? 'none'}`).to(t.left, s);
  return builder.build();
}

async function newTopics(prefix: string): Promise<Topics> {
  const t = {
    countries: randomTopic(`${prefix}_countries`),
    orders: randomTopic(`${prefix}_orders`),
    joined: randomTopic(`${prefix}_joined`),
    left: randomTopic(`${prefix}_left`),
    dlq: randomTopic(`${prefix}_dlq`),
  };
  await createTopics(admin, [
    { topic: t.countries, partitions: 3 },
    { topic: t.orders, partitions: 2 },
    { topic: t.joined, partitions: 1 },
    { topic: t.left, partitions: 1 },
    { topic: t.dlq, partitions: 1 },
  ]);
  return t;
}

type Entry = readonly [key: string, value: string | null];

/**
 * `n` countries `c0..c(n-1)`, then every 5th renamed, every 7th deleted, and one record with a bad value
 * (which must not change the table). Returns the records in order and the table they make.
 */
function countryHistory(n: number): { records: Entry[]; table: Map<string, string> } {
  const records: Entry[] = [];
  for (let i = 0; i < n; i++) records.push([`c${i}`, `country-${i}`]);
  for (let i = 0; i < n; i += 5) records.push([`c${i}`, `country-${i}-renamed`]);
  for (let i = 0; i < n; i += 7) records.push([`c${i}`, null]);
  records.push([`c1`, 'bad']);
  const table = new Map<string, string>();
  for (const [k, v] of records) {
    if (v === 'bad') continue;
    if (v === null) table.delete(k);
    else table.set(k, v);
  }
  return { records, table };
}

async function produce(topic: string, entries: readonly Entry[], partitionOf?: (key: string) => number): Promise<void> {
  // Idempotent: a retried request must not append the same records twice.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({ topic, messages: entries.map(([key, value]) => ({ key, value, ...(partitionOf ? { partition: partitionOf(key) } : {}) })) });
  } finally {
    await producer.disconnect();
  }
}

/** Every record of the topics as `key|value` (or `key|value|dead-letter offset` for the dead-letter topic). */
async function readAll(k: Kafka, topics: readonly string[]) {
  const consumer = k.consumer({ groupId: randomName('reader'), readUncommitted: false });
  const byTopic = new Map<string, string[]>(topics.map((t) => [t, []]));
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const offset = message.headers?.[DeadLetterHeaders.offset];
      byTopic.get(topic)!.push(`${message.key?.toString()}|${message.value?.toString()}${offset === undefined ? '' : `|${offset.toString()}`}`);
    },
  });
  return { get: (topic: string) => [...byTopic.get(topic)!].sort(), close: () => consumer.disconnect() };
}

/** What join and leftJoin must output for orders `o<i>` with value `code`, given the table. */
function expectedJoins(orders: readonly Entry[], table: ReadonlyMap<string, string>): { joined: string[]; left: string[] } {
  const joined: string[] = [];
  const left: string[] = [];
  for (const [order, code] of orders) {
    const country = table.get(code!);
    if (country !== undefined) joined.push(`${order}|${code}=${country}`);
    left.push(`${order}|${code}=${country ?? 'none'}`);
  }
  return { joined: joined.sort(), left: left.sort() };
}

const sorted = (entries: Iterable<readonly [string, string]>): string[] => [...entries].map(([k, v]) => `${k}=${v}`).sort();

async function startApp(topology: Topology, applicationId: string, t: Topics, guarantee: 'at_least_once' | 'exactly_once', restored: { task: string; records: number }[] = []): Promise<KafkaStreams> {
  const app = new KafkaStreams(topology, {
    applicationId,
    brokers,
    guarantee,
    commitIntervalMs: 100,
    sessionTimeoutMs: 10_000,
    errorPolicies: { deserialization: deadLetter(t.dlq) },
  });
  running.push(app);
  app.on('restored', (info) => restored.push(info));
  await app.start();
  return app;
}

describe('GlobalKTable on real Kafka', () => {
  it('joins a stream with the whole pre-filled table, then sees updates; two instances each hold the whole table', async () => {
    const t = await newTopics('gt');
    const history = countryHistory(120);
    await produce(t.countries, history.records);
    const orders: Entry[] = [];
    for (let i = 0; i < 140; i++) orders.push([`o${i}`, `c${i}`]);
    await produce(t.orders, orders);

    const applicationId = randomName('gt_app');
    const restored: { task: string; records: number }[] = [];
    const first = await startApp(ordersWithCountries(t), applicationId, t, 'at_least_once', restored);
    // start() resolved after the load: the whole table is there before any order is processed.
    const globalRecords = (await admin.fetchTopicOffsets(t.countries)).reduce((n, o) => n + Number(o.high), 0);
    expect(globalRecords).toBe(history.records.length);
    expect(restored).toEqual([expect.objectContaining({ task: 'global', records: globalRecords })]);
    expect(sorted(first.store<string, string>('countries').all())).toEqual(sorted(history.table));

    const reader = await readAll(kafka, [t.joined, t.left, t.dlq]);
    try {
      const expected = expectedJoins(orders, history.table);
      expect(expected.joined.length).toBeGreaterThan(50);
      expect(expected.left.length - expected.joined.length).toBeGreaterThan(20);
      await waitFor(() => reader.get(t.left).length >= orders.length && reader.get(t.joined).length >= expected.joined.length, {
        timeoutMs: 60_000,
        description: 'join outputs of the first orders',
      });
      expect(reader.get(t.joined)).toEqual(expected.joined);
      expect(reader.get(t.left)).toEqual(expected.left);
      // The bad global record went to the dead-letter topic with its coordinates, and the table kept c1.
      expect(reader.get(t.dlq)).toEqual([expect.stringMatching(/^c1\|bad\|\d+$/)]);
      expect(first.store<string, string>('countries').get('c1')).toBe('country-1');

      // Updates after start: a rename, a delete and a new country, applied while running.
      const updates: Entry[] = [
        ['c2', 'country-2-updated'],
        ['c3', null],
        ['c500', 'country-500'],
      ];
      await produce(t.countries, updates);
      const table = new Map(history.table);
      for (const [k, v] of updates) {
        if (v === null) table.delete(k);
        else table.set(k, v);
      }
      await waitFor(() => sorted(first.store<string, string>('countries').all()).join() === sorted(table).join(), { description: 'global updates applied' });
      const later: Entry[] = [
        ['p1', 'c2'],
        ['p2', 'c3'],
        ['p3', 'c500'],
        ['p4', 'c4'],
      ];
      await produce(t.orders, later);
      // Each order is joined with the table as it was when the order was processed.
      const laterJoins = expectedJoins(later, table);
      const all = { joined: [...expected.joined, ...laterJoins.joined].sort(), left: [...expected.left, ...laterJoins.left].sort() };
      await waitFor(() => reader.get(t.left).length >= all.left.length && reader.get(t.joined).length >= all.joined.length, { description: 'join outputs of the later orders' });
      expect(reader.get(t.joined)).toEqual(all.joined);
      expect(reader.get(t.left)).toEqual(all.left);
      expect(laterJoins.joined).toEqual(['p1|c2=country-2-updated', 'p3|c500=country-500', 'p4|c4=country-4']);
      expect(laterJoins.left).toEqual(['p1|c2=country-2-updated', 'p2|c3=none', 'p3|c500=country-500', 'p4|c4=country-4']);

      // A second instance of the same application: the stream partitions are shared, the table is not.
      const second = await startApp(ordersWithCountries(t), applicationId, t, 'at_least_once');
      expect(sorted(second.store<string, string>('countries').all())).toEqual(sorted(table));
      await waitFor(() => first.state === 'RUNNING' && second.state === 'RUNNING' && first.taskIds.length === 1 && second.taskIds.length === 1, {
        timeoutMs: 60_000,
        description: 'two instances with one stream task each',
      });
      // Sub-topology 0 is the global store's (numbered in creation order); it creates no tasks.
      expect([...first.taskIds, ...second.taskIds].sort()).toEqual(['1_0', '1_1']);
      await produce(t.countries, [['c600', 'country-600']]);
      table.set('c600', 'country-600');
      for (const app of [first, second]) {
        await waitFor(() => sorted(app.store<string, string>('countries').all()).join() === sorted(table).join(), { description: `${app.instanceId} holds the whole table` });
      }
      // Orders on both partitions, each joined by the instance owning its partition.
      const last: Entry[] = [
        ['q0', 'c600'],
        ['q1', 'c600'],
        ['q2', 'c3'],
        ['q3', 'c8'],
      ];
      await produce(t.orders, last, (key) => Number(key.slice(1)) % 2);
      const lastJoins = expectedJoins(last, table);
      expect(lastJoins.left).toEqual(['q0|c600=country-600', 'q1|c600=country-600', 'q2|c3=none', 'q3|c8=country-8']);
      const final = { joined: [...all.joined, ...lastJoins.joined].sort(), left: [...all.left, ...lastJoins.left].sort() };
      await waitFor(() => reader.get(t.left).length >= final.left.length && reader.get(t.joined).length >= final.joined.length && reader.get(t.dlq).length >= 2, {
        timeoutMs: 60_000,
        description: 'join outputs on both instances and a dead letter from each',
      });
      expect(reader.get(t.joined)).toEqual(final.joined);
      expect(reader.get(t.left)).toEqual(final.left);
      // Every instance loads the global topic itself, so each sends the bad record to the dead-letter topic once.
      const deadLetters = reader.get(t.dlq);
      expect(deadLetters).toHaveLength(2);
      expect(deadLetters[1]).toBe(deadLetters[0]);
    } finally {
      await reader.close();
    }
    await Promise.all([first.close(), running.at(-1)!.close()]);
    expect(first.state).toBe('NOT_RUNNING');
  }, 300_000);

  it('under exactly_once loads only committed global records and ignores aborted ones', async () => {
    const t = await newTopics('gt_eos');
    const history = countryHistory(40);
    const producer = kafka.producer({ transactionalId: randomName('gt_writer'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const committed = await producer.transaction();
      await committed.send({ topic: t.countries, messages: history.records.map(([key, value]) => ({ key, value })) });
      await committed.commit();
      const aborted = await producer.transaction();
      await aborted.send({ topic: t.countries, messages: [{ key: 'c2', value: 'aborted' }, { key: 'c999', value: 'aborted' }] });
      await aborted.abort();
    } finally {
      await producer.disconnect();
    }
    const orders: Entry[] = [
      ['o1', 'c2'],
      ['o2', 'c999'],
      ['o3', 'c7'],
      ['o4', 'c10'],
    ];
    await produce(t.orders, orders);
    const app = await startApp(ordersWithCountries(t), randomName('gt_eos_app'), t, 'exactly_once');
    // Every partition of the global topic ends with a transaction marker: the load still completes.
    expect(sorted(app.store<string, string>('countries').all())).toEqual(sorted(history.table));
    const reader = await readAll(kafka, [t.joined, t.left]);
    try {
      const expected = expectedJoins(orders, history.table);
      expect(expected.left).toEqual(['o1|c2=country-2', 'o2|c999=none', 'o3|c7=none', 'o4|c10=country-10-renamed']);
      await waitFor(() => reader.get(t.left).length >= expected.left.length && reader.get(t.joined).length >= expected.joined.length, { timeoutMs: 60_000, description: 'committed join outputs' });
      expect(reader.get(t.joined)).toEqual(expected.joined);
      expect(reader.get(t.left)).toEqual(expected.left);
    } finally {
      await reader.close();
    }
    await app.close();
  }, 180_000);
});
