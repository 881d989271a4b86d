/**
 * CopyBoth framing of the streaming replication protocol.
 * Server -> client CopyData:
 *   'w' XLogData: Int64 dataStart, Int64 walEnd, Int64 sendTime (µs since 2000-01-01), then one pgoutput message
 *   'k' keepalive: Int64 walEnd, Int64 sendTime, Byte1 replyRequested
 * Client -> server:
 *   'r' standby status: Int64 write, Int64 flush, Int64 apply, Int64 clock (µs since 2000-01-01), Byte1 replyRequested
 */
import { CdcProtocolError } from '../errors.js';
import { PG_EPOCH_OFFSET_US } from '../pgoutput/reader.js';

export interface XLogData {
  readonly kind: 'xlog';
  readonly dataStart: bigint;
  readonly walEnd: bigint;
  readonly sendTime: bigint;
  /** Offset of the pgoutput message inside the chunk. */
  readonly payloadOffset: number;
}

export interface Keepalive {
  readonly kind: 'keepalive';
  readonly walEnd: bigint;
  readonly sendTime: bigint;
  readonly replyRequested: boolean;
}

export const XLOG_HEADER_LENGTH = 25;

export function parseCopyData(chunk: Buffer): XLogData | Keepalive {
  const tag = String.fromCharCode(chunk[0] ?? 0);
  if (tag === 'w') {
    if (chunk.length < XLOG_HEADER_LENGTH + 1) throw new CdcProtocolError('XLogData shorter than its header', { context: { length: chunk.length } });
    return {
      kind: 'xlog',
      dataStart: chunk.readBigUInt64BE(1),
      walEnd: chunk.readBigUInt64BE(9),
      sendTime: chunk.readBigInt64BE(17),
      payloadOffset: XLOG_HEADER_LENGTH,
    };
  }
  if (tag === 'k') {
    if (chunk.length < 18) throw new CdcProtocolError('keepalive shorter than 18 bytes', { context: { length: chunk.length } });
    return { kind: 'keepalive', walEnd: chunk.readBigUInt64BE(1), sendTime: chunk.readBigInt64BE(9), replyRequested: chunk[17] === 1 };
  }
  throw new CdcProtocolError(`unknown CopyData message '${tag}'`, { context: { tag } });
}

/**
 * Standby status update reporting `durableLsn` as written, flushed and applied: for a logical slot the flush position
 * becomes confirmed_flush_lsn, so only pass an LSN whose events Kafka has acknowledged.
 */
export function standbyStatus(durableLsn: bigint, nowUnixMs: number = Date.now(), replyRequested = false): Buffer {
  const buf = Buffer.alloc(34);
  buf.write('r', 0, 'latin1');
  buf.writeBigUInt64BE(durableLsn, 1);
  buf.writeBigUInt64BE(durableLsn, 9);
  buf.writeBigUInt64BE(durableLsn, 17);
  buf.writeBigInt64BE(BigInt(nowUnixMs) * 1000n - PG_EPOCH_OFFSET_US, 25);
  buf.writeUInt8(replyRequested ? 1 : 0, 33);
  return buf;
}
