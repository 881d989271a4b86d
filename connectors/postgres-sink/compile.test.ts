import { describe, expect, it } from 'vitest';
import {
  chunkRows, compileAddColumns, compileCreateTable, compileDelete, compileInsert, compileTruncate, compileUpdate, MAX_PARAMETERS,
} from './compile.js';
import { UnsafeIdentifierError } from './errors.js';

const customers = { name: 'dbserver1_public_customers' };

describe('compileInsert', () => {
  it('compiles a multi-row upsert with EXCLUDED for every non-key column', () => {
    const q = compileInsert(customers, ['id', 'name', 'balance'], [[1, 'Alice', '1234.50'], [2, 'Bob', '99.99']], ['id']);
    expect(q.text).toBe(
      'INSERT INTO "dbserver1_public_customers" ("id", "name", "balance") VALUES ($1, $2, $3), ($4, $5, $6)' +
        ' ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name", "balance" = EXCLUDED."balance"',
    );
    expect(q.values).toEqual([1, 'Alice', '1234.50', 2, 'Bob', '99.99']);
  });

  it('does nothing on conflict when only key columns are written', () => {
    const q = compileInsert({ schema: 'app', name: 'tags' }, ['a', 'b'], [['x', 'y']], ['a', 'b']);
    expect(q.text).toBe('INSERT INTO "app"."tags" ("a", "b") VALUES ($1, $2) ON CONFLICT ("a", "b") DO NOTHING');
  });

  it('compiles a plain insert', () => {
    expect(compileInsert(customers, ['id'], [[7]]).text).toBe('INSERT INTO "dbserver1_public_customers" ("id") VALUES ($1)');
  });

  it('keeps hostile names inside quotes and hostile values out of the text', () => {
    const evil = 'x"); DROP TABLE users; --';
    const q = compileInsert({ name: evil }, [evil, 'id'], [["'); DROP TABLE users; --", 1]], ['id']);
    expect(q.text).toBe(
      'INSERT INTO "x""); DROP TABLE users; --" ("x""); DROP TABLE users; --", "id") VALUES ($1, $2)' +
        ' ON CONFLICT ("id") DO UPDATE SET "x""); DROP TABLE users; --" = EXCLUDED."x""); DROP TABLE users; --"',
    );
    expect(q.values).toEqual(["'); DROP TABLE users; --", 1]);
  });

  it('rejects identifiers PostgreSQL cannot hold', () => {
    expect(() => compileInsert(customers, ['a\0b'], [[1]])).toThrow(UnsafeIdentifierError);
    expect(() => compileInsert({ name: '' }, ['a'], [[1]])).toThrow(UnsafeIdentifierError);
  });
});

describe('compileUpdate', () => {
  it('updates many rows by key through a typed VALUES list', () => {
    const q = compileUpdate(customers, ['id'], ['id', 'name'], [[1, 'A'], [2, 'B']], ['integer', 'text']);
    expect(q.text).toBe(
      'UPDATE "dbserver1_public_customers" AS "__target" SET "name" = "__row"."name"' +
        ' FROM (VALUES (CAST($1 AS integer), CAST($2 AS text)), (CAST($3 AS integer), CAST($4 AS text))) AS "__row" ("id", "name")' +
        ' WHERE "__target"."id" = "__row"."id"',
    );
    expect(q.values).toEqual([1, 'A', 2, 'B']);
  });

  it('refuses a type name that is not plain', () => {
    expect(() => compileUpdate(customers, ['id'], ['id', 'n'], [[1, 2]], ['integer', 'text); DROP TABLE x; --'])).toThrow(/not a plain type/);
  });
});

describe('compileDelete', () => {
  it('deletes by a single key with IN', () => {
    const q = compileDelete(customers, ['id'], [[1], [2]]);
    expect(q.text).toBe('DELETE FROM "dbserver1_public_customers" WHERE "id" IN ($1, $2)');
    expect(q.values).toEqual([1, 2]);
  });

  it('deletes by a composite key with row values', () => {
    const q = compileDelete(customers, ['page', 'window_start'], [['/a', '2024-01-01T00:00:00.000Z'], ['/b', '2024-01-01T00:05:00.000Z']]);
    expect(q.text).toBe('DELETE FROM "dbserver1_public_customers" WHERE ("page", "window_start") IN (($1, $2), ($3, $4))');
    expect(q.values).toHaveLength(4);
  });
});

describe('DDL', () => {
  it('creates a table with key columns NOT NULL and a primary key', () => {
    const q = compileCreateTable(customers, [
      { name: 'id', type: 'integer', nullable: true },
      { name: 'email', type: 'text', nullable: true },
      { name: 'name', type: 'text', nullable: false },
      { name: 'balance', type: 'numeric(10, 2)', nullable: true },
    ], ['id']);
    expect(q.text).toBe(
      'CREATE TABLE IF NOT EXISTS "dbserver1_public_customers" ("id" integer NOT NULL, "email" text NULL, "name" text NOT NULL,' +
        ' "balance" numeric(10, 2) NULL, PRIMARY KEY ("id"))',
    );
    expect(q.values).toEqual([]);
  });

  it('adds columns as nullable', () => {
    expect(compileAddColumns(customers, [{ name: 'note', type: 'text', nullable: false }, { name: 'tags', type: 'text[]', nullable: true }]).text)
      .toBe('ALTER TABLE "dbserver1_public_customers" ADD COLUMN IF NOT EXISTS "note" text NULL, ADD COLUMN IF NOT EXISTS "tags" text[] NULL');
  });

  it('truncates', () => {
    expect(compileTruncate({ schema: 's', name: 't' }).text).toBe('TRUNCATE TABLE "s"."t"');
  });
});

describe('chunkRows', () => {
  it('keeps every statement under the parameter limit', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => i);
    const chunks = chunkRows(rows, 20);
    expect(chunks.every((c) => c.length * 20 <= MAX_PARAMETERS)).toBe(true);
    expect(chunks.flat()).toEqual(rows);
  });
});
