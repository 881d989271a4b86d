import { EventEmitter } from 'node:events';
import type { Pool } from 'pg';
import { pino, type Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseSinkConfig } from './config.js';
import { SinkWriteError, TableError } from './errors.js';
import { bob, changeEvent, customerKey } from './fixtures/customers.js';
import { decodeRecord } from './record.js';
import { compileStep, isTransient, PostgresWriter } from './writer.js';

const table = { name: 'accounts' };
const info = {
  columns: new Map([['id', { type: 'integer', notNull: true }], ['balance', { type: 'numeric(12,2)', notNull: false }]]),
  uniqueKeys: [['id']],
};

describe('compileStep', () => {
  it('compiles upserts, inserts and deletes of a plan step', () => {
    const rows = [[1, '10.00'], [2, '20.00']];
    expect(compileStep(table, { kind: 'write', mode: 'upsert', key: ['id'], columns: ['id', 'balance'], rows }, info)[0]!.text)
      .toBe('INSERT INTO "accounts" ("id", "balance") VALUES ($1, $2), ($3, $4) ON CONFLICT ("id") DO UPDATE SET "balance" = EXCLUDED."balance"');
    expect(compileStep(table, { kind: 'write', mode: 'insert', key: [], columns: ['id', 'balance'], rows }, info)[0]!.text)
      .toBe('INSERT INTO "accounts" ("id", "balance") VALUES ($1, $2), ($3, $4)');
    expect(compileStep(table, { kind: 'delete', key: ['id'], rows: [[1]] }, info)[0]!.text).toBe('DELETE FROM "accounts" WHERE "id" IN ($1)');
    expect(compileStep(table, { kind: 'truncate' }, info)[0]!.text).toBe('TRUNCATE TABLE "accounts"');
  });

  it('casts update values to the catalog types of the table', () => {
    const [q] = compileStep(table, { kind: 'write', mode: 'update', key: ['id'], columns: ['id', 'balance'], rows: [[1, '10.00']] }, info);
    expect(q!.text).toContain('(VALUES (CAST($1 AS integer), CAST($2 AS numeric(12,2))))');
  });

  it('has nothing to update when a row carries only its key', () => {
    expect(compileStep(table, { kind: 'write', mode: 'update', key: ['id'], columns: ['id'], rows: [[1]] }, info)).toEqual([]);
  });

  it('splits steps that would bind more than 65535 values', () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => [i, '1.00']);
    const queries = compileStep(table, { kind: 'write', mode: 'upsert', key: ['id'], columns: ['id', 'balance'], rows }, info);
    expect(queries).toHaveLength(2);
    expect(queries.every((q) => q.values.length <= 65_535)).toBe(true);
  });
});

