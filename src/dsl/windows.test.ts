import { describe, expect, it } from 'vitest';
import { JoinWindows, SessionWindows, SlidingWindows, TimeWindows, Windowed } from './windows.js';

describe('TimeWindows', () => {
  it('assigns hopping, barely overlapping and tumbling windows as Kafka Streams does (C1)', () => {
    expect(TimeWindows.ofSizeWithNoGrace(12).advanceBy(5).windowsFor(21)).toEqual([
      { start: 10, end: 22 },
      { start: 15, end: 27 },
      { start: 20, end: 32 },
    ]);
    expect(TimeWindows.ofSizeWithNoGrace(6).advanceBy(5).windowsFor(7)).toEqual([{ start: 5, end: 11 }]);
    expect(TimeWindows.ofSizeWithNoGrace(12).windowsFor(21)).toEqual([{ start: 12, end: 24 }]);
  });

  it('never creates negative window starts', () => {
    expect(TimeWindows.ofSizeWithNoGrace(10).advanceBy(3).windowsFor(2)).toEqual([{ start: 0, end: 10 }]);
  });

  it('validates size, advance and grace, and derives retention', () => {
    expect(() => TimeWindows.ofSizeWithNoGrace(0)).toThrow(/size/);
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(11)).toThrow(/advance/);
    expect(() => TimeWindows.ofSizeAndGrace(10, -1)).toThrow(/grace/);
    expect(TimeWindows.ofSizeAndGrace(10, 5).retentionMs).toBe(15);
  });
});

describe('other windows', () => {
  it('derive their default retention', () => {
    expect(SlidingWindows.ofTimeDifferenceAndGrace(10, 5).retentionMs).toBe(25);
    expect(SessionWindows.ofInactivityGapAndGrace(10, 5).retentionMs).toBe(15);
    expect(() => SessionWindows.ofInactivityGapWithNoGrace(0)).toThrow(/gap/);
  });

  it('JoinWindows: symmetric by default, asymmetric with before/after, before + after >= 0', () => {
    const w = JoinWindows.ofTimeDifferenceAndGrace(100, 10);
    expect([w.beforeMs, w.afterMs, w.graceMs, w.sizeMs, w.retentionMs]).toEqual([100, 100, 10, 200, 210]);
    expect(w.before(0).after(50).sizeMs).toBe(50);
    expect(w.after(-20).afterMs).toBe(-20);
    expect(() => JoinWindows.ofTimeDifferenceWithNoGrace(10).after(-11)).toThrow(/before \+ after/);
  });

  it('prints windowed keys as Kafka Streams does', () => {
    expect(String(new Windowed('k', { start: 0, end: 5 }))).toBe('[k@0/5]');
  });
});
