/**
 * Logical decoding message ('M', PG14+, slot option messages 'true'): Int8 flags (1 = transactional),
 * Int64 LSN of the message, String prefix, Int32 content length, Byte[n] content.
 */
import type { ByteReader } from './reader.js';

export interface LogicalMessage {
  readonly tag: 'message';
  readonly transactional: boolean;
  readonly lsn: bigint;
  readonly prefix: string;
  readonly content: Buffer;
}

export function readMessage(r: ByteReader): LogicalMessage {
  const flags = r.uint8();
  const lsn = r.uint64();
  const prefix = r.cstring();
  const len = r.int32();
  const content = Buffer.from(r.bytes(len));
  return { tag: 'message', transactional: (flags & 1) === 1, lsn, prefix, content };
}
