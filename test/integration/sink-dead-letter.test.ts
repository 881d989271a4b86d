// Bad records go by policy: to a dead-letter topic with their original bytes and error headers, or they
// stop the sink with an error naming topic, partition and offset. Either way nothing vanishes.
import { describe, expect, it } from 'vitest';
import { bob, changeEvent, customerKey } from '../../connectors/postgres-sink/fixtures/customers.js';
import { BadRecordError } from '../../connectors/postgres-sink/index.js';
import {
  committedOffset, createTopics, produce, query, randomName, readTopic, sinkConfig, sinkTestContext, startSink, waitForRecords,
} from './sink-helpers.js';

const ctx = sinkTestContext();

describe('sink: bad records', () => {
  it('sends malformed, mistyped and unwritable records to the dead-letter topic with their bytes and context', async () => {
    const topic = randomName('people');
    const dlq = `${topic}-dlq`;
    await createTopics(ctx, [topic, dlq]);
    await ctx.pool.query(`CREATE TABLE "${topic}" (id bigint PRIMARY KEY, name text NOT NULL, age integer)`);
    const malformed = Buffer.from([0x7b, 0x22, 0x69, 0x64, 0xff, 0xfe]); // '{"id' + invalid UTF-8
    const mistyped = changeEvent('c', null, { ...bob, balance: 'not base64!' });
    const unwritable = '{"id":4,"name":"Dee","age":"forty"}';
    await produce(ctx, topic, [
      { key: '{"id":1}', value: '{"id":1,"name":"Ann","age":30}' },
      { key: '{"id":2}', value: malformed, headers: { trace: 'abc' } },
      { key: customerKey(3), value: mistyped },
      { key: '{"id":4}', value: unwritable },
      { key: '{"id":5}', value: '{"id":5,"name":"Eve","age":41}' },
    ]);
    const sink = await startSink(ctx, sinkConfig(ctx, {
      topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key',
      'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq,
    }));
    await waitForRecords(sink, 5);
    expect(await query(ctx, `SELECT id::int, name, age FROM "${topic}" ORDER BY id`)).toEqual([
      { id: 1, name: 'Ann', age: 30 },
      { id: 5, name: 'Eve', age: 41 },
    ]);
    expect(sink.stats().deadLettered).toBe(3);

    const dead = await readTopic(ctx, dlq, 3);
    const byOffset = new Map(dead.map((m) => [m.headers['__connect.errors.offset'], m]));
    expect([...byOffset.keys()].sort()).toEqual(['1', '2', '3']);
    expect(byOffset.get('1')!.value).toEqual(malformed);
    expect(byOffset.get('1')!.key?.toString()).toBe('{"id":2}');
    expect(byOffset.get('1')!.headers).toMatchObject({
      trace: 'abc', '__connect.errors.topic': topic, '__connect.errors.partition': '0', '__connect.errors.stage': 'VALUE_CONVERTER',
    });
    expect(byOffset.get('2')!.value?.toString()).toBe(mistyped);
    expect(byOffset.get('2')!.headers['__connect.errors.exception.message']).toMatch(/after\.balance: expected base64/);
    expect(byOffset.get('3')!.value?.toString()).toBe(unwritable);
    expect(byOffset.get('3')!.headers['__connect.errors.exception.message']).toMatch(/invalid input syntax for type integer/);
    expect(byOffset.get('3')!.headers['__connect.errors.stage']).toBe('TASK_PUT');
  });

  it('with errors.tolerance=none, stops at the first bad record, naming it, and leaves its offset uncommitted', async () => {
    const topic = randomName('strict');
    await createTopics(ctx, [topic]);
    await ctx.pool.query(`CREATE TABLE "${topic}" (id bigint PRIMARY KEY, name text)`);
    await produce(ctx, topic, [
      { key: '{"id":1}', value: '{"id":1,"name":"Ann"}' },
      { key: '{"id":2}', value: '{"id":2,"name":' },
      { key: '{"id":3}', value: '{"id":3,"name":"Cy"}' },
    ]);
    const groupId = randomName('strict_group');
    const sink = await startSink(ctx, sinkConfig(ctx, {
      topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'group.id': groupId, 'batch.size': 1,
    }));
    const error = await sink.done.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(BadRecordError);
    expect((error as BadRecordError).origin).toEqual({ topic, partition: 0, offset: '1' });
    expect((error as Error).message).toContain(`topic ${topic}, partition 0, offset 1`);
    // The record before it was written and committed; the bad one and everything after it were not.
    expect(await query(ctx, `SELECT id::int, name FROM "${topic}" ORDER BY id`)).toEqual([{ id: 1, name: 'Ann' }]);
    expect(await committedOffset(ctx, groupId, topic)).toBe('1');
  });
});