describe('isTransient', () => {
  it('retries lost connections, serialization failures, deadlocks and shutdowns', () => {
    for (const code of ['08006', '40001', '40P01', '57P01', '53300']) expect(isTransient({ code, message: '' })).toBe(true);
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransient(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe(true);
  });

  it('retries socket errors as Node reports them, with the errno name in code', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']) {
      expect(isTransient(Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' }))).toBe(true);
    }
  });

  it('does not retry data or permission errors', () => {
    for (const code of ['22P02', '23505', '42501', '42P01']) expect(isTransient({ code, message: '' })).toBe(false);
  });
});

describe('PostgresWriter retries', () => {
  const config = parseSinkConfig({
    'connection.url': 'postgres://u:p@localhost:5432/app',
    'bootstrap.servers': 'k1:9092',
    topics: 'a',
    'flush.max.retries': '2',
    'flush.retry.delay.ms': '1',
  });
  const refused = (): Error => new Error('connect ECONNREFUSED 127.0.0.1:5432');

  /** A pool whose connect() fails as `fail` says, counting the attempts. */
  function pool(fail: (attempt: number) => Error): { pool: Pool; attempts: () => number } {
    let attempts = 0;
    return {
      attempts: () => attempts,
      pool: { connect: async () => Promise.reject(fail(++attempts)) } as unknown as Pool,
    };
  }

  it('retries a transient failure flush.max.retries times, then fails with a retriable SinkWriteError', async () => {
    const { pool: p, attempts } = pool(refused);
    const warned: number[] = [];
    const logger = { warn: (o: { attempt: number }) => warned.push(o.attempt) } as unknown as Logger;
    const error = await new PostgresWriter(p, config, logger).write([]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkWriteError);
    expect((error as SinkWriteError).message).toBe('writing to PostgreSQL failed: connect ECONNREFUSED 127.0.0.1:5432');
    expect((error as SinkWriteError).retriable).toBe(true);
    expect((error as SinkWriteError).cause).toBeInstanceOf(Error);
    expect(attempts()).toBe(3);
    expect(warned).toEqual([1, 2]);
  });

  it('does not retry a failure that is not transient', async () => {
    const { pool: p, attempts } = pool(() => Object.assign(new Error('permission denied for table accounts'), { code: '42501' }));
    const error = await new PostgresWriter(p, config, pino({ level: 'silent' })).write([]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkWriteError);
    expect((error as SinkWriteError).retriable).toBe(false);
    expect((error as SinkWriteError).sqlState).toBe('42501');
    expect(attempts()).toBe(1);
  });

  it('rethrows a SinkError as it is', async () => {
    const missing = new TableError('does not exist', { table: '"accounts"' });
    const { pool: p, attempts } = pool(() => missing);
    await expect(new PostgresWriter(p, config, pino({ level: 'silent' })).write([])).rejects.toBe(missing);
    expect(attempts()).toBe(1);
  });
});

/**
 * A pg client of a server that dies: after `failAfter` statements the connection reports the server's FATAL
 * from an I/O callback, while no statement is active (as pg does when the postmaster exits between two statements),
 * and every later statement fails the way pg fails them on a broken client.
 */
class DyingClient extends EventEmitter {
  readonly statements: string[] = [];
  releasedBroken: unknown = 'not released';
  #broken = false;

  constructor(private readonly failAfter: number) {
    super();
  }

  query(text: string): Promise<{ rows: unknown[]; rowCount: number }> {
    this.statements.push(text);
    if (this.#broken) return Promise.reject(new Error('Client has encountered a connection error and is not queryable'));
    const answer = catalogAnswer(text);
    if (this.statements.length !== this.failAfter) return Promise.resolve(answer);
    return new Promise((resolve) => setImmediate(() => {
      resolve(answer);
      this.#broken = true;
      this.emit('error', Object.assign(new Error('terminating connection due to unexpected postmaster exit'), { code: '57P01', severity: 'FATAL' }));
    }));
  }

  release(broken?: unknown): void {
    this.releasedBroken = broken;
  }
}

/** What the sink's catalog queries and statements get from a server with table "customers" (id key). */
function catalogAnswer(text: string): { rows: unknown[]; rowCount: number } {
  if (text.includes('to_regclass')) return { rows: [{ oid: '16384' }], rowCount: 1 };
  if (text.includes('FROM pg_attribute a WHERE')) {
    const columns = ['id', 'name', 'email', 'balance', 'created_at', 'tags'];
    return { rows: columns.map((name) => ({ name, type: name === 'id' ? 'integer' : 'text', not_null: name === 'id' })), rowCount: columns.length };
  }
  if (text.includes('pg_index')) return { rows: [{ columns: ['id'] }], rowCount: 1 };
  return { rows: [], rowCount: text.startsWith('INSERT') ? 1 : 0 };
}

/** A sink config for table "customers" and the upsert of one customer row under it. */
function customerInsert(): { config: ReturnType<typeof parseSinkConfig>; op: Exclude<ReturnType<typeof decodeRecord>, { kind: 'skip' }> } {
  const config = parseSinkConfig({
    'connection.url': 'postgres://u@localhost/db', 'bootstrap.servers': 'localhost:9092', topics: 'dbserver1.public.customers',
    'insert.mode': 'upsert', 'primary.key.mode': 'record_key', 'table.name.format': 'customers', 'flush.retry.delay.ms': 0,
  });
  const op = decodeRecord({
    topic: 'dbserver1.public.customers', partition: 0, offset: '7',
    key: Buffer.from(customerKey(2)), value: Buffer.from(changeEvent('c', null, bob)),
  }, config);
  if (op.kind === 'skip') throw new Error('expected a row operation');
  return { config, op };
}

describe('PostgresWriter on a server that goes away', () => {
  it('retries the batch on a new connection when the server fails one between two statements', async () => {
    const { config, op } = customerInsert();
    const clients = [new DyingClient(1), new DyingClient(0)];
    const handed: DyingClient[] = [];
    const pool = { connect: async () => { const c = clients.shift()!; handed.push(c); return c; } };
    const warnings: unknown[] = [];
    const logger = { warn: (o: unknown) => warnings.push(o), info: () => undefined, debug: () => undefined } as unknown as Logger;

    const result = await new PostgresWriter(pool as unknown as Pool, config, logger).write([op]);

    expect(result).toEqual({ rows: 1, rejected: [] });
    expect(handed).toHaveLength(2);
    // the dead connection goes back to the pool as broken; the batch ran whole on the second one
    expect(handed[0]!.releasedBroken).toBe(true);
    expect(handed[1]!.statements.at(-1)).toBe('COMMIT');
    expect(handed[1]!.statements.some((s) => s.startsWith('INSERT INTO "customers"'))).toBe(true);
    // the retry names the server's reason, not pg's follow-up "not queryable"
    expect(warnings).toEqual([expect.objectContaining({ err: expect.objectContaining({ code: '57P01' }), attempt: 1 })]);
  });
});

describe('PostgresWriter.abort', () => {
  it('ends a statement a paused server never answers, without retrying it', async () => {
    const { config, op } = customerInsert();
    // A client of a paused server: BEGIN gets no answer until the connection is destroyed, and pg then fails the
    // statement in flight the way it does for a connection that ends.
    let fail: ((e: Error) => void) | undefined;
    const statements: string[] = [];
    let released: unknown = 'not released';
    const client = Object.assign(new EventEmitter(), {
      query: (text: string) => {
        statements.push(text);
        return new Promise((_resolve, reject) => (fail = reject));
      },
      release: (broken?: unknown) => (released = broken),
      connection: { stream: { destroy: () => fail?.(new Error('Connection terminated unexpectedly')) } },
    });
    let connects = 0;
    const pool = { connect: async () => (connects++, client) };
    const logger = { warn: () => undefined, info: () => undefined, debug: () => undefined } as unknown as Logger;
    const writer = new PostgresWriter(pool as unknown as Pool, config, logger);

    const writing = writer.write([op]);
    await new Promise((r) => setImmediate(r));
    expect(statements).toEqual(['BEGIN']);
    writer.abort();

    await expect(writing).rejects.toThrow(/Connection terminated unexpectedly/);
    expect(connects).toBe(1);
    expect(released).toBe(true);
  });
});
