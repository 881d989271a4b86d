import type { ClientBase } from 'pg';
import { quoteTable, tableKey, type TableRef } from './identifiers.js';

/** What the sink needs to know about an existing table. */
export interface TableInfo {
  readonly columns: ReadonlyMap<string, { readonly type: string; readonly notNull: boolean }>;
  /** Column sets of the table's unique indexes (the primary key included), each in index order. */
  readonly uniqueKeys: readonly (readonly string[])[];
}

const COLUMNS_SQL = `SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
FROM pg_attribute a WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`;

const UNIQUE_SQL = `SELECT array_agg(a.attname::text ORDER BY k.ord) AS columns
FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = $1::oid AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
GROUP BY i.indexrelid`;

/** Reads table definitions from pg_catalog and caches them until told a table changed. */
export class TableCatalog {
  readonly #cache = new Map<string, TableInfo | undefined>();

  async describe(client: ClientBase, table: TableRef): Promise<TableInfo | undefined> {
    const cacheKey = tableKey(table);
    if (this.#cache.has(cacheKey)) return this.#cache.get(cacheKey);
    // The quoted name goes in as a bound value; to_regclass resolves it (search_path for unqualified names).
    const found = await client.query<{ oid: string | null }>('SELECT to_regclass($1)::oid AS oid', [quoteTable(table)]);
    const oid = found.rows[0]?.oid ?? null;
    let info: TableInfo | undefined;
    if (oid !== null) {
      const columns = await client.query<{ name: string; type: string; not_null: boolean }>(COLUMNS_SQL, [oid]);
      const unique = await client.query<{ columns: string[] }>(UNIQUE_SQL, [oid]);
      info = {
        columns: new Map(columns.rows.map((r) => [r.name, { type: r.type, notNull: r.not_null }])),
        uniqueKeys: unique.rows.map((r) => r.columns),
      };
    }
    this.#cache.set(cacheKey, info);
    return info;
  }

  forget(table: TableRef): void {
    this.#cache.delete(tableKey(table));
  }

  clear(): void {
    this.#cache.clear();
  }
}
