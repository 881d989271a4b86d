import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../dsl/streams-builder.js';
import { ConfigError, deadLetter, DeadLetterHeaders, DeserializationError, logAndContinue, type OutgoingRecord } from '../errors.js';
import { type InMemoryConsumer, InMemoryKafka } from '../kafka/in-memory-kafka.js';
import type { ConsumedBatch, ConsumedRecord, ConsumerHandlers, KafkaPort } from '../kafka/port.js';
import { InMemorySchemaRegistry } from '../serde/avro/in-memory-schema-registry.js';
import type { SchemaRegistryClient } from '../serde/avro/schema-registry.js';
import type { Serde } from '../serde/serde.js';
import { Serdes } from '../serde/serdes.js';
import type { KeyValueStore } from '../state/key-value-store.js';
import type { RestoreProgress } from '../state/restore.js';
import { GlobalStateUpdater } from './global-state-updater.js';
import { KafkaStreams } from './kafka-streams.js';

/** Values are strings; the bytes `bad` cannot be deserialized. */
const strictString: Serde<string> = {
  serialize: (value) => Buffer.from(value),
  deserialize: (bytes) => {
    if (bytes.toString() === 'bad') throw new Error('not a valid value');
    return bytes.toString();
  },
};

/** The shared in-memory Kafka, seen as these tests need it; `readToEnd` and update consumers read the same logs. */
function memoryKafka(topics: Record<string, number>) {
  // Batches of two: a partition of three records is restored in two batches, as a fetch would split them.
  const kafka = new InMemoryKafka(topics, { maxBatchRecords: 2 });
  const write = (topic: string, partition: number, key: string, value: string | Buffer | null): void =>
    void kafka.append(topic, partition, { key: Buffer.from(key), value: typeof value === 'string' ? Buffer.from(value) : value });
  /** Delivers a partition's records from `from` to the consumer reading its topic, as a fresh group reads them. */
  const deliver = async (topic: string, partition: number, from = 0, to?: number): Promise<void> => {
    const consumer = kafka.consumers.find((c) => c.handlers !== undefined && c.topics.includes(topic))!;
    const log = kafka.log(topic, partition);
    const batch: ConsumedBatch = { topic, partition, records: log.slice(from, to), highWatermark: log.length };
    await kafka.batch(batch, consumer);
  };
  return {
    port: kafka as KafkaPort,
    write,
    deliver,
    /** The consumers that run. */
    get consumers(): (InMemoryConsumer & { handlers: ConsumerHandlers })[] {
      return kafka.consumers.filter((c): c is InMemoryConsumer & { handlers: ConsumerHandlers } => c.handlers !== undefined);
    },
    produced: kafka.produced,
    get producers(): { transactional: boolean; closed: boolean }[] {
      return kafka.producers.map((p) => ({ transactional: p.options.transactionalId !== undefined, closed: p.closed }));
    },
    reads: kafka.reads,
  };
}

function countries(errorPolicies?: ConstructorParameters<typeof GlobalStateUpdater>[0]['errorPolicies']) {
  const b = new StreamsBuilder();
  b.globalTable('countries', { key: Serdes.string(), value: strictString, storeName: 'countries' });
  b.stream('orders', { key: Serdes.string(), value: Serdes.string() }).to('out');
  return { topology: b.build(), errorPolicies };
}

const options = (kafka: ReturnType<typeof memoryKafka>, extra: Partial<ConstructorParameters<typeof GlobalStateUpdater>[0]> = {}) => ({
  ...countries(),
  applicationId: 'app',
  instanceId: 'i1',
  kafka: kafka.port,
  readCommitted: false,
  ...extra,
});

const contents = (updater: GlobalStateUpdater): [string, string][] =>
  [...(updater.stores.get('countries') as KeyValueStore<string, string>).all()].map(([k, v]) => [k, v]);

