import { describe, expect, it } from 'vitest';
import { decodeOffset, encodeOffset, offsetKey } from './offset-store.js';

describe('offset encoding', () => {
  it('writes Kafka Connect style keys and exact 64-bit values', () => {
    expect(offsetKey('inventory-connector', 'dbserver1')).toBe('["inventory-connector",{"server":"dbserver1"}]');
    const o = { lsn: 0xffff_ffff_ffff_fff0n, lsnProc: 27510008n, lsnCommit: 27510008n, txId: 4_294_967_300n, tsUsec: 1705314661234567n, messageType: 'COMMIT' as const, snapshotCompleted: true };
    const text = encodeOffset(o);
    expect(text).toBe('{"lsn":18446744073709551600,"lsn_proc":27510008,"lsn_commit":27510008,"txId":4294967300,"ts_usec":1705314661234567,"messageType":"COMMIT","snapshot_completed":true}');
    expect(decodeOffset(text)).toEqual(o);
  });

  it('marks an unfinished snapshot', () => {
    const o = { lsn: 5n, lsnProc: 5n, lsnCommit: 5n, txId: null, tsUsec: 1n, messageType: 'SNAPSHOT' as const, snapshotCompleted: false };
    expect(encodeOffset(o)).toContain('"snapshot":"INITIAL","last_snapshot_record":false,"snapshot_completed":false');
    expect(decodeOffset(encodeOffset(o))).toEqual(o);
  });
});
