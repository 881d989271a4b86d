// Records whose content PostgreSQL cannot take (names over 63 bytes, empty or with NUL, 1,700 fields, invalid
// UTF-8, a table outside table.include.list) are bad records: they go to the dead-letter topic with the reason,
// every good record around them is written, and the sink keeps running. Under errors.tolerance=none the first
// one stops the sink with an error naming it, instead of failing while building CREATE/ALTER TABLE.
import { describe, expect, it } from 'vitest';
import { BadRecordError } from '../../connectors/postgres-sink/index.js';
import {
  committedOffset, createTopics, produce, query, randomName, readTopic, sinkConfig, sinkTestContext, startSink, waitForRecords,
  type TestMessage,
} from './sink-helpers.js';

const ctx = sinkTestContext();

const wide = Object.fromEntries(Array.from({ length: 1700 }, (_, i) => [`f${i}`, i]));
const invalidUtf8Value = Buffer.concat([Buffer.from('{"id":7,"name":"Gr'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
const invalidUtf8Key = Buffer.concat([Buffer.from('{"id":"k'), Buffer.from([0xff]), Buffer.from('"}')]);

/** Good records at offsets 0, 4 and 9; every other record is hostile. */
function hostileRecords(): TestMessage[] {
  return [
    { key: '{"id":1}', value: '{"id":1,"name":"Ann"}' },
    { key: '{"id":2}', value: JSON.stringify({ id: 2, ['x'.repeat(70)]: 'too long' }) },
    { key: '{"id":3}', value: JSON.stringify({ id: 3, '': 'empty name' }) },
    { key: '{"id":4}', value: JSON.stringify({ id: 4, 'a\u0000b': 'NUL' }) },
    { key: '{"id":5}', value: '{"id":5,"name":"Bo","x\\"; DROP TABLE victim; --":"quoted, not run"}' },
    { key: '{"id":6}', value: JSON.stringify({ id: 6, ...wide }) },
    { key: '{"id":7}', value: invalidUtf8Value },
    { key: invalidUtf8Key, value: '{"id":8,"name":"Key"}' },
    { key: '{"id":9}', value: '{"id":9,"name":{"nested":"object into text"},"age":"not a number"}' },
    { key: '{"id":10}', value: '{"id":10,"name":"Cy"}' },
  ];
}

describe('sink: hostile records', () => {
  it('dead-letters every record PostgreSQL cannot take, writes every good one, and commits past them', async () => {
    const topic = randomName('hostile');
    const dlq = `${topic}-dlq`;
    await createTopics(ctx, [topic, dlq]);
    await ctx.pool.query(`CREATE TABLE "${topic}" (id bigint PRIMARY KEY, name text, age integer)`);
    await produce(ctx, topic, hostileRecords());
    const groupId = randomName('hostile_group');
    const sink = await startSink(ctx, sinkConfig(ctx, {
      topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'schema.evolution': 'basic', 'group.id': groupId,
      'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq,
    }));
    await waitForRecords(sink, 10);
    expect(await query(ctx, `SELECT id::int, name FROM "${topic}" ORDER BY id`)).toEqual([
      { id: 1, name: 'Ann' }, { id: 5, name: 'Bo' }, { id: 10, name: 'Cy' },
    ]);
    const [quoted] = await query<{ v: string }>(ctx, `SELECT "x""; DROP TABLE victim; --" AS v FROM "${topic}" WHERE id = 5`);
    expect(quoted!.v).toBe('quoted, not run');
    expect(await committedOffset(ctx, groupId, topic)).toBe('10');

    const dead = await readTopic(ctx, dlq, 7);
    const reasons = new Map(dead.map((m) => [m.headers['__connect.errors.offset'], m.headers['__connect.errors.exception.message']]));
    expect([...reasons.keys()].sort((a, b) => Number(a) - Number(b))).toEqual(['1', '2', '3', '5', '6', '7', '8']);
    expect(reasons.get('1')).toMatch(/longer than 63 bytes/);
    expect(reasons.get('2')).toMatch(/it is empty/);
    expect(reasons.get('3')).toMatch(/NUL/);
    expect(reasons.get('5')).toMatch(/1701 fields; a PostgreSQL table holds at most 1600 columns/);
    expect(reasons.get('6')).toMatch(/the value is not valid UTF-8/);
    expect(reasons.get('7')).toMatch(/the key is not valid UTF-8/);
    expect(reasons.get('8')).toMatch(/invalid input syntax for type integer/);
    const byOffset = new Map(dead.map((m) => [m.headers['__connect.errors.offset'], m]));
    expect(byOffset.get('6')!.value).toEqual(invalidUtf8Value);
    expect(byOffset.get('7')!.key).toEqual(invalidUtf8Key);
    expect(sink.stats().deadLettered).toBe(7);
  });

  it('dead-letters a record whose DDL PostgreSQL refuses and keeps the good ones of the same batch', async () => {
    const topic = randomName('ddl');
    const dlq = `${topic}-dlq`;
    await createTopics(ctx, [topic, dlq]);
    // 1,590 columns already: a record adding 20 more makes ALTER TABLE fail (54011), one adding a single column fits.
    const columns = Array.from({ length: 1589 }, (_, i) => `c${i} int`).join(', ');
    await ctx.pool.query(`CREATE TABLE "${topic}" (id bigint PRIMARY KEY, ${columns})`);
    const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`n${i}`, i]));
    await produce(ctx, topic, [
      { key: '{"id":1}', value: '{"id":1,"c0":1}' },
      { key: '{"id":2}', value: JSON.stringify({ id: 2, ...twenty }) },
      { key: '{"id":3}', value: '{"id":3,"extra":"fits"}' },
    ]);
    const sink = await startSink(ctx, sinkConfig(ctx, {
      topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'schema.evolution': 'basic',
      'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq,
    }));
    await waitForRecords(sink, 3);
    expect(await query(ctx, `SELECT id::int, c0, extra FROM "${topic}" ORDER BY id`)).toEqual([
      { id: 1, c0: 1, extra: null }, { id: 3, c0: null, extra: 'fits' },
    ]);
    const [dead] = await readTopic(ctx, dlq, 1);
    expect(dead!.headers['__connect.errors.offset']).toBe('1');
    expect(dead!.headers['__connect.errors.exception.message']).toMatch(/at most 1600 columns/);
  });

  it('dead-letters a record for a table that does not exist (schema.evolution=none) and writes the others', async () => {
    const topic = randomName('missing');
    const dlq = `${topic}-dlq`;
    const existing = randomName('existing');
    const missing = randomName('missing_table');
    await createTopics(ctx, [topic, dlq]);
    await ctx.pool.query(`CREATE TABLE "${existing}" (id bigint PRIMARY KEY, note text)`);
    const event = (schema: string, table: string, id: number) => JSON.stringify({ before: null, after: { id, note: `n${id}` }, source: { schema, table }, op: 'c' });
    await produce(ctx, topic, [
      { key: '{"id":1}', value: event('public', existing, 1) },
      { key: '{"id":2}', value: event('public', missing, 2) },
      { key: '{"id":3}', value: event('public', existing, 3) },
    ]);
    const sink = await startSink(ctx, sinkConfig(ctx, {
      topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'table.name.format': '${source.schema}.${source.table}',
      'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq,
    }));
    await waitForRecords(sink, 3);
    expect(await query(ctx, `SELECT id::int, note FROM "${existing}" ORDER BY id`)).toEqual([{ id: 1, note: 'n1' }, { id: 3, note: 'n3' }]);
    const [dead] = await readTopic(ctx, dlq, 1);
    expect(dead!.headers['__connect.errors.offset']).toBe('1');
    expect(dead!.headers['__connect.errors.exception.message']).toContain(`table "public"."${missing}": does not exist`);
  });

  it('dead-letters a record whose CREATE TABLE names a schema that does not exist (schema.evolution=basic)', async () => {
    const topic = randomName('noschema');
    const dlq = `${topic}-dlq`;
    const table = randomName('created');
    await createTopics(ctx, [topic, dlq]);
    const event = (schema: string, id: number) => JSON.stringify({ before: null, after: { id, note: `n${id}` }, source: { schema, table }, op: 'c' });
    await produce(ctx, topic, [
      { key: '{"id":1}', value: event('public', 1) },
      { key: '{"id":2}', value: event('no_such_schema', 2) },
      { key: '{"id":3}', value: event('public', 3) },
    ]);
    const sink = await startSink(ctx, sinkConfig(ctx, {
      topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'schema.evolution': 'basic',
      'table.name.format': '${source.schema}.${source.table}', 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq,
    }));
    await waitForRecords(sink, 3);
    expect(await query(ctx, `SELECT id::int, note FROM "${table}" ORDER BY id`)).toEqual([{ id: 1, note: 'n1' }, { id: 3, note: 'n3' }]);
    const [dead] = await readTopic(ctx, dlq, 1);
    expect(dead!.headers['__connect.errors.offset']).toBe('1');
    expect(dead!.headers['__connect.errors.exception.message']).toMatch(/schema "no_such_schema" does not exist/);
  });

  it('with errors.tolerance=none, stops at a hostile field name with an error naming topic, partition and offset', async () => {
    const topic = randomName('hostile_strict');
    await createTopics(ctx, [topic]);
    await produce(ctx, topic, [
      { key: '{"id":1}', value: '{"id":1,"name":"Ann"}' },
      { key: '{"id":2}', value: JSON.stringify({ id: 2, ['y'.repeat(64)]: 1 }) },
    ]);
    const groupId = randomName('hostile_strict_group');
    const sink = await startSink(ctx, sinkConfig(ctx, {
      topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'schema.evolution': 'basic', 'group.id': groupId, 'batch.size': 1,
    }));
    const error = await sink.done.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(BadRecordError);
    expect((error as BadRecordError).origin).toEqual({ topic, partition: 0, offset: '1' });
    expect((error as Error).message).toMatch(/longer than 63 bytes/);
    expect(await committedOffset(ctx, groupId, topic)).toBe('1');
  });

  it('utf8.invalid=replace keeps the old behaviour: invalid bytes become U+FFFD', async () => {
    const topic = randomName('utf8_replace');
    await createTopics(ctx, [topic]);
    await ctx.pool.query(`CREATE TABLE "${topic}" (id bigint PRIMARY KEY, name text)`);
    await produce(ctx, topic, [{ key: '{"id":7}', value: invalidUtf8Value }]);
    const sink = await startSink(ctx, sinkConfig(ctx, {
      topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'utf8.invalid': 'replace',
    }));
    await waitForRecords(sink, 1);
    expect(await query(ctx, `SELECT id::int, name FROM "${topic}"`)).toEqual([{ id: 7, name: 'Gr\uFFFD(' }]);
  });
});

