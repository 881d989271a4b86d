import type { Pool } from 'pg';
import { pino, type Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseSinkConfig } from './config.js';
import { SinkWriteError, TableError } from './errors.js';
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
