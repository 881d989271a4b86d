import { describe, expect, it } from 'vitest';
import { snapshotNeeded } from './source.js';
import type { SourceOffset } from './offset-store.js';

const done: SourceOffset = { lsn: 1n, lsnProc: 1n, lsnCommit: 1n, txId: null, tsUsec: 0n, messageType: 'COMMIT', snapshotCompleted: true };
const unfinished: SourceOffset = { ...done, messageType: 'SNAPSHOT', snapshotCompleted: false };

describe('snapshot.mode decisions', () => {
  it.each([
    ['initial', null, false, true],
    ['initial', unfinished, true, true],
    ['initial', done, true, false],
    ['initial', done, false, false],
    ['initial_only', null, false, true],
    ['initial_only', done, true, false],
    ['always', done, true, true],
    ['no_data', null, false, false],
    ['when_needed', done, true, false],
    ['when_needed', done, false, true],
    ['when_needed', null, true, true],
  ] as const)('%s with offset %o and slot=%s -> %s', (mode, stored, slotExists, expected) => {
    expect(snapshotNeeded(mode, stored, slotExists)).toBe(expected);
  });
});
