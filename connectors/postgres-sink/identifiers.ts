import { UnsafeIdentifierError } from './errors.js';

/** PostgreSQL silently truncates longer identifiers (NAMEDATALEN - 1), which could merge two names into one. */
const MAX_IDENTIFIER_BYTES = 63;

/** A table, optionally in a schema. Names are kept exactly as given; quoting makes them case-sensitive. */
export interface TableRef {
  readonly schema?: string;
  readonly name: string;
}

/**
 * Quotes one identifier for PostgreSQL. Any name is accepted except the few that cannot be
 * represented safely: empty, containing NUL, or longer than 63 bytes.
 *
 * @example quoteIdentifier('order"; DROP TABLE x; --') // '"order""; DROP TABLE x; --"'
 */
export function quoteIdentifier(name: string): string {
  assertUsableIdentifier(name);
  return `"${name.replaceAll('"', '""')}"`;
}

export function assertUsableIdentifier(name: string): void {
  if (name.length === 0) throw new UnsafeIdentifierError('it is empty', { identifier: name });
  if (name.includes('\0')) throw new UnsafeIdentifierError('it contains a NUL character', { identifier: name });
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) {
    throw new UnsafeIdentifierError(
      `it is longer than ${MAX_IDENTIFIER_BYTES} bytes and PostgreSQL would truncate it; shorten it with table.name.format or rename the field`,
      { identifier: name },
    );
  }
}

export function quoteTable(table: TableRef): string {
  return table.schema === undefined ? quoteIdentifier(table.name) : `${quoteIdentifier(table.schema)}.${quoteIdentifier(table.name)}`;
}

/**
 * Turns a resolved table name into a reference: `a.b` names table `b` in schema `a`.
 * More than one dot is rejected because PostgreSQL would read it as a database name.
 */
export function parseTableName(resolved: string): TableRef {
  const parts = resolved.split('.');
  if (parts.length === 1) {
    assertUsableIdentifier(resolved);
    return { name: resolved };
  }
  if (parts.length === 2) {
    const [schema, name] = parts as [string, string];
    assertUsableIdentifier(schema);
    assertUsableIdentifier(name);
    return { schema, name };
  }
  throw new UnsafeIdentifierError('a table name may hold at most one dot (schema.table)', { identifier: resolved });
}

export function tableKey(table: TableRef): string {
  return table.schema === undefined ? quoteIdentifier(table.name) : quoteTable(table);
}

/** The table as `schema.name` (or `name`), unquoted: what `table.include.list` patterns are matched against. */
export function tableName(table: TableRef): string {
  return table.schema === undefined ? table.name : `${table.schema}.${table.name}`;
}