describe('GlobalStateUpdater', () => {
  it('loads every partition to its end offsets with updates and tombstones, reporting progress', async () => {
    const kafka = memoryKafka({ countries: 2 });
    kafka.write('countries', 0, 'de', 'Germany');
    kafka.write('countries', 0, 'fr', 'France');
    kafka.write('countries', 0, 'de', 'Deutschland');
    kafka.write('countries', 1, 'it', 'Italy');
    kafka.write('countries', 1, 'es', 'Spain');
    kafka.write('countries', 1, 'it', null);
    const progress: RestoreProgress[] = [];
    const updater = new GlobalStateUpdater(options(kafka, { readCommitted: true, onProgress: (p) => progress.push(p) }));
    const loaded = await updater.start(await kafka.port.admin());

    expect(loaded.records).toBe(6);
    expect(contents(updater).sort()).toEqual([
      ['de', 'Deutschland'],
      ['es', 'Spain'],
      ['fr', 'France'],
    ]);
    expect(kafka.reads).toEqual([{ readCommitted: true, partitions: ['countries-0@3', 'countries-1@3'] }]);
    expect(progress.map((p) => [p.storeName, p.partition, p.restored, p.endOffset, p.lastOffset])).toEqual([
      ['countries', 0, 2, 3, 1],
      ['countries', 0, 3, 3, 2],
      ['countries', 1, 2, 3, 1],
      ['countries', 1, 3, 3, 2],
    ]);
    // Updates come from a consumer group of its own (every partition), reading committed records only.
    expect(kafka.consumers).toHaveLength(1);
    expect(kafka.consumers[0]!.topics).toEqual(['countries']);
    expect(kafka.consumers[0]!.options.groupId).toMatch(/^app-global-i1-/);
    expect(kafka.consumers[0]!.options.readCommitted).toBe(true);
    await updater.close();
  });

  it('applies updates after the bootstrap, skipping the records the bootstrap applied', async () => {
    const kafka = memoryKafka({ countries: 1 });
    kafka.write('countries', 0, 'de', 'Germany');
    kafka.write('countries', 0, 'de', 'Deutschland');
    const updater = new GlobalStateUpdater(options(kafka));
    await updater.start(await kafka.port.admin());
    kafka.write('countries', 0, 'fr', 'France');
    kafka.write('countries', 0, 'de', null);
    // Once assigned, the update consumer seeks past the bootstrap; should records below still arrive (a fetch
    // from before the seek), re-applying 'Germany' would show an old value for a while, so they are skipped.
    const consumer = kafka.consumers[0]!;
    consumer.handlers.onAssigned([{ topic: 'countries', partition: 0 }]);
    expect(consumer.seeks).toEqual(['countries-0@2']);
    await kafka.deliver('countries', 0, 0, 1);
    expect(contents(updater)).toEqual([['de', 'Deutschland']]);
    await kafka.deliver('countries', 0, 0);
    expect(contents(updater)).toEqual([['fr', 'France']]);
    expect(updater.appliedRecords).toBe(4);
    await updater.close();
    expect(consumer.closed).toBe(true);
  });

  it('sends global records that cannot be deserialized to the dead-letter topic, outside any transaction', async () => {
    const kafka = memoryKafka({ countries: 1 });
    kafka.write('countries', 0, 'de', 'bad');
    kafka.write('countries', 0, 'fr', 'France');
    const updater = new GlobalStateUpdater(options(kafka, { errorPolicies: { deserialization: deadLetter('countries-dlq') } }));
    await updater.start(await kafka.port.admin());
    kafka.write('countries', 0, 'it', 'bad');
    await kafka.deliver('countries', 0, 2);
    expect(contents(updater)).toEqual([['fr', 'France']]);
    expect(kafka.produced.map((r) => [r.topic, r.key?.toString(), r.headers[DeadLetterHeaders.offset]])).toEqual([
      ['countries-dlq', 'de', '0'],
      ['countries-dlq', 'it', '2'],
    ]);
    expect(kafka.producers).toEqual([{ transactional: false, closed: false }]);
    await updater.close();
    expect(kafka.producers[0]!.closed).toBe(true);
  });

  it('skips bad global records under log-and-continue', async () => {
    const kafka = memoryKafka({ countries: 1 });
    kafka.write('countries', 0, 'de', 'bad');
    kafka.write('countries', 0, 'fr', 'France');
    const updater = new GlobalStateUpdater(options(kafka, { errorPolicies: { deserialization: logAndContinue() } }));
    await updater.start(await kafka.port.admin());
    expect(contents(updater)).toEqual([['fr', 'France']]);
    expect(kafka.produced).toEqual([]);
    await updater.close();
  });

  it('fails the bootstrap under log-and-fail, and reports a bad update through onError', async () => {
    const kafka = memoryKafka({ countries: 1 });
    kafka.write('countries', 0, 'de', 'bad');
    const failing = new GlobalStateUpdater(options(kafka));
    const failure = await failing.start(await kafka.port.admin()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeserializationError);
    expect(kafka.consumers).toHaveLength(0);
    await failing.close();

    const clean = memoryKafka({ countries: 1 });
    const errors: Error[] = [];
    const updater = new GlobalStateUpdater(options(clean, { onError: (e) => errors.push(e) }));
    await updater.start(await clean.port.admin());
    clean.write('countries', 0, 'de', 'bad');
    await clean.deliver('countries', 0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(DeserializationError);
    await updater.close();
  });

  it('rejects a global topic that does not exist, and a topology without global table', async () => {
    const kafka = memoryKafka({});
    const updater = new GlobalStateUpdater(options(kafka));
    await expect(updater.start(await kafka.port.admin())).rejects.toThrow(/global table topic countries does not exist/);
    const b = new StreamsBuilder();
    b.stream('orders', { key: Serdes.string(), value: Serdes.string() }).to('out');
    expect(() => new GlobalStateUpdater({ ...options(kafka), topology: b.build() })).toThrow(ConfigError);
  });
});

describe('GlobalStateUpdater with Avro values and a registry that answers asynchronously', () => {
  interface Country {
    name: string;
    capital?: string | null;
  }
  const v1 = { type: 'record', name: 'Country', fields: [{ name: 'name', type: 'string' }] };
  const v2 = { ...v1, fields: [...v1.fields, { name: 'capital', type: ['null', 'string'], default: null }] };

  it('fetches the writer schemas of the records it loads and of the updates before applying them', async () => {
    const memory = new InMemorySchemaRegistry();
    // The registry without its synchronous answers, as a registry across the network behaves.
    const registry: SchemaRegistryClient = {
      register: (subject, schema) => memory.register(subject, schema),
      lookup: (subject, schema) => memory.lookup(subject, schema),
      schemaById: (id) => memory.schemaById(id),
      latest: (subject) => memory.latest(subject),
    };
    const b = new StreamsBuilder();
    b.globalTable('countries', { key: Serdes.string(), value: Serdes.avro<Country>({ registry, schema: v2 }), storeName: 'countries' });
    b.stream('orders', { key: Serdes.string(), value: Serdes.string() }).to('out');
    const kafka = memoryKafka({ countries: 1 });
    kafka.write('countries', 0, 'de', Serdes.avro<Country>({ registry: memory, schema: v1 }).serialize({ name: 'Germany' }, 'countries'));
    const updater = new GlobalStateUpdater({ topology: b.build(), applicationId: 'app', instanceId: 'i1', kafka: kafka.port, readCommitted: false });
    await updater.start(await kafka.port.admin());
    const store = () => [...(updater.stores.get('countries') as KeyValueStore<string, Country>).all()].map(([k, v]) => [k, { ...v }]);
    expect(store()).toEqual([['de', { name: 'Germany', capital: null }]]);

    kafka.write('countries', 0, 'fr', Serdes.avro<Country>({ registry: memory, schema: { ...v2, doc: 'with capitals' } }).serialize({ name: 'France', capital: 'Paris' }, 'countries'));
    kafka.consumers[0]!.handlers.onAssigned([{ topic: 'countries', partition: 0 }]);
    await kafka.deliver('countries', 0, 1);
    expect(store()).toEqual([
      ['de', { name: 'Germany', capital: null }],
      ['fr', { name: 'France', capital: 'Paris' }],
    ]);
    await updater.close();
  });
});

describe('KafkaStreams with a global table', () => {
  function ordersTopology() {
    const b = new StreamsBuilder();
    const countries = b.globalTable('countries', { key: Serdes.string(), value: strictString, storeName: 'countries' });
    b.stream('orders', { key: Serdes.string(), value: Serdes.string() })
      .leftJoin(countries, (_order, code) => code, (code, country) => `${code}=${country ?? 'none'}`)
      .to('out', { key: Serdes.string(), value: Serdes.string() });
    return b.build();
  }

  it('loads the global table before the stream consumer starts, joins with it, serves it and stops its consumer on close', async () => {
    const kafka = memoryKafka({ countries: 2, orders: 1, out: 1 });
    kafka.write('countries', 0, 'de', 'Germany');
    kafka.write('countries', 1, 'fr', 'France');
    kafka.write('countries', 1, 'fr', null);
    const app = new KafkaStreams(ordersTopology(), { applicationId: 'shop', instanceId: 'i1', kafka: kafka.port, commitIntervalMs: 60_000 });
    const restored: { task: string; records: number }[] = [];
    app.on('restored', (info) => restored.push(info));
    const view = app.store<string, string>('countries');
    expect(view.approximateNumEntries()).toBe(0);
    await app.start();
    expect(restored).toEqual([expect.objectContaining({ task: 'global', records: 3 })]);
    expect(kafka.consumers.map((c) => c.options.groupId)).toEqual([expect.stringMatching(/^shop-global-i1-/), 'shop']);
    expect([...app.store<string, string>('countries').all()]).toEqual([['de', 'Germany']]);
    expect(view.get('de')).toBe('Germany');

    const [global, main] = kafka.consumers as [(typeof kafka.consumers)[0], (typeof kafka.consumers)[0]];
    main.handlers.onAssigned([{ topic: 'orders', partition: 0 }]);
    for (let i = 0; i < 100 && app.state !== 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 5));
    expect(app.taskIds).toEqual(['1_0']);
    const order = (offset: number, code: string): ConsumedRecord => ({ offset, key: Buffer.from(`o${offset}`), value: Buffer.from(code), timestamp: 5000 + offset, headers: {} });
    await main.handlers.onBatch({ topic: 'orders', partition: 0, records: [order(0, 'de'), order(1, 'fr')], highWatermark: 2 });
    kafka.write('countries', 1, 'fr', 'France');
    await kafka.deliver('countries', 1);
    expect(app.store<string, string>('countries').get('fr')).toBe('France');
    await main.handlers.onBatch({ topic: 'orders', partition: 0, records: [order(2, 'fr')], highWatermark: 3 });
    await app.close();
    expect(kafka.produced.filter((r) => r.topic === 'out').map((r) => `${r.key}|${r.value}`)).toEqual(['o0|de=Germany', 'o1|fr=none', 'o2|fr=France']);
    expect(global.closed).toBe(true);
    expect(app.state).toBe('NOT_RUNNING');
  });

  it('fails start() when the global topic does not exist', async () => {
    const kafka = memoryKafka({ orders: 1, out: 1 });
    const app = new KafkaStreams(ordersTopology(), { applicationId: 'shop', kafka: kafka.port });
    await expect(app.start()).rejects.toThrow(/global table topic countries does not exist/);
    expect(app.state).toBe('ERROR');
  });
});
