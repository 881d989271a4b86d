/**
 * Reads table structure from the PostgreSQL catalog: columns with resolved types (domains to their base, enums with
 * labels in sort order, arrays with their element), nullability, defaults, primary key (or first unique index) and
 * replica identity.
 */
import type pg from 'pg';
import type { CatalogColumn, CatalogTable, TableId } from './table-schema.js';
import type { PgType } from './types/column-types.js';
import type { ReplicaIdentity } from './pgoutput/relation.js';
import { CdcDataError } from './errors.js';

interface TypeRow {
  oid: number;
  typname: string;
  typtype: string;
  typelem: number;
  typcategory: string;
  typbasetype: number;
  typtypmod: number;
}

/** Booleans arrive as 't'/'f' text when the client keeps raw text values. */
function pgBool(v: unknown): boolean {
  return v === true || v === 't' || v === 'true';
}

const IDENTITY: Record<string, ReplicaIdentity> = { d: 'default', n: 'nothing', f: 'full', i: 'index' };

export class Catalog {
  private readonly types = new Map<number, PgType>();

  constructor(private readonly client: pg.ClientBase) {}

  /** Forgets cached types (after a Type message or an unknown enum label). */
  invalidateTypes(): void {
    this.types.clear();
  }

  async listTables(): Promise<TableId[]> {
    const res = await this.client.query<{ schema: string; table: string }>(
      `SELECT n.nspname AS schema, c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema')
         AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
       ORDER BY n.nspname, c.relname`,
    );
    return res.rows;
  }

  async tableByOid(oid: number): Promise<CatalogTable | null> {
    const res = await this.client.query<{ schema: string; table: string; relreplident: string }>(
      `SELECT n.nspname AS schema, c.relname AS table, c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1`,
      [oid],
    );
    const row = res.rows[0];
    if (!row) return null;
    return this.loadTable(oid, row.schema, row.table, IDENTITY[row.relreplident] ?? 'default');
  }

  async table(id: TableId): Promise<CatalogTable> {
    const res = await this.client.query<{ oid: number; relreplident: string }>(
      `SELECT c.oid::int8::float8 AS oid, c.relreplident FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
      [id.schema, id.table],
    );
    const row = res.rows[0];
    if (!row) throw new CdcDataError(`table ${id.schema}.${id.table} not found`, { context: { table: `${id.schema}.${id.table}` } });
    return this.loadTable(Number(row.oid), id.schema, id.table, IDENTITY[row.relreplident] ?? 'default');
  }

  private async loadTable(oid: number, schema: string, table: string, replicaIdentity: ReplicaIdentity): Promise<CatalogTable> {
    const cols = await this.client.query<{ attname: string; atttypid: number; atttypmod: number | string; attnotnull: boolean | string; def: string | null; generated: string }>(
      `SELECT a.attname, a.atttypid::int8::float8 AS atttypid, a.atttypmod, a.attnotnull, pg_get_expr(d.adbin, d.adrelid) AS def, a.attgenerated AS generated
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [oid],
    );
    const columns: CatalogColumn[] = [];
    for (const c of cols.rows) {
      if (c.generated !== '') continue; // pgoutput does not send generated columns
      const { type, typmod } = await this.resolveType(Number(c.atttypid), Number(c.atttypmod));
      columns.push({ name: c.attname, type, typmod, notNull: pgBool(c.attnotnull), defaultExpr: c.def });
    }
    const keys = await this.client.query<{ attname: string }>(
      `WITH idx AS (
         SELECT i.indkey, i.indisprimary FROM pg_index i
         WHERE i.indrelid = $1 AND (i.indisprimary OR (i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL AND i.indisvalid))
         ORDER BY i.indisprimary DESC, i.indexrelid LIMIT 1)
       SELECT a.attname FROM idx, LATERAL unnest(idx.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = $1 AND a.attnum = k.attnum ORDER BY k.ord`,
      [oid],
    );
    return { oid, schema, table, columns, keyColumns: keys.rows.map((r) => r.attname), replicaIdentity };
  }

  /** Resolves a type OID; domains become their base type with the domain's typmod. */
  async resolveType(oid: number, typmod: number): Promise<{ type: PgType; typmod: number }> {
    const row = await this.typeRow(oid);
    if (row.typtype === 'd') return this.resolveType(row.typbasetype, typmod >= 0 ? typmod : row.typtypmod);
    return { type: await this.pgType(row), typmod };
  }

  private async pgType(row: TypeRow): Promise<PgType> {
    const cached = this.types.get(row.oid);
    if (cached) return cached;
    let type: PgType;
    if (row.typtype === 'e') {
      const labels = await this.client.query<{ enumlabel: string }>('SELECT enumlabel FROM pg_enum WHERE enumtypid = $1 ORDER BY enumsortorder', [row.oid]);
      type = { oid: row.oid, name: row.typname, category: 'enum', enumLabels: labels.rows.map((l) => l.enumlabel) };
    } else if (row.typcategory === 'A' && row.typelem !== 0) {
      const element = (await this.resolveType(row.typelem, -1)).type;
      type = { oid: row.oid, name: row.typname, category: 'array', element };
    } else {
      type = { oid: row.oid, name: row.typname, category: 'base' };
    }
    this.types.set(row.oid, type);
    return type;
  }

  private async typeRow(oid: number): Promise<TypeRow> {
    const res = await this.client.query<TypeRow>(
      `SELECT oid::int8::float8 AS oid, typname, typtype, typelem::int8::float8 AS typelem, typcategory, typbasetype::int8::float8 AS typbasetype, typtypmod
       FROM pg_type WHERE oid = $1`,
      [oid],
    );
    const row = res.rows[0];
    if (!row) throw new CdcDataError(`type ${oid} not found in pg_type`, { context: { typeOid: oid } });
    return { ...row, oid: Number(row.oid), typelem: Number(row.typelem), typbasetype: Number(row.typbasetype), typtypmod: Number(row.typtypmod) };
  }
}
