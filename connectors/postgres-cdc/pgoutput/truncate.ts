/**
 * Truncate ('T'): Int32 number of relations, Int8 options (bit 1 CASCADE, bit 2 RESTART IDENTITY),
 * then Int32 relation OID per relation.
 */
import type { ByteReader } from './reader.js';

export interface TruncateMessage {
  readonly tag: 'truncate';
  readonly cascade: boolean;
  readonly restartIdentity: boolean;
  readonly relationOids: readonly number[];
}

export function readTruncate(r: ByteReader): TruncateMessage {
  const n = r.int32();
  const options = r.uint8();
  const relationOids: number[] = [];
  for (let i = 0; i < n; i++) relationOids.push(r.uint32());
  return { tag: 'truncate', cascade: (options & 1) !== 0, restartIdentity: (options & 2) !== 0, relationOids };
}
