/**
 * Delete ('D'): Int32 relation OID, then Byte1 'K' + TupleData (replica-identity key columns; the other columns are
 * sent as null) or Byte1 'O' + TupleData (whole old row, FULL identity).
 */
import type { ByteReader } from './reader.js';
import { readTuple, type TupleData } from './tuple.js';
import { CdcProtocolError } from '../errors.js';

export interface DeleteMessage {
  readonly tag: 'delete';
  readonly relationOid: number;
  readonly oldKey: TupleData | null;
  readonly oldTuple: TupleData | null;
}

export function readDelete(r: ByteReader): DeleteMessage {
  const relationOid = r.uint32();
  const marker = r.char();
  if (marker === 'K') return { tag: 'delete', relationOid, oldKey: readTuple(r), oldTuple: null };
  if (marker === 'O') return { tag: 'delete', relationOid, oldKey: null, oldTuple: readTuple(r) };
  throw new CdcProtocolError(`delete: expected 'K' or 'O', got '${marker}'`, { context: { relationOid } });
}
