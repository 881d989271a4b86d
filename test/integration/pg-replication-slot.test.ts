// PostgreSQL as the CDC connector needs it: a publication, a pgoutput logical replication slot created on a
// replication connection with `pg`, a committed change read back over that connection, and the slot dropped.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomName, testServices, waitFor } from '../env/services.js';

const { databaseUrl } = testServices();
const sql = new pg.Client({ connectionString: databaseUrl });

beforeAll(async () => {
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
});

/** The pgoutput messages this test reads (protocol version 1). */
type PgoutputMessage =
  | { kind: 'begin' }
  | { kind: 'commit' }
  | { kind: 'relation'; relationId: number; schema: string; table: string; columns: string[] }
  | { kind: 'insert'; relationId: number; values: (string | null)[] }
  | { kind: 'other'; tag: string };

/** Decodes one CopyData payload: 'w' XLogData carries a pgoutput message after a 25-byte header. */
function decodeCopyData(chunk: Buffer): PgoutputMessage | undefined {
  if (chunk[0] !== 0x77) return undefined; // 'k' keepalives and others
  return decodePgoutput(chunk.subarray(25));
}

function decodePgoutput(message: Buffer): PgoutputMessage {
  let at = 1;
  const int8 = (): number => message.readInt8(at++);
  const int16 = (): number => {
    const value = message.readInt16BE(at);
    at += 2;
    return value;
  };
  const int32 = (): number => {
    const value = message.readInt32BE(at);
    at += 4;
    return value;
  };
  const cstring = (): string => {
    const end = message.indexOf(0, at);
    const value = message.toString('utf8', at, end);
    at = end + 1;
    return value;
  };
  const tag = String.fromCharCode(message[0] ?? 0);
  switch (tag) {
    case 'B':
      return { kind: 'begin' };
    case 'C':
      return { kind: 'commit' };
    case 'R': {
      const relationId = int32();
      const schema = cstring();
      const table = cstring();
      int8(); // replica identity
      const columns: string[] = [];
      for (let count = int16(), i = 0; i < count; i += 1) {
        int8(); // flags
        columns.push(cstring());
        int32(); // type oid
        int32(); // type modifier
      }
      return { kind: 'relation', relationId, schema, table, columns };
    }
    case 'I': {
      const relationId = int32();
      at += 1; // 'N': a new tuple follows
      const values: (string | null)[] = [];
      for (let count = int16(), i = 0; i < count; i += 1) {
        const kind = String.fromCharCode(message[at++] ?? 0);
        if (kind === 't') {
          const length = int32();
          values.push(message.toString('utf8', at, at + length));
          at += length;
        } else {
          values.push(null);
        }
      }
      return { kind: 'insert', relationId, values };
    }
    default:
      return { kind: 'other', tag };
  }
}

describe('PostgreSQL logical replication with pg', () => {
  it('streams a committed insert from a pgoutput slot over a replication connection, then drops the slot', async () => {
    const table = randomName('cdc_table');
    const publication = randomName('cdc_pub');
    const slot = randomName('cdc_slot');
    await sql.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, name text NOT NULL)`);
    await sql.query(`CREATE PUBLICATION ${publication} FOR TABLE ${table}`);

    // `replication` is a pg connection option that @types/pg does not declare.
    const replication = new pg.Client({ connectionString: databaseUrl, replication: 'database' } as pg.ClientConfig);
    await replication.connect();
    let replicationOpen = true;
    try {
      const identity = await replication.query('IDENTIFY_SYSTEM');
      expect(identity.rows[0]).toHaveProperty('xlogpos');

      const created = await replication.query(`CREATE_REPLICATION_SLOT ${slot} LOGICAL pgoutput`);
      expect(created.rows[0]).toMatchObject({ slot_name: slot, output_plugin: 'pgoutput' });
      const listed = await sql.query('SELECT plugin, slot_type, database FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      expect(listed.rows).toEqual([{ plugin: 'pgoutput', slot_type: 'logical', database: new URL(databaseUrl).pathname.slice(1) }]);

      await sql.query(`INSERT INTO ${table} (id, name) VALUES (1, 'alpha'), (2, 'beta')`);

      const messages: PgoutputMessage[] = [];
      replication.connection.on('copyData', ({ chunk }: { chunk: Buffer }) => {
        const message = decodeCopyData(chunk);
        if (message) messages.push(message);
      });
      // The query stays open while the server streams (copy-both mode); it ends when the connection does.
      replication
        .query(`START_REPLICATION SLOT ${slot} LOGICAL 0/0 (proto_version '1', publication_names '${publication}')`)
        .catch(() => undefined);

      await waitFor(() => messages.some((m) => m.kind === 'commit'), { description: 'the committed transaction' });
      const relation = messages.find((m) => m.kind === 'relation');
      expect(relation).toMatchObject({ schema: 'public', table, columns: ['id', 'name'] });
      const inserts = messages.filter((m) => m.kind === 'insert');
      expect(inserts.map((m) => m.values)).toEqual([
        ['1', 'alpha'],
        ['2', 'beta'],
      ]);
      expect(messages.map((m) => m.kind)).toEqual(['begin', 'relation', 'insert', 'insert', 'commit']);

      await replication.end();
      replicationOpen = false;
      // The walsender lets go of the slot shortly after its connection ends.
      await waitFor(
        async () => (await sql.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0]?.active === false,
        { description: 'the slot to become inactive' },
      );
    } finally {
      if (replicationOpen) await replication.end().catch(() => undefined);
      await waitFor(
        async () => {
          await sql.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]);
          return true;
        },
        { description: 'dropping the slot' },
      );
      await sql.query(`DROP PUBLICATION IF EXISTS ${publication}`);
      await sql.query(`DROP TABLE IF EXISTS ${table}`);
    }
    const remaining = await sql.query('SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    expect(remaining.rows[0]).toEqual({ n: 0 });
  });
});
