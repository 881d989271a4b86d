/**
 * The Debezium oracle against a real PostgreSQL (test services: DATABASE_URL or a container): snapshot, insert,
 * update, delete with tombstone, and a primary-key change, read back as a Kafka consumer of Debezium's topics would
 * read them. Needs Java 17, Maven and the test PostgreSQL (no Kafka).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresService } from '../../../src/testing/index.js';
import { DebeziumOracle, connectionFromUrl, runDebezium, type DebeziumEvent } from './run-debezium.js';

const unique = (prefix: string): string => `${prefix}_${randomBytes(5).toString('hex')}`;

interface Decoded {
  readonly key: unknown;
  readonly op: string | null;
  readonly after: Record<string, unknown> | null;
  readonly headers: Record<string, string | null>;
}

function decode(event: DebeziumEvent): Decoded {
  const key = event.key === null ? null : (JSON.parse(event.key) as { payload: unknown }).payload;
  const value = event.value === null ? null : (JSON.parse(event.value) as { payload: { op: string; after: Record<string, unknown> | null } }).payload;
  const headers = Object.fromEntries(
    event.headers.filter((h) => !h.key.startsWith('__debezium.context.')).map((h) => [h.key, h.value]),
  );
  return { key, op: value?.op ?? null, after: value?.after ?? null, headers };
}

describe('Debezium oracle', () => {
  let postgres: PostgresService;
  let client: pg.Client;

  beforeAll(async () => {
    postgres = await startPostgres();
    client = new pg.Client({ connectionString: postgres.databaseUrl });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await postgres?.stop();
  });

  it('reports snapshot, changes, tombstones and a key change as Debezium topics carry them', async () => {
    const table = unique('items');
    await client.query(`create table ${table} (id int primary key, name text, big bigint)`);
    await client.query(`insert into ${table} values (1, 'a', 9007199254740993), (2, 'b', null)`);
    const connection = connectionFromUrl(postgres.databaseUrl);
    const options = {
      ...connection,
      slotName: unique('slot'),
      publicationName: unique('pub'),
      tableIncludeList: `public.${table}`,
      properties: { 'slot.drop.on.stop': 'true', 'publication.autocreate.mode': 'filtered' },
    };
    const debezium = DebeziumOracle.start(options);
    try {
      await debezium.waitForEvents(2, 300_000);
      await client.query(`insert into ${table} values (3, 'c', 1)`);
      await client.query(`update ${table} set name = 'aa' where id = 1`);
      await client.query(`delete from ${table} where id = 2`);
      await client.query(`update ${table} set id = 10 where id = 3`);
      await debezium.waitForEvents(9, 300_000);
    } finally {
      await debezium.stop();
    }
    const events = debezium.events.map(decode);
    expect(new Set(debezium.events.map((e) => e.topic))).toEqual(new Set([`dbserver1.public.${table}`]));
    expect(events.map((e) => [e.key, e.op])).toEqual([
      [{ id: 1 }, 'r'],
      [{ id: 2 }, 'r'],
      [{ id: 3 }, 'c'],
      [{ id: 1 }, 'u'],
      [{ id: 2 }, 'd'],
      [{ id: 2 }, null],
      [{ id: 3 }, 'd'],
      [{ id: 3 }, null],
      [{ id: 10 }, 'c'],
    ]);
    expect(events[3]!.after).toMatchObject({ id: 1, name: 'aa' });
    // 64-bit values are exact in the converter's text (a JSON number parser would round this one).
    expect(debezium.events[0]!.value).toContain('"big":9007199254740993');
    expect(events[6]!.headers).toEqual({ '__debezium.newkey': '{"id":10}' });
    expect(events[7]!.headers).toEqual({ '__debezium.newkey': '{"id":10}' });
    expect(events[8]!.headers).toEqual({ '__debezium.oldkey': '{"id":3}' });
    expect(JSON.parse(debezium.events[0]!.key!)).toMatchObject({ schema: { type: 'struct', optional: false } });

    const snapshot = await runDebezium({ ...options, slotName: unique('slot'), schemasEnable: false, idleMs: 3000 });
    expect(snapshot.map((e) => [JSON.parse(e.key!), JSON.parse(e.value!).op])).toEqual([
      [{ id: 1 }, 'r'],
      [{ id: 10 }, 'r'],
    ]);
  });
});
