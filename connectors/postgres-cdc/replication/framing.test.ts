import { describe, expect, it } from 'vitest';
import { parseCopyData, standbyStatus } from './framing.js';
import { formatLsn, parseLsn } from '../lsn.js';

describe('replication framing', () => {
  it('parses XLogData headers', () => {
    const b = Buffer.alloc(26);
    b.write('w', 0, 'latin1');
    b.writeBigUInt64BE(0x16e8b58n, 1);
    b.writeBigUInt64BE(0x16e8b60n, 9);
    b.writeBigInt64BE(42n, 17);
    b.write('B', 25, 'latin1');
    expect(parseCopyData(b)).toEqual({ kind: 'xlog', dataStart: 0x16e8b58n, walEnd: 0x16e8b60n, sendTime: 42n, payloadOffset: 25 });
  });

  it('parses keepalives and the reply-requested flag', () => {
    const b = Buffer.alloc(18);
    b.write('k', 0, 'latin1');
    b.writeBigUInt64BE(0xffff_ffff_0000_0001n, 1);
    b.writeUInt8(1, 17);
    expect(parseCopyData(b)).toEqual({ kind: 'keepalive', walEnd: 0xffff_ffff_0000_0001n, sendTime: 0n, replyRequested: true });
  });

  it('builds a 34-byte standby status with write = flush = apply = the durable LSN', () => {
    const s = standbyStatus(0x1_0000_0002n, 946_684_800_000 + 1, false);
    expect(s.length).toBe(34);
    expect(s.toString('latin1', 0, 1)).toBe('r');
    expect(s.readBigUInt64BE(1)).toBe(0x1_0000_0002n);
    expect(s.readBigUInt64BE(9)).toBe(0x1_0000_0002n);
    expect(s.readBigUInt64BE(17)).toBe(0x1_0000_0002n);
    expect(s.readBigInt64BE(25)).toBe(1000n);
    expect(s[33]).toBe(0);
  });

  it('round-trips LSN text', () => {
    expect(parseLsn('0/16E8B58')).toBe(24021848n);
    expect(parseLsn('00000001/0000000A')).toBe(0x1_0000_000an);
    expect(formatLsn(0x1_0000_000an)).toBe('1/A');
    expect(() => parseLsn('nope')).toThrow(/not an LSN/);
  });
});
