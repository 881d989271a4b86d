/**
 * Update ('U'): Int32 relation OID, optionally Byte1 'K' + TupleData (old replica-identity key, sent under
 * DEFAULT/INDEX identity only when a key column changed) or Byte1 'O' + TupleData (whole old row, FULL identity),
 * then Byte1 'N' + TupleData (the new row; unchanged TOAST values arrive as 'u').
 */
import type { ByteReader } from './reader.js';
import { readTuple, type TupleData } from './tuple.js';
import { CdcProtocolError } from '../errors.js';

export interface UpdateMessage {
  readonly tag: 'update';
  readonly relationOid: number;
  readonly oldKey: TupleData | null;
  readonly oldTuple: TupleData | null;
  readonly newTuple: TupleData;
}

export function readUpdate(r: ByteReader): UpdateMessage {
  const relationOid = r.uint32();
  let oldKey: TupleData | null = null;
  let oldTuple: TupleData | null = null;
  let marker = r.char();
  if (marker === 'K') {
    oldKey = readTuple(r);
    marker = r.char();
  } else if (marker === 'O') {
    oldTuple = readTuple(r);
    marker = r.char();
  }
  if (marker !== 'N') throw new CdcProtocolError(`update: expected 'N', got '${marker}'`, { context: { relationOid } });
  return { tag: 'update', relationOid, oldKey, oldTuple, newTuple: readTuple(r) };
}
