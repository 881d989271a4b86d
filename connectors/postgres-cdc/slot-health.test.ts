import { describe, expect, it } from 'vitest';
import { WalLagClock, isSlotLostServerError, slotLostError, slotWarnings, type SlotHealth } from './slot-health.js';
import { parseLsn } from './lsn.js';

const health = (over: Partial<SlotHealth> = {}): SlotHealth => ({
  slotName: 'inventory', walStatus: 'reserved', active: true, restartLsn: parseLsn('0/1000000'), confirmedFlushLsn: parseLsn('0/2000000'),
  currentLsn: parseLsn('0/3000000'), lagBytes: 0x1000000n, retainedBytes: 0x2000000n, safeWalBytes: null, ...over,
});

describe('slot health warnings', () => {
  it('warns past each threshold, naming the slot, the value and the key', () => {
    const w = slotWarnings(health(), { lagBytes: 1024, lagMs: 1000, retainedBytes: 0x2000000 }, 5000);
    expect(w.map((x) => x.kind)).toEqual(['lag-bytes', 'lag-time', 'retained-wal']);
    expect(w[0]!.message).toBe('replication slot inventory is 16777216 WAL bytes behind the server (slot.lag.warn.threshold.bytes=1024)');
    expect(w[1]!.message).toBe('replication slot inventory has been behind the server for 5000 ms (slot.lag.warn.threshold.ms=1000)');
  });

  it('stays quiet under the thresholds and when a threshold is 0', () => {
    expect(slotWarnings(health(), { lagBytes: 0x1000001, lagMs: 6000, retainedBytes: 0 }, 5000)).toEqual([]);
    expect(slotWarnings(health(), { lagBytes: 0, lagMs: 0, retainedBytes: 0 }, 1e9)).toEqual([]);
  });

  it('always warns about an unreserved slot', () => {
    expect(slotWarnings(health({ walStatus: 'unreserved' }), { lagBytes: 0, lagMs: 0, retainedBytes: 0 }).map((w) => w.kind)).toEqual(['wal-unreserved']);
  });
});

describe('WalLagClock', () => {
  it('says since when the server has been past the confirmed position', () => {
    const clock = new WalLagClock();
    clock.sample(1000, 100n);
    clock.sample(2000, 200n);
    clock.sample(3000, 300n);
    // the confirmed position only moves forward
    expect(clock.lagMs(4000, 50n)).toBe(3000); // behind since before the first sample: at least that long
    expect(clock.lagMs(4000, 250n)).toBe(1000); // the server passed 250 by 3000
    expect(clock.lagMs(4000, 300n)).toBe(0); // caught up
  });

  it('keeps the oldest sample of a position the server did not move from', () => {
    const clock = new WalLagClock();
    clock.sample(1000, 100n);
    clock.sample(5000, 100n);
    expect(clock.lagMs(6000, 50n)).toBe(5000);
  });
});

describe('lost slot', () => {
  it('names the slot, the LSN gap and the way back', () => {
    const err = slotLostError('inventory', health({ walStatus: 'lost', restartLsn: null }), parseLsn('0/1800000'));
    expect(err.retriable).toBe(false);
    expect(err.message).toContain('replication slot inventory is lost (wal_status=lost)');
    expect(err.message).toContain('Stored offset LSN 0/1800000, slot confirmed LSN 0/2000000, server at 0/3000000: 25165824 bytes of WAL in the gap');
    expect(err.message).toContain("SELECT pg_drop_replication_slot('inventory')");
    expect(err.message).toContain('snapshot.mode=when_needed');
    expect(err.context).toMatchObject({ slot: 'inventory', storedLsn: '0/1800000', gapBytes: '25165824' });
  });

  it('recognises the server errors of an invalidated slot', () => {
    expect(isSlotLostServerError(new Error('START_REPLICATION failed: cannot read from logical replication slot "s"'))).toBe(true);
    expect(isSlotLostServerError(new Error('can no longer get changes from replication slot "s"'))).toBe(true);
    expect(isSlotLostServerError(new Error('x', { cause: new Error('requested WAL segment 000000010000000000000003 has already been removed') }))).toBe(true);
    expect(isSlotLostServerError(new Error('replication slot "s" is active for PID 7'))).toBe(false);
  });
});
