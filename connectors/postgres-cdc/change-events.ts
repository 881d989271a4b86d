/**
 * Turns decoded row changes into Kafka records carrying Debezium's key and envelope, serialised by the JsonConverter
 * rules: c/u/d/r events, the tombstone after a delete, and a primary-key change as delete + tombstone + create.
 */
import type { ConnectStruct, ConnectValue } from './connect/schema.js';
import { toConnectJson, valueJson } from './connect/json-converter.js';
import type { TableSchema } from './table-schema.js';
import type { TupleData } from './pgoutput/tuple.js';
import { sourceStruct, type SourcePosition } from './source-info.js';
import { CdcDataError } from './errors.js';

export interface CdcRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer>>;
}

export interface TransactionBlock {
  readonly id: string;
  readonly totalOrder: bigint;
  readonly dataCollectionOrder: bigint;
}

export interface EventOptions {
  readonly keySchemasEnable: boolean;
  readonly valueSchemasEnable: boolean;
  readonly tombstonesOnDelete: boolean;
  /** Wall clock in µs since epoch (the envelope's ts_ms/ts_us/ts_ns). */
  readonly clockUs: () => bigint;
}

export type Op = 'r' | 'c' | 'u' | 'd';

/** A row as text values in tuple order (snapshot rows are read as text too). */
export function rowFromTuple(ts: TableSchema, tuple: TupleData, fallbackTuple: TupleData | null = null): ConnectStruct {
  const row: Record<string, ConnectValue> = {};
  for (const c of ts.columns) {
    const tv = tuple[c.tupleIndex];
    let v: ConnectValue = null;
    if (tv === undefined || tv.kind === 'null') v = null;
    else if (tv.kind === 'text') v = convert(ts, c.name, c.mapping.convert, tv.text);
    else if (tv.kind === 'unchanged-toast') {
      const old = fallbackTuple?.[c.tupleIndex];
      v = old !== undefined && old.kind === 'text' ? convert(ts, c.name, c.mapping.convert, old.text) : c.mapping.unavailable;
    } else throw new CdcDataError(`binary tuple values are not supported (column ${c.name})`, { context: { table: ts.table, column: c.name } });
    if (v === null && !c.optional && c.schema.default === undefined) v = c.mapping.fallback;
    row[c.name] = v;
  }
  return row;
}

function convert(ts: TableSchema, column: string, fn: (t: string) => ConnectValue, text: string): ConnectValue {
  try {
    return fn(text);
  } catch (err) {
    throw new CdcDataError(`cannot convert value of ${ts.schema}.${ts.table}.${column}: ${(err as Error).message}`, {
      context: { table: `${ts.schema}.${ts.table}`, column },
      cause: err,
    });
  }
}

export function keyStruct(ts: TableSchema, row: ConnectStruct): ConnectStruct | null {
  if (ts.keySchema === null) return null;
  const key: Record<string, ConnectValue> = {};
  for (const c of ts.keyColumns) key[c.name] = row[c.name] ?? null;
  return key;
}

export class ChangeEventFactory {
  constructor(private readonly opts: EventOptions) {}

  private serializeKey(ts: TableSchema, key: ConnectStruct | null): Buffer | null {
    if (ts.keySchema === null || key === null) return null;
    return toConnectJson(ts.keySchema, key, { schemasEnable: this.opts.keySchemasEnable });
  }

  private envelope(ts: TableSchema, op: Op | 't', before: ConnectStruct | null, after: ConnectStruct | null, source: SourcePosition, tx: TransactionBlock | null): Buffer {
    const now = this.opts.clockUs();
    const value: ConnectStruct = {
      before,
      after,
      source: sourceStruct(source),
      transaction: tx === null ? null : { id: tx.id, total_order: tx.totalOrder, data_collection_order: tx.dataCollectionOrder },
      op,
      ts_ms: now / 1000n,
      ts_us: now,
      ts_ns: now * 1000n,
    };
    return toConnectJson(ts.envelopeSchema, value, { schemasEnable: this.opts.valueSchemasEnable }) as Buffer;
  }

