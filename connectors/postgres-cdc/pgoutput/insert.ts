/**
 * Insert ('I'): Int32 relation OID, Byte1 'N', TupleData (the new row).
 */
import type { ByteReader } from './reader.js';
import { readTuple, type TupleData } from './tuple.js';
import { CdcProtocolError } from '../errors.js';

export interface InsertMessage {
  readonly tag: 'insert';
  readonly relationOid: number;
  readonly newTuple: TupleData;
}

export function readInsert(r: ByteReader): InsertMessage {
  const relationOid = r.uint32();
  const marker = r.char();
  if (marker !== 'N') throw new CdcProtocolError(`insert: expected 'N', got '${marker}'`, { context: { relationOid } });
  return { tag: 'insert', relationOid, newTuple: readTuple(r) };
}
