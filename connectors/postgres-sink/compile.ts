/**
 * Compiles the sink's statements to `{ text, values }`: identifiers quoted, values always bound.
 * Nothing here talks to a database, so the SQL is testable as text.
 */
import type { BindValue } from './decode-value.js';
import { SinkError } from './errors.js';
import { quoteIdentifier, quoteTable, type TableRef } from './identifiers.js';

export interface CompiledQuery {
  readonly text: string;
  readonly values: BindValue[];
}

/** PostgreSQL's protocol limit on parameters of one statement. */
export const MAX_PARAMETERS = 65_535;

// Column types reach DDL and casts; they come from the sink's own vocabulary or from format_type() of the
// catalog, and are checked once more here so that nothing else can.
const SAFE_TYPE = /^[A-Za-z_][A-Za-z0-9_ ,.()[\]"]*$/;

function typeName(type: string): string {
  if (!SAFE_TYPE.test(type) || type.includes('--') || type.includes(';')) {
    throw new SinkError(`refusing column type ${JSON.stringify(type)}: not a plain type name`);
  }
  return type;
}

function placeholders(values: BindValue[], row: readonly BindValue[], cast?: readonly string[]): string {
  const parts = row.map((v, i) => {
    values.push(v);
    const p = `$${values.length}`;
    return cast === undefined ? p : `CAST(${p} AS ${typeName(cast[i]!)})`;
  });
  return `(${parts.join(', ')})`;
}

/** Splits rows so that no statement binds more than MAX_PARAMETERS values. */
export function chunkRows<T>(rows: readonly T[], width: number): T[][] {
  const perChunk = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, width)));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += perChunk) chunks.push(rows.slice(i, i + perChunk));
  return chunks;
}

/**
 * Multi-row INSERT. With `conflictKey` it is an upsert:
 * `INSERT INTO "t" ("id", "name") VALUES ($1, $2), ($3, $4) ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name"`,
 * or `... DO NOTHING` when every column is a key column.
 */
export function compileInsert(
  table: TableRef,
  columns: readonly string[],
  rows: readonly (readonly BindValue[])[],
  conflictKey?: readonly string[],
): CompiledQuery {
  if (rows.length === 0) throw new SinkError('compileInsert needs at least one row');
  const values: BindValue[] = [];
  const tuples = rows.map((row) => placeholders(values, row));
  let text = `INSERT INTO ${quoteTable(table)} (${columns.map(quoteIdentifier).join(', ')}) VALUES ${tuples.join(', ')}`;
  if (conflictKey !== undefined) {
    const target = conflictKey.map(quoteIdentifier).join(', ');
    const updates = columns.filter((c) => !conflictKey.includes(c));
    text += updates.length === 0
      ? ` ON CONFLICT (${target}) DO NOTHING`
      : ` ON CONFLICT (${target}) DO UPDATE SET ${updates.map((c) => `${quoteIdentifier(c)} = EXCLUDED.${quoteIdentifier(c)}`).join(', ')}`;
  }
  return { text, values };
}

/**
 * Multi-row UPDATE by key; the VALUES list needs explicit types, taken from the table's catalog:
 * `UPDATE "t" SET "name" = "v"."name" FROM (VALUES (CAST($1 AS integer), CAST($2 AS text))) AS "v" ("id", "name") WHERE "t"."id" = "v"."id"`.
 */
export function compileUpdate(
  table: TableRef,
  key: readonly string[],
  columns: readonly string[],
  rows: readonly (readonly BindValue[])[],
  types: readonly string[],
): CompiledQuery {
  const set = columns.filter((c) => !key.includes(c));
  if (set.length === 0) throw new SinkError('compileUpdate needs a non-key column');
  const values: BindValue[] = [];
  const tuples = rows.map((row) => placeholders(values, row, types));
  const target = quoteTable(table);
  // The alias keeps references short and unambiguous whatever the table is called.
  const t = '"__target"';
  const v = '"__row"';
  const text = `UPDATE ${target} AS ${t} SET ${set.map((c) => `${quoteIdentifier(c)} = ${v}.${quoteIdentifier(c)}`).join(', ')}` +
    ` FROM (VALUES ${tuples.join(', ')}) AS ${v} (${columns.map(quoteIdentifier).join(', ')})` +
    ` WHERE ${key.map((k) => `${t}.${quoteIdentifier(k)} = ${v}.${quoteIdentifier(k)}`).join(' AND ')}`;
  return { text, values };
}

/** `DELETE FROM "t" WHERE "id" IN ($1, $2)`, or `WHERE ("a", "b") IN (($1, $2), ($3, $4))` for composite keys. */
export function compileDelete(table: TableRef, key: readonly string[], rows: readonly (readonly BindValue[])[]): CompiledQuery {
  if (rows.length === 0 || key.length === 0) throw new SinkError('compileDelete needs a key and at least one row');
  const values: BindValue[] = [];
  if (key.length === 1) {
    const list = rows.map((row) => {
      values.push(row[0]!);
      return `$${values.length}`;
    });
    return { text: `DELETE FROM ${quoteTable(table)} WHERE ${quoteIdentifier(key[0]!)} IN (${list.join(', ')})`, values };
  }
  const tuples = rows.map((row) => placeholders(values, row));
  return { text: `DELETE FROM ${quoteTable(table)} WHERE (${key.map(quoteIdentifier).join(', ')}) IN (${tuples.join(', ')})`, values };
}

export function compileTruncate(table: TableRef): CompiledQuery {
  return { text: `TRUNCATE TABLE ${quoteTable(table)}`, values: [] };
}

export interface ColumnDefinition {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
}

/** `CREATE TABLE IF NOT EXISTS "t" ("id" integer NOT NULL, "name" text NULL, PRIMARY KEY ("id"))`. */
export function compileCreateTable(table: TableRef, columns: readonly ColumnDefinition[], key: readonly string[]): CompiledQuery {
  const defs = columns.map((c) => `${quoteIdentifier(c.name)} ${typeName(c.type)} ${c.nullable && !key.includes(c.name) ? 'NULL' : 'NOT NULL'}`);
  if (key.length > 0) defs.push(`PRIMARY KEY (${key.map(quoteIdentifier).join(', ')})`);
  return { text: `CREATE TABLE IF NOT EXISTS ${quoteTable(table)} (${defs.join(', ')})`, values: [] };
}

/**
 * `ALTER TABLE "t" ADD COLUMN IF NOT EXISTS "c" text NULL, ...`. Added columns are always nullable, so that
 * the rows already in the table stay valid.
 */
export function compileAddColumns(table: TableRef, columns: readonly ColumnDefinition[]): CompiledQuery {
  const adds = columns.map((c) => `ADD COLUMN IF NOT EXISTS ${quoteIdentifier(c.name)} ${typeName(c.type)} NULL`);
  return { text: `ALTER TABLE ${quoteTable(table)} ${adds.join(', ')}`, values: [] };
}
