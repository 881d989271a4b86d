/**
 * Begin ('B'): Int64 final LSN of the transaction, Int64 commit timestamp (µs since 2000-01-01), Int32 xid.
 */
import { pgTimestampToUnixMicros, type ByteReader } from './reader.js';

export interface BeginMessage {
  readonly tag: 'begin';
  readonly finalLsn: bigint;
  /** Commit time in µs since the Unix epoch. */
  readonly commitTimeUs: bigint;
  readonly xid: number;
}

export function readBegin(r: ByteReader): BeginMessage {
  const finalLsn = r.uint64();
  const commitTimeUs = pgTimestampToUnixMicros(r.int64());
  const xid = r.uint32();
  return { tag: 'begin', finalLsn, commitTimeUs, xid };
}
