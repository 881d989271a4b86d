/**
 * Commit ('C'): Int8 flags (unused, 0), Int64 commit LSN, Int64 end LSN of the transaction,
 * Int64 commit timestamp (µs since 2000-01-01). The end LSN is the position to confirm once the transaction is durable.
 */
import { pgTimestampToUnixMicros, type ByteReader } from './reader.js';

export interface CommitMessage {
  readonly tag: 'commit';
  readonly flags: number;
  readonly commitLsn: bigint;
  readonly endLsn: bigint;
  readonly commitTimeUs: bigint;
}

export function readCommit(r: ByteReader): CommitMessage {
  const flags = r.uint8();
  const commitLsn = r.uint64();
  const endLsn = r.uint64();
  const commitTimeUs = pgTimestampToUnixMicros(r.int64());
  return { tag: 'commit', flags, commitLsn, endLsn, commitTimeUs };
}