describe('sink: table.include.list', () => {
  it('refuses a record that names a table outside the list, whatever its source.table says', async () => {
    const topic = randomName('routed');
    const dlq = `${topic}-dlq`;
    const allowed = randomName('orders');
    const victim = randomName('victim');
    await createTopics(ctx, [topic, dlq]);
    await ctx.pool.query(`CREATE TABLE "${allowed}" (id bigint PRIMARY KEY, note text)`);
    await ctx.pool.query(`CREATE TABLE "${victim}" (id bigint PRIMARY KEY, note text)`);
    await ctx.pool.query(`INSERT INTO "${victim}" VALUES (1, 'precious')`);
    const event = (table: string, op: string, id: number, note: string | null) => JSON.stringify({
      before: op === 'd' ? { id } : null, after: op === 'd' ? null : { id, note }, source: { schema: 'public', table }, op,
    });
    await produce(ctx, topic, [
      { key: '{"id":1}', value: event(allowed, 'c', 1, 'ok') },
      { key: '{"id":1}', value: event(victim, 'u', 1, 'overwritten') },
      { key: '{"id":1}', value: event(victim, 'd', 1, null) },
      { key: '{"id":2}', value: event(allowed, 'c', 2, 'ok too') },
    ]);
    const sink = await startSink(ctx, sinkConfig(ctx, {
      topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'delete.enabled': true,
      'table.name.format': '${source.table}', 'table.include.list': `${allowed}|unused_.*`,
      'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq,
    }));
    await waitForRecords(sink, 4);
    expect(await query(ctx, `SELECT id::int, note FROM "${allowed}" ORDER BY id`)).toEqual([{ id: 1, note: 'ok' }, { id: 2, note: 'ok too' }]);
    expect(await query(ctx, `SELECT id::int, note FROM "${victim}"`)).toEqual([{ id: 1, note: 'precious' }]);
    const dead = await readTopic(ctx, dlq, 2);
    expect(dead.map((m) => m.headers['__connect.errors.offset']).sort()).toEqual(['1', '2']);
    for (const m of dead) expect(m.headers['__connect.errors.exception.message']).toContain(`table "${victim}" is not in table.include.list`);
  });
});
