// insert.mode insert and update, primary.key.mode none, and truncate events.
import { describe, expect, it } from 'vitest';
import {
  createTopics, produce, query, randomName, sinkConfig, sinkTestContext, startSink, waitForRecords,
} from './sink-helpers.js';

const ctx = sinkTestContext();

describe('sink: insert modes', () => {
  it('insert with no primary key appends every record, duplicates included', async () => {
    const topic = randomName('events');
    await createTopics(ctx, [topic]);
    const messages = Array.from({ length: 25 }, (_, i) => ({ key: null, value: JSON.stringify({ kind: i % 2 === 0 ? 'view' : 'click', n: i % 5 }) }));
    await produce(ctx, topic, messages);
    const sink = await startSink(ctx, sinkConfig(ctx, { topics: topic, 'schema.evolution': 'basic' }));
    await waitForRecords(sink, messages.length);
    expect(await query(ctx, `SELECT kind, n::int, count(*)::int AS c FROM "${topic}" GROUP BY 1, 2 ORDER BY 1, 2`)).toEqual([
      { kind: 'click', n: 0, c: 2 }, { kind: 'click', n: 1, c: 3 }, { kind: 'click', n: 2, c: 2 }, { kind: 'click', n: 3, c: 3 }, { kind: 'click', n: 4, c: 2 },
      { kind: 'view', n: 0, c: 3 }, { kind: 'view', n: 1, c: 2 }, { kind: 'view', n: 2, c: 3 }, { kind: 'view', n: 3, c: 2 }, { kind: 'view', n: 4, c: 3 },
    ]);
    const pk = await query(ctx, `SELECT count(*)::int AS c FROM pg_index WHERE indrelid = $1::regclass AND indisprimary`, [`"${topic}"`]);
    expect(pk).toEqual([{ c: 0 }]);
  });

  it('update changes existing rows only', async () => {
    const topic = randomName('accounts');
    await createTopics(ctx, [topic]);
    await ctx.pool.query(`CREATE TABLE "${topic}" (id integer PRIMARY KEY, owner text, balance numeric(12, 2))`);
    await ctx.pool.query(`INSERT INTO "${topic}" VALUES (1, 'ann', 10), (2, 'ben', 20)`);
    await produce(ctx, topic, [
      { key: '{"id":1}', value: '{"id":1,"owner":"ann","balance":11.5}' },
      { key: '{"id":3}', value: '{"id":3,"owner":"cy","balance":30}' },
      { key: '{"id":1}', value: '{"id":1,"owner":"ann","balance":12.25}' },
    ]);
    const sink = await startSink(ctx, sinkConfig(ctx, { topics: topic, 'insert.mode': 'update', 'primary.key.mode': 'record_key' }));
    await waitForRecords(sink, 3);
    expect(await query(ctx, `SELECT id, owner, balance::text FROM "${topic}" ORDER BY id`)).toEqual([
      { id: 1, owner: 'ann', balance: '12.25' },
      { id: 2, owner: 'ben', balance: '20.00' },
    ]);
  });

  it('truncate events empty the table when truncate.enabled=true', async () => {
    const topic = randomName('truncated');
    await createTopics(ctx, [topic]);
    const event = (op: string, after: object | null) => JSON.stringify({ before: null, after, source: { schema: 'public', table: 't' }, op, ts_ms: 1 });
    await produce(ctx, topic, [
      { key: '{"id":1}', value: event('c', { id: 1, v: 'a' }) },
      { key: '{"id":2}', value: event('c', { id: 2, v: 'b' }) },
      { key: null, value: event('t', null) },
      { key: '{"id":3}', value: event('c', { id: 3, v: 'c' }) },
    ]);
    const sink = await startSink(ctx, sinkConfig(ctx, {
      topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'truncate.enabled': true, 'schema.evolution': 'basic',
    }));
    await waitForRecords(sink, 4);
    expect(await query(ctx, `SELECT id::int, v FROM "${topic}" ORDER BY id`)).toEqual([{ id: 3, v: 'c' }]);
  });
});
