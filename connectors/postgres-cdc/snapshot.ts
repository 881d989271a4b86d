/**
 * Initial snapshot: reads every captured table inside one REPEATABLE READ transaction that imports the slot's exported
 * snapshot (so streaming from the slot's consistent point continues with no gap and no duplicate) and emits `op: r`
 * events with Debezium's snapshot markers (first, first_in_data_collection, true, last_in_data_collection, last).
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { CatalogTable, TableId, TableSchema } from './table-schema.js';
import type { CdcRecord, ChangeEventFactory } from './change-events.js';
import { rowFromTuple } from './change-events.js';
import type { SnapshotMarker } from './source-info.js';
import type { TupleData } from './pgoutput/tuple.js';
import { quoteIdent, quoteLiteral } from './replication/replication-connection.js';

export interface SnapshotOptions {
  readonly client: pg.ClientBase;
  /** Exported snapshot of the slot; null when the slot already existed (then overlap with streaming is possible). */
  readonly snapshotName: string | null;
  readonly tables: readonly TableId[];
  readonly loadTable: (id: TableId) => Promise<CatalogTable>;
  readonly buildSchema: (t: CatalogTable) => TableSchema;
  readonly factory: ChangeEventFactory;
  readonly topicPrefix: string;
  readonly db: string;
  readonly lsn: bigint;
  readonly fetchSize: number;
  readonly logger: Logger;
  /** Receives records in chunks; may apply backpressure by returning a promise. */
  readonly emit: (records: CdcRecord[]) => Promise<void> | void;
}

export interface SnapshotResult {
  readonly rows: number;
  readonly tables: number;
  readonly txId: bigint;
  readonly elapsedMs: number;
}

export async function runSnapshot(o: SnapshotOptions): Promise<SnapshotResult> {
  const started = Date.now();
  const { client } = o;
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    if (o.snapshotName !== null) await client.query(`SET TRANSACTION SNAPSHOT ${quoteLiteral(o.snapshotName)}`);
    const txRes = await client.query<{ xid: string }>('SELECT txid_current_if_assigned()::text AS xid, pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
    const row = txRes.rows[0] as unknown as { xid: string | null; xmin: string };
    const txId = BigInt(row.xid ?? row.xmin);
    let total = 0;
    let lastLog = Date.now();
    let firstOverall = true;
    for (let ti = 0; ti < o.tables.length; ti++) {
      const id = o.tables[ti]!;
      const catalogTable = await o.loadTable(id);
      const schema = o.buildSchema(catalogTable);
      const tsRes = await client.query<{ us: string }>(`SELECT (extract(epoch from now()) * 1000000)::int8::text AS us`);
      const tsUs = BigInt(tsRes.rows[0]!.us);
      const lastTable = ti === o.tables.length - 1;
      o.logger.info({ table: `${id.schema}.${id.table}`, index: ti + 1, of: o.tables.length }, 'snapshot: reading table');
      const cursor = `tributary_snapshot_${ti}`;
      // every catalog column in catalog order: tuple positions then match the schema's tupleIndex
      const columns = catalogTable.columns.map((c) => quoteIdent(c.name)).join(', ');
      await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${columns || '1'} FROM ${quoteIdent(id.schema)}.${quoteIdent(id.table)}`);
      let pending: TupleData | null = null;
      let firstInTable = true;
      let tableRows = 0;
      const emitRow = async (tuple: TupleData, lastInTable: boolean, chunk: CdcRecord[]): Promise<void> => {
        let marker: SnapshotMarker = 'true';
        if (firstInTable) marker = 'first_in_data_collection';
        if (lastInTable) marker = 'last_in_data_collection';
        if (firstOverall) marker = 'first';
        if (lastInTable && lastTable) marker = 'last';
        firstOverall = false;
        firstInTable = false;
        chunk.push(
          ...o.factory.read(schema, rowFromTuple(schema, tuple), {
            topicPrefix: o.topicPrefix, db: o.db, tsUs, snapshot: marker, lastCommitLsn: null, lsn: o.lsn, txId, schema: id.schema, table: id.table,
          }),
        );
      };
      for (;;) {
        const res = await client.query({ text: `FETCH ${o.fetchSize} FROM ${cursor}`, rowMode: 'array' });
        const rows = res.rows as (string | null)[][];
        const chunk: CdcRecord[] = [];
        const done = rows.length < o.fetchSize;
        for (const r of rows) {
          const tuple: TupleData = r.map((v) => (v === null ? { kind: 'null' as const } : { kind: 'text' as const, text: v }));
          if (pending !== null) await emitRow(pending, false, chunk);
          pending = tuple;
        }
        if (done && pending !== null) {
          await emitRow(pending, true, chunk);
          pending = null;
        }
        tableRows += rows.length;
        total += rows.length;
        if (chunk.length > 0) await o.emit(chunk);
        if (Date.now() - lastLog > 5000) {
          lastLog = Date.now();
          o.logger.info({ table: `${id.schema}.${id.table}`, tableRows, totalRows: total, rowsPerSec: Math.round(total / ((Date.now() - started) / 1000)) }, 'snapshot: progress');
        }
        if (done) break;
      }
      await client.query(`CLOSE ${cursor}`);
      o.logger.info({ table: `${id.schema}.${id.table}`, rows: tableRows }, 'snapshot: table done');
    }
    await client.query('COMMIT');
    const elapsedMs = Date.now() - started;
    o.logger.info({ rows: total, tables: o.tables.length, elapsedMs, rowsPerSec: elapsedMs > 0 ? Math.round((total * 1000) / elapsedMs) : total }, 'snapshot: completed');
    return { rows: total, tables: o.tables.length, txId, elapsedMs };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
