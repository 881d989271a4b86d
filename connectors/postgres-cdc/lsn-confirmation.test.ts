import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LsnConfirmationTracker } from './lsn-confirmation.js';

describe('LsnConfirmationTracker', () => {
  it('confirms only up to the first unacknowledged transaction', () => {
    const t = new LsnConfirmationTracker(100n);
    const seen: bigint[] = [];
    t.onConfirmed((l) => seen.push(l));
    const a = t.register(200n);
    const b = t.register(300n);
    const c = t.register(400n);
    t.acknowledge(b);
    expect(t.confirmed).toBe(100n);
    t.acknowledge(a);
    expect(t.confirmed).toBe(300n);
    t.acknowledge(c);
    expect(t.confirmed).toBe(400n);
    expect(seen).toEqual([300n, 400n]);
  });

  it('rejects positions going backwards and double acknowledgements', () => {
    const t = new LsnConfirmationTracker(0n);
    const a = t.register(10n);
    expect(() => t.register(5n)).toThrow(/must not go backwards/);
    t.acknowledge(a);
    expect(() => t.acknowledge(a)).toThrow(/unknown or already confirmed/);
  });

  it('never confirms an LSN at or beyond an unacknowledged one, in any acknowledgement order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 30 }), fc.infiniteStream(fc.nat()), (gaps, picks) => {
        const t = new LsnConfirmationTracker(0n);
        let lsn = 0n;
        const tickets = gaps.map((g) => {
          lsn += BigInt(g);
          return { lsn, ticket: t.register(lsn), acked: false };
        });
        const order = [...tickets];
        const it = picks[Symbol.iterator]();
        while (order.length > 0) {
          const [next] = order.splice(it.next().value % order.length, 1);
          next!.acked = true;
          t.acknowledge(next!.ticket);
          const firstUnacked = tickets.find((x) => !x.acked);
          if (firstUnacked) expect(t.confirmed < firstUnacked.lsn).toBe(true);
          const lastContiguous = [...tickets].reverse().find((x, i, arr) => arr.slice(i).every((y) => y.acked));
          if (lastContiguous) expect(t.confirmed).toBe(lastContiguous.lsn);
        }
        expect(t.confirmed).toBe(lsn);
      }),
    );
  });
});
