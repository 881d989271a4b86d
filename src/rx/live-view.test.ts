import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { liveView } from './live-view.js';

describe('liveView', () => {
  it('applies every update, draws once per burst, the last burst included', async () => {
    const updates = new Subject<number>();
    const applied: number[] = [];
    const drawn: number[][] = [];
    const view = liveView(updates, { apply: (n) => applied.push(n), render: () => drawn.push([...applied]), everyMs: 5 });
    updates.next(1);
    updates.next(2);
    updates.next(3);
    expect(applied).toEqual([1, 2, 3]);
    expect(drawn).toEqual([]);
    await new Promise((r) => setTimeout(r, 20));
    expect(drawn).toEqual([[1, 2, 3]]);
    updates.next(4);
    updates.complete();
    // The last burst is drawn when its period ends, then the view closes.
    await new Promise((r) => setTimeout(r, 20));
    expect(drawn[drawn.length - 1]).toEqual([1, 2, 3, 4]);
    expect(view.closed).toBe(true);
    expect(() => liveView(updates, { apply: () => undefined, render: () => undefined, everyMs: 0 })).toThrow(RangeError);
  });
});
