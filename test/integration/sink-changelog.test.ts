// KTable changelogs (key -> value, or tombstone) kept as incrementally refreshed tables, windowed
// aggregates included.
import { describe, expect, it } from 'vitest';
import {
  createTopics, produce, query, randomName, sinkConfig, sinkTestContext, startSink, waitForRecords, type TestMessage,
} from './sink-helpers.js';

const ctx = sinkTestContext();

function timeWindowedKey(key: string, startMs: number): Buffer {
  const start = Buffer.alloc(8);
  start.writeBigInt64BE(BigInt(startMs));
  return Buffer.concat([Buffer.from(key, 'utf8'), start]);
}

const t0 = Date.UTC(2024, 0, 15, 10, 30);
const minutes = (n: number) => n * 60_000;

describe('sink: KTable changelogs', () => {
  it('keeps a windowed aggregate (json-windowed keys) as a table: updates replace, tombstones remove', async () => {
    const topic = randomName('page_views_5m');
    await createTopics(ctx, [topic], 2);
    const key = (page: string, start: number) => JSON.stringify({ key: { page }, window: { start, end: start + minutes(5) } });
    const messages: TestMessage[] = [
      { key: key('/home', t0), value: '{"views":1,"clicks":0}' },
      { key: key('/home', t0), value: '{"views":2,"clicks":1}' },
      { key: key('/cart', t0), value: '{"views":1,"clicks":1}' },
      { key: key('/home', t0 + minutes(5)), value: '{"views":1,"clicks":0}' },
      { key: key('/cart', t0), value: '{"views":4,"clicks":2}' },
      { key: key('/gone', t0), value: '{"views":1,"clicks":0}' },
      { key: key('/gone', t0), value: null },
    ];
    await produce(ctx, topic, messages);
    const sink = await startSink(ctx, sinkConfig(ctx, {
      topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'delete.enabled': true,
      'schema.evolution': 'basic', 'key.window': 'json',
    }));
    await waitForRecords(sink, messages.length);
    const rows = await query(ctx, `SELECT page, to_char(window_start AT TIME ZONE 'UTC', 'HH24:MI') AS start,
      to_char(window_end AT TIME ZONE 'UTC', 'HH24:MI') AS "end", views::int, clicks::int FROM "${topic}" ORDER BY page, window_start`);
    expect(rows).toEqual([
      { page: '/cart', start: '10:30', end: '10:35', views: 4, clicks: 2 },
      { page: '/home', start: '10:30', end: '10:35', views: 2, clicks: 1 },
      { page: '/home', start: '10:35', end: '10:40', views: 1, clicks: 0 },
    ]);
    const key_columns = await query(ctx, `SELECT array_agg(a.attname::text ORDER BY a.attname) AS cols FROM pg_index i
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = $1::regclass AND i.indisprimary`, [`"${topic}"`]);
    expect(key_columns[0]!['cols']).toEqual(['page', 'window_end', 'window_start']);
  });

  it('reads Kafka Streams binary time-windowed string keys and primitive count values', async () => {
    const topic = randomName('counts');
    await createTopics(ctx, [topic]);
    const messages: TestMessage[] = [
      { key: timeWindowedKey('alice', t0), value: '1' },
      { key: timeWindowedKey('alice', t0), value: '2' },
      { key: timeWindowedKey('bob', t0), value: '1' },
      { key: timeWindowedKey('alice', t0 + minutes(1)), value: '7' },
    ];
    await produce(ctx, topic, messages);
    const sink = await startSink(ctx, sinkConfig(ctx, {
      topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'primary.key.fields': 'user',
      'schema.evolution': 'basic', 'key.format': 'string', 'key.window': 'time', 'key.window.size.ms': minutes(1),
    }));
    await waitForRecords(sink, messages.length);
    expect(await query(ctx, `SELECT "user", to_char(window_start AT TIME ZONE 'UTC', 'HH24:MI') AS start, value::int FROM "${topic}" ORDER BY 1, 2`)).toEqual([
      { user: 'alice', start: '10:30', value: 2 },
      { user: 'alice', start: '10:31', value: 7 },
      { user: 'bob', start: '10:30', value: 1 },
    ]);
  });
});
