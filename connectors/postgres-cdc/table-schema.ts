/**
 * Per-table Debezium schemas (Key, Value, Envelope) built from a relation's columns and the catalog,
 * as TableSchemaBuilder + PostgresValueConverter do.
 */
import type { ConnectField, ConnectSchema, ConnectValue } from './connect/schema.js';
import { mapColumnType, type ColumnMapping, type PgType, type TypeMappingOptions } from './types/column-types.js';
import { sourceSchema } from './source-info.js';
import type { ReplicaIdentity } from './pgoutput/relation.js';

export interface CatalogColumn {
  readonly name: string;
  readonly type: PgType;
  readonly typmod: number;
  readonly notNull: boolean;
  /** pg_get_expr of the column default, or null. */
  readonly defaultExpr: string | null;
}

export interface TableId {
  readonly schema: string;
  readonly table: string;
}

export interface CatalogTable extends TableId {
  readonly oid: number;
  readonly columns: readonly CatalogColumn[];
  /** Primary key columns in key order (falls back to the first unique index). */
  readonly keyColumns: readonly string[];
  readonly replicaIdentity: ReplicaIdentity;
}

export interface CapturedColumn {
  readonly name: string;
  /** Position in the tuple PostgreSQL sends (relation message order). */
  readonly tupleIndex: number;
  readonly mapping: ColumnMapping;
  /** Field schema with optionality and default. */
  readonly schema: ConnectSchema;
  readonly optional: boolean;
}

export interface TableSchema extends TableId {
  readonly topic: string;
  readonly replicaIdentity: ReplicaIdentity;
  readonly columns: readonly CapturedColumn[];
  readonly keyColumns: readonly CapturedColumn[];
  readonly keySchema: ConnectSchema | null;
  readonly valueSchema: ConnectSchema;
  readonly envelopeSchema: ConnectSchema;
}

export interface SchemaBuildOptions extends TypeMappingOptions {
  readonly topicPrefix: string;
  readonly columnFilter: (table: TableId, column: string) => boolean;
  /** message.key.columns override for this table, if any. */
  readonly keyColumnsOverride: (table: TableId) => readonly string[] | undefined;
  readonly sourceInfoVersion: boolean;
}

/** The relation columns as PostgreSQL sends them (tuple order); defaults to the catalog order. */
export interface WireColumn {
  readonly name: string;
  readonly typmod: number;
}

export function topicName(prefix: string, id: TableId): string {
  return `${prefix}.${id.schema}.${id.table}`.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 249);
}

export function buildTableSchema(table: CatalogTable, wire: readonly WireColumn[] | null, opts: SchemaBuildOptions): TableSchema {
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const tupleColumns = wire ?? table.columns.map((c) => ({ name: c.name, typmod: c.typmod }));
  const captured: CapturedColumn[] = [];
  tupleColumns.forEach((w, tupleIndex) => {
    const cat = byName.get(w.name);
    if (cat === undefined || !opts.columnFilter(table, w.name)) return;
    const mapping = mapColumnType(cat.type, w.typmod, opts);
    if (mapping === null) return;
    const optional = !cat.notNull;
    const def = defaultValue(cat, mapping);
    const schema: ConnectSchema = { ...mapping.schema, optional, ...(def !== undefined ? { default: def } : {}) };
    captured.push({ name: w.name, tupleIndex, mapping, schema, optional });
  });
  const keyNames = opts.keyColumnsOverride(table) ?? table.keyColumns;
  const keyColumns = keyNames.map((n) => captured.find((c) => c.name === n)).filter((c): c is CapturedColumn => c !== undefined);
  const base = `${opts.topicPrefix}.${table.schema}.${table.table}`;
  const fields: ConnectField[] = captured.map((c) => ({ name: c.name, schema: c.schema }));
  const valueSchema: ConnectSchema = { type: 'struct', fields, optional: true, name: `${base}.Value` };
  const keySchema: ConnectSchema | null =
    keyColumns.length === 0 ? null : { type: 'struct', fields: keyColumns.map((c) => ({ name: c.name, schema: c.schema })), optional: false, name: `${base}.Key` };
  return {
    schema: table.schema,
    table: table.table,
    topic: topicName(opts.topicPrefix, table),
    replicaIdentity: table.replicaIdentity,
    columns: captured,
    keyColumns,
    keySchema,
    valueSchema,
    envelopeSchema: envelopeSchema(valueSchema, `${base}.Envelope`, opts.sourceInfoVersion),
  };
}

export const TRANSACTION_BLOCK_SCHEMA: ConnectSchema = {
  type: 'struct',
  fields: [
    { name: 'id', schema: { type: 'string', optional: false } },
    { name: 'total_order', schema: { type: 'int64', optional: false } },
    { name: 'data_collection_order', schema: { type: 'int64', optional: false } },
  ],
  optional: true,
  name: 'event.block',
  version: 1,
};

export function envelopeSchema(valueSchema: ConnectSchema, name: string, sourceInfoVersion: boolean): ConnectSchema {
  const optInt64: ConnectSchema = { type: 'int64', optional: true };
  return {
    type: 'struct',
    fields: [
      { name: 'before', schema: valueSchema },
      { name: 'after', schema: valueSchema },
      { name: 'source', schema: sourceSchema(sourceInfoVersion) },
      { name: 'transaction', schema: TRANSACTION_BLOCK_SCHEMA },
      { name: 'op', schema: { type: 'string', optional: false } },
      { name: 'ts_ms', schema: optInt64 },
      { name: 'ts_us', schema: optInt64 },
      { name: 'ts_ns', schema: optInt64 },
    ],
    optional: false,
    name,
    version: 2,
  };
}

/**
 * Column default as Debezium's PostgresDefaultValueConverter puts it in the schema: literal defaults are parsed;
 * function defaults (nextval, now(), gen_random_uuid() ...) become the type's zero value; anything else has no default.
 */
export function defaultValue(column: CatalogColumn, mapping: ColumnMapping): ConnectValue | undefined {
  const expr = column.defaultExpr?.trim();
  if (expr === undefined || expr === '' || /^NULL(::.*)?$/i.test(expr)) return undefined;
  const literal = literalText(expr);
  if (literal !== undefined) {
    try {
      const v = mapping.convert(literal);
      return v === null ? undefined : v;
    } catch {
      return undefined;
    }
  }
  if (/^[A-Za-z_][\w.]*\(.*\)(::[\w\s".[\]]+)?$/s.test(expr)) return mapping.fallback;
  return undefined;
}

function literalText(expr: string): string | undefined {
  const quoted = /^'((?:[^']|'')*)'(?:::[\w\s".[\]()]+)?$/s.exec(expr);
  if (quoted) return quoted[1]!.replace(/''/g, "'");
  const num = /^\(?(-?\d+(?:\.\d+)?)\)?(?:::[\w\s".]+)?$/.exec(expr);
  if (num) return num[1]!;
  if (expr === 'true' || expr === 'false') return expr === 'true' ? 't' : 'f';
  return undefined;
}
