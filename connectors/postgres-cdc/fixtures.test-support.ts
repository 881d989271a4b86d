/** The reference's `customers` table (debezium.md §11), shared by unit tests. */
import type { CatalogTable, SchemaBuildOptions } from './table-schema.js';

export const CUSTOMERS: CatalogTable = {
  oid: 16385,
  schema: 'public',
  table: 'customers',
  replicaIdentity: 'default',
  keyColumns: ['id'],
  columns: [
    { name: 'id', type: { oid: 23, name: 'int4', category: 'base' }, typmod: -1, notNull: true, defaultExpr: "nextval('customers_id_seq'::regclass)" },
    { name: 'name', type: { oid: 25, name: 'text', category: 'base' }, typmod: -1, notNull: true, defaultExpr: null },
    { name: 'email', type: { oid: 1043, name: 'varchar', category: 'base' }, typmod: 259, notNull: false, defaultExpr: null },
    { name: 'balance', type: { oid: 1700, name: 'numeric', category: 'base' }, typmod: ((10 << 16) | 2) + 4, notNull: false, defaultExpr: null },
    { name: 'created_at', type: { oid: 1184, name: 'timestamptz', category: 'base' }, typmod: -1, notNull: false, defaultExpr: null },
    { name: 'tags', type: { oid: 3802, name: 'jsonb', category: 'base' }, typmod: -1, notNull: false, defaultExpr: null },
  ],
};

export const BUILD_OPTS: SchemaBuildOptions = {
  topicPrefix: 'dbserver1',
  decimalHandlingMode: 'precise',
  timePrecisionMode: 'adaptive',
  binaryHandlingMode: 'bytes',
  intervalHandlingMode: 'numeric',
  hstoreHandlingMode: 'json',
  moneyFractionDigits: 2,
  unavailableValuePlaceholder: '__debezium_unavailable_value',
  columnFilter: () => true,
  keyColumnsOverride: () => undefined,
  sourceInfoVersion: true,
};

