/**
 * The `source` block of io.debezium.connector.postgresql.Source (Debezium 3.1+ shape).
 */
import type { ConnectSchema, ConnectStruct } from './connect/schema.js';

/** The Debezium release whose event shape Tributary reproduces. */
export const DEBEZIUM_VERSION = '3.1.0.Final';

export const SNAPSHOT_ALLOWED = 'true,first,first_in_data_collection,last_in_data_collection,last,false,incremental';

export type SnapshotMarker = 'true' | 'first' | 'first_in_data_collection' | 'last_in_data_collection' | 'last' | null;

const cache = new Map<boolean, ConnectSchema>();

export function sourceSchema(withVersion: boolean): ConnectSchema {
  const hit = cache.get(withVersion);
  if (hit) return hit;
  const str = (optional: boolean): ConnectSchema => ({ type: 'string', optional });
  const i64 = (optional: boolean): ConnectSchema => ({ type: 'int64', optional });
  const schema: ConnectSchema = {
    type: 'struct',
    fields: [
      { name: 'version', schema: str(false) },
      { name: 'connector', schema: str(false) },
      { name: 'name', schema: str(false) },
      { name: 'ts_ms', schema: i64(false) },
      {
        name: 'snapshot',
        schema: { type: 'string', optional: true, name: 'io.debezium.data.Enum', version: 1, parameters: { allowed: SNAPSHOT_ALLOWED }, default: 'false' },
      },
      { name: 'db', schema: str(false) },
      { name: 'sequence', schema: str(true) },
      { name: 'ts_us', schema: i64(true) },
      { name: 'ts_ns', schema: i64(true) },
      { name: 'schema', schema: str(false) },
      { name: 'table', schema: str(false) },
      { name: 'txId', schema: i64(true) },
      { name: 'lsn', schema: i64(true) },
      { name: 'xmin', schema: i64(true) },
    ],
    optional: false,
    name: 'io.debezium.connector.postgresql.Source',
    ...(withVersion ? { version: 1 } : {}),
  };
  cache.set(withVersion, schema);
  return schema;
}

export interface SourcePosition {
  readonly topicPrefix: string;
  readonly db: string;
  /** Commit time (streaming) or snapshot read time, µs since epoch. */
  readonly tsUs: bigint;
  readonly snapshot: SnapshotMarker;
  readonly lastCommitLsn: bigint | null;
  readonly lsn: bigint | null;
  readonly txId: bigint | null;
  readonly schema: string;
  readonly table: string;
}

export function sourceStruct(p: SourcePosition): ConnectStruct {
  const seq = JSON.stringify([p.lastCommitLsn === null ? null : p.lastCommitLsn.toString(), p.lsn === null ? null : p.lsn.toString()]);
  return {
    version: DEBEZIUM_VERSION,
    connector: 'postgresql',
    name: p.topicPrefix,
    ts_ms: p.tsUs / 1000n,
    snapshot: p.snapshot,
    db: p.db,
    sequence: seq,
    ts_us: p.tsUs,
    ts_ns: p.tsUs * 1000n,
    schema: p.schema,
    table: p.table,
    txId: p.txId,
    lsn: p.lsn,
    xmin: null,
  };
}
