/**
 * Origin ('O'): Int64 commit LSN on the origin server, String origin name (NUL-terminated).
 */
import type { ByteReader } from './reader.js';

export interface OriginMessage {
  readonly tag: 'origin';
  readonly originLsn: bigint;
  readonly name: string;
}

export function readOrigin(r: ByteReader): OriginMessage {
  const originLsn = r.uint64();
  const name = r.cstring();
  return { tag: 'origin', originLsn, name };
}
