// A Tributary topology's count(), written with the default Serdes.long(), lands in PostgreSQL through the sink
// with value.converter=long; a value that is no long goes to the dead-letter topic with the reason.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KafkaStreams, Serdes, StreamsBuilder } from '../../src/index.js';
import { startSchemaRegistryServer } from '../../src/testing/schema-registry-server.js';
import {
  createTopics, produce, query, randomName, readTopic, sinkConfig, sinkTestContext, startSink, waitFor, waitForRecords,
} from './sink-helpers.js';

const ctx = sinkTestContext();

describe('sink: primitive serde values', () => {
  it('keeps a Serdes.long() count as a bigint column and dead-letters a value of the wrong size', async () => {
    const input = randomName('page_events');
    const output = randomName('page_counts');
    const dlq = `${output}-dlq`;
    await createTopics(ctx, [input, output, dlq]);

    const builder = new StreamsBuilder();
    builder.stream(input, { key: Serdes.string(), value: Serdes.string() })
      .groupByKey()
      .count({ storeName: 'page-counts' })
      .toStream()
      .to(output, { key: Serdes.string(), value: Serdes.long() });
    const app = new KafkaStreams(builder.build(), {
      applicationId: randomName('count_app'), brokers: ctx.brokers, guarantee: 'at_least_once',
      commitIntervalMs: 100, cacheMaxBytes: 0, logger: pino({ level: 'warn' }),
    });
    const pages = ['/home', '/cart', '/home', '/checkout', '/home', '/cart'];
    try {
      await app.start();
      await produce(ctx, input, pages.map((page) => ({ key: page, value: 'view' })));
      const sink = await startSink(ctx, sinkConfig(ctx, {
        topics: output, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'primary.key.fields': 'page',
        'key.format': 'string', 'schema.evolution': 'basic', 'value.converter': 'long',
        'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq,
      }));
      await waitForRecords(sink, pages.length);
      expect(await query(ctx, `SELECT page, value FROM "${output}" ORDER BY page`)).toEqual([
        { page: '/cart', value: '2' },
        { page: '/checkout', value: '1' },
        { page: '/home', value: '3' },
      ]);
      const types = await query(ctx, `SELECT data_type FROM information_schema.columns WHERE table_name = $1 AND column_name = 'value'`, [output]);
      expect(types).toEqual([{ data_type: 'bigint' }]);

      await produce(ctx, output, [{ key: '/home', value: Buffer.from([0, 0, 1]) }]);
      await waitFor(() => sink.stats().deadLettered === 1, { description: 'the short value on the dead-letter topic' });
      const [dead] = await readTopic(ctx, dlq, 1);
      expect(dead!.value).toEqual(Buffer.from([0, 0, 1]));
      expect(dead!.headers['__connect.errors.exception.message']).toMatch(/expects 8 bytes, the value has 3/);
      expect(await query(ctx, `SELECT value FROM "${output}" WHERE page = '/home'`)).toEqual([{ value: '3' }]);
    } finally {
      await app.close();
    }
  });

  it('keeps Serdes.avro records as typed columns, reading writer schemas from the registry server', async () => {
    const topic = randomName('page_stats_avro');
    await createTopics(ctx, [topic]);
    const server = await startSchemaRegistryServer();
    try {
      const schema = { type: 'record', name: 'PageStats', fields: [{ name: 'page', type: 'string' }, { name: 'views', type: 'long' }, { name: 'ctr', type: ['null', 'double'] }] };
      // written with the server's registry, so the sink must fetch the schema over HTTP
      const remote = Serdes.avro<{ page: string; views: number; ctr: number | null }>({ registry: server.registry.asRemote(), schema });
      await remote.prepare(topic);
      await produce(ctx, topic, [
        { key: '{"page":"/home"}', value: remote.serialize({ page: '/home', views: 3, ctr: 0.5 }, topic) },
        { key: '{"page":"/cart"}', value: remote.serialize({ page: '/cart', views: 1, ctr: null }, topic) },
      ]);
      const sink = await startSink(ctx, sinkConfig(ctx, {
        topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_value', 'primary.key.fields': 'page',
        'schema.evolution': 'basic', 'value.converter': 'avro', 'value.converter.schema.registry.url': server.url,
      }));
      await waitForRecords(sink, 2);
      expect(await query(ctx, `SELECT page, views, ctr FROM "${topic}" ORDER BY page`)).toEqual([
        { page: '/cart', views: '1', ctr: null },
        { page: '/home', views: '3', ctr: 0.5 },
      ]);
      expect(server.requests.some((r) => r.startsWith('GET /schemas/ids/'))).toBe(true);
    } finally {
      await server.close();
    }
  });
});
