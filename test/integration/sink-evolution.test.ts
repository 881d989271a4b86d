// Schema evolution: the sink creates tables and adds columns (basic), or refuses unknown columns (none).
import { describe, expect, it } from 'vitest';
import { eventText, keyText, defaultTableOf, topicOf, type FieldSpec, type TableSpec } from '../../connectors/postgres-sink/fixtures/envelope.js';
import {
  createTopics, produce, query, randomName, sinkConfig, sinkTestContext, startSink, readTopic, waitForRecords,
} from './sink-helpers.js';

const ctx = sinkTestContext();
const v1: FieldSpec[] = [{ type: 'int32', field: 'id', optional: false }, { type: 'string', field: 'name', optional: false }];
const v2: FieldSpec[] = [...v1, { type: 'string', field: 'email' }, { type: 'bytes', field: 'score', name: 'org.apache.kafka.connect.data.Decimal', parameters: { scale: '1', 'connect.decimal.precision': '5' } }];
const spec = (prefix: string, value: FieldSpec[]): TableSpec => ({ prefix, schema: 'public', table: 'users', key: [{ type: 'int32', field: 'id' }], value });

describe('sink: schema evolution', () => {
  it('basic: creates the table, then adds the columns a later event brings', async () => {
    const prefix = randomName('evolve');
    const t1 = spec(prefix, v1);
    const t2 = spec(prefix, v2);
    const topic = topicOf(t1);
    await createTopics(ctx, [topic]);
    await produce(ctx, topic, [
      { key: keyText(t1, { id: 1 }), value: eventText(t1, 'c', null, { id: 1, name: 'Ann' }) },
      { key: keyText(t2, { id: 2 }), value: eventText(t2, 'c', null, { id: 2, name: 'Ben', email: 'ben@example.com', score: 'AHs=' }) },
      { key: keyText(t2, { id: 1 }), value: eventText(t2, 'u', null, { id: 1, name: 'Ann', email: null, score: 'Cg==' }) },
    ]);
    const sink = await startSink(ctx, sinkConfig(ctx, {
      topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'schema.evolution': 'basic', 'batch.size': 1,
    }));
    await waitForRecords(sink, 3);
    const table = defaultTableOf(t1);
    expect(await query(ctx, `SELECT id, name, email, score::text FROM "${table}" ORDER BY id`)).toEqual([
      { id: 1, name: 'Ann', email: null, score: '1.0' },
      { id: 2, name: 'Ben', email: 'ben@example.com', score: '12.3' },
    ]);
    const columns = await query(ctx, `SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attnotnull AS not_null
      FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 ORDER BY attnum`, [`"${table}"`]);
    // Added columns are nullable so that rows written before them stay valid.
    expect(columns).toEqual([
      { name: 'id', type: 'integer', not_null: true },
      { name: 'name', type: 'text', not_null: true },
      { name: 'email', type: 'text', not_null: false },
      { name: 'score', type: 'numeric(5,1)', not_null: false },
    ]);
  });

  it('none: a record with a column the table lacks goes to the dead-letter topic; the others are written', async () => {
    const prefix = randomName('noevolve');
    const t1 = spec(prefix, v1);
    const t2 = spec(prefix, v2);
    const topic = topicOf(t1);
    const dlq = `${prefix}-dlq`;
    await createTopics(ctx, [topic, dlq]);
    const table = defaultTableOf(t1);
    await ctx.pool.query(`CREATE TABLE "${table}" (id integer PRIMARY KEY, name text NOT NULL)`);
    const unknownColumn = eventText(t2, 'c', null, { id: 2, name: 'Ben', email: 'ben@example.com', score: null });
    await produce(ctx, topic, [
      { key: keyText(t1, { id: 1 }), value: eventText(t1, 'c', null, { id: 1, name: 'Ann' }) },
      { key: keyText(t2, { id: 2 }), value: unknownColumn },
      { key: keyText(t1, { id: 3 }), value: eventText(t1, 'c', null, { id: 3, name: 'Cy' }) },
    ]);
    const sink = await startSink(ctx, sinkConfig(ctx, {
      topics: topic, 'insert.mode': 'upsert', 'primary.key.mode': 'record_key',
      'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': dlq,
    }));
    await waitForRecords(sink, 3);
    expect(await query(ctx, `SELECT id, name FROM "${table}" ORDER BY id`)).toEqual([{ id: 1, name: 'Ann' }, { id: 3, name: 'Cy' }]);
    expect(sink.stats().deadLettered).toBe(1);

    const received = await readTopic(ctx, dlq, 1);
    expect(received[0]!.value?.toString()).toBe(unknownColumn);
    expect(received[0]!.headers['__connect.errors.offset']).toBe('1');
    expect(received[0]!.headers['__connect.errors.exception.message']).toMatch(/"email", "score" not in table/);
  });
});