  /** Header text of a key struct as Connect's SimpleHeaderConverter writes it. */
  private keyHeader(ts: TableSchema, key: ConnectStruct | null): Buffer {
    if (ts.keySchema === null || key === null) return Buffer.from('null');
    return Buffer.from(valueJson(ts.keySchema, key, ''), 'utf8');
  }

  read(ts: TableSchema, row: ConnectStruct, source: SourcePosition): CdcRecord[] {
    return [{ topic: ts.topic, key: this.serializeKey(ts, keyStruct(ts, row)), value: this.envelope(ts, 'r', null, row, source, null), headers: {} }];
  }

  insert(ts: TableSchema, tuple: TupleData, source: SourcePosition, tx: TransactionBlock | null): CdcRecord[] {
    const after = rowFromTuple(ts, tuple);
    return [{ topic: ts.topic, key: this.serializeKey(ts, keyStruct(ts, after)), value: this.envelope(ts, 'c', null, after, source, tx), headers: {} }];
  }

  update(ts: TableSchema, oldKey: TupleData | null, oldTuple: TupleData | null, newTuple: TupleData, source: SourcePosition, tx: TransactionBlock | null): CdcRecord[] {
    const before = oldTuple !== null ? rowFromTuple(ts, oldTuple) : oldKey !== null ? rowFromTuple(ts, oldKey) : null;
    const after = rowFromTuple(ts, newTuple, oldTuple);
    const newKey = keyStruct(ts, after);
    const newKeyBytes = this.serializeKey(ts, newKey);
    if (before !== null && ts.keySchema !== null) {
      const oldKeyStruct = keyStruct(ts, before);
      const oldKeyBytes = this.serializeKey(ts, oldKeyStruct);
      if (oldKeyBytes !== null && newKeyBytes !== null && !oldKeyBytes.equals(newKeyBytes)) {
        const dHeaders = { '__debezium.newkey': this.keyHeader(ts, newKey) };
        const cHeaders = { '__debezium.oldkey': this.keyHeader(ts, oldKeyStruct) };
        const out: CdcRecord[] = [{ topic: ts.topic, key: oldKeyBytes, value: this.envelope(ts, 'd', before, null, source, tx), headers: dHeaders }];
        if (this.opts.tombstonesOnDelete) out.push({ topic: ts.topic, key: oldKeyBytes, value: null, headers: dHeaders });
        out.push({ topic: ts.topic, key: newKeyBytes, value: this.envelope(ts, 'c', null, after, source, tx), headers: cHeaders });
        return out;
      }
    }
    const shownBefore = oldTuple !== null ? before : null;
    return [{ topic: ts.topic, key: newKeyBytes, value: this.envelope(ts, 'u', shownBefore, after, source, tx), headers: {} }];
  }

  delete(ts: TableSchema, oldKey: TupleData | null, oldTuple: TupleData | null, source: SourcePosition, tx: TransactionBlock | null): CdcRecord[] {
    const tuple = oldTuple ?? oldKey;
    const before = tuple === null ? null : rowFromTuple(ts, tuple);
    const key = this.serializeKey(ts, before === null ? null : keyStruct(ts, before));
    const out: CdcRecord[] = [{ topic: ts.topic, key, value: this.envelope(ts, 'd', before, null, source, tx), headers: {} }];
    if (this.opts.tombstonesOnDelete && key !== null) out.push({ topic: ts.topic, key, value: null, headers: {} });
    return out;
  }

  truncate(ts: TableSchema, source: SourcePosition, tx: TransactionBlock | null): CdcRecord[] {
    return [{ topic: ts.topic, key: null, value: this.envelope(ts, 't', null, null, source, tx), headers: {} }];
  }
}
