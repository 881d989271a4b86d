import { TopologyError } from '../errors.js';

/**
 * A window: `[start, end)` for time windows, `[start, end]` (both inclusive) for sliding and session
 * windows, exactly as Kafka Streams prints windowed keys (`[k@start/end]`).
 */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/**
 * The key of a windowed aggregate: the record key plus its window.
 *
 * @example
 * table.toStream().foreach((w, count) => console.log(`${w.key} [${w.window.start}, ${w.window.end}) = ${count}`));
 */
export class Windowed<K> {
  constructor(
    readonly key: K,
    readonly window: Window,
  ) {}

  toString(): string {
    return `[${String(this.key)}@${this.window.start}/${this.window.end}]`;
  }
}

function checkNonNegative(what: string, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new TopologyError(`${what} must be a non-negative integer number of milliseconds, got ${ms}`);
}

function checkPositive(what: string, ms: number): void {
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new TopologyError(`${what} must be a positive integer number of milliseconds, got ${ms}`);
}

/**
 * Tumbling (advance = size) or hopping (advance < size) windows aligned to the epoch: window starts are
 * multiples of `advance`, each window is `[start, start + size)`.
 *
 * Grace: a window closes once the aggregation's own stream time (the max timestamp *it* has seen)
 * reaches `end + grace`; a record for a closed window is dropped and counted once per closed window
 * (a record falling into one closed and one open hopping window still updates the open one).
 *
 * @example
 * TimeWindows.ofSizeAndGrace(minutes(5), minutes(1));            // tumbling 5 min, 1 min lateness
 * TimeWindows.ofSizeWithNoGrace(10_000).advanceBy(5_000);       // hopping
 */
export class TimeWindows {
  readonly type = 'time' as const;

  private constructor(
    readonly sizeMs: number,
    readonly advanceMs: number,
    readonly graceMs: number,
  ) {
    checkPositive('TimeWindows size', sizeMs);
    checkNonNegative('TimeWindows grace', graceMs);
    if (!Number.isSafeInteger(advanceMs) || advanceMs <= 0 || advanceMs > sizeMs) {
      throw new TopologyError(`TimeWindows advance must be in (0, size=${sizeMs}], got ${advanceMs}`);
    }
  }

  /** Tumbling windows of `sizeMs` with no grace: late records are dropped as soon as their window ended. */
  static ofSizeWithNoGrace(sizeMs: number): TimeWindows {
    return new TimeWindows(sizeMs, sizeMs, 0);
  }

  /** Tumbling windows of `sizeMs` accepting records up to `graceMs` after a window ended. */
  static ofSizeAndGrace(sizeMs: number, graceMs: number): TimeWindows {
    return new TimeWindows(sizeMs, sizeMs, graceMs);
  }

  /** Hopping windows: a new window starts every `advanceMs` (0 < advance <= size). */
  advanceBy(advanceMs: number): TimeWindows {
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  /** Default store retention: size + grace. */
  get retentionMs(): number {
    return this.sizeMs + this.graceMs;
  }

  /** The windows a record at `timestamp` falls into, by ascending start (never a negative start). */
  windowsFor(timestamp: number): Window[] {
    const first = Math.floor(Math.max(0, timestamp - this.sizeMs + this.advanceMs) / this.advanceMs) * this.advanceMs;
    const windows: Window[] = [];
    for (let start = first; start <= timestamp; start += this.advanceMs) windows.push({ start, end: start + this.sizeMs });
    return windows;
  }
}

/**
 * Sliding windows: every window `[start, start + difference]` (both ends inclusive) that holds a distinct
 * set of records; each record has a left window ending at it and, when later records exist within
 * `difference`, a right window starting just after it. Records at `t < difference` share the window
 * `[0, difference]`. Records with a null key **or a null value** are dropped (counted).
 *
 * @example
 * stream.groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10_000, 2_000)).count();
 */
export class SlidingWindows {
  readonly type = 'sliding' as const;

  private constructor(
    readonly timeDifferenceMs: number,
    readonly graceMs: number,
  ) {
    checkNonNegative('SlidingWindows time difference', timeDifferenceMs);
    checkNonNegative('SlidingWindows grace', graceMs);
  }

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): SlidingWindows {
    return new SlidingWindows(timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): SlidingWindows {
    return new SlidingWindows(timeDifferenceMs, graceMs);
  }

  /** Default store retention: 2 * difference + grace. */
  get retentionMs(): number {
    return 2 * this.timeDifferenceMs + this.graceMs;
  }
}

/**
 * Session windows: records of a key closer than `gap` to each other form one session `[first, last]`
 * (both inclusive); a record bridging two sessions merges them (the merged-away sessions are retracted
 * downstream with a tombstone). A session closes once stream time passes `end + gap + grace`.
 *
 * @example
 * stream.groupByKey().windowedBy(SessionWindows.ofInactivityGapAndGrace(minutes(30), minutes(5))).count();
 */
export class SessionWindows {
  readonly type = 'session' as const;

  private constructor(
    readonly gapMs: number,
    readonly graceMs: number,
  ) {
    checkPositive('SessionWindows inactivity gap', gapMs);
    checkNonNegative('SessionWindows grace', graceMs);
  }

  static ofInactivityGapWithNoGrace(gapMs: number): SessionWindows {
    return new SessionWindows(gapMs, 0);
  }

  static ofInactivityGapAndGrace(gapMs: number, graceMs: number): SessionWindows {
    return new SessionWindows(gapMs, graceMs);
  }

  /** Default store retention: gap + grace. */
  get retentionMs(): number {
    return this.gapMs + this.graceMs;
  }
}

/**
 * The interval of a KStream-KStream join: a left record at tL joins right records at tR with
 * `tL - before <= tR <= tL + after` (both inclusive). Grace only delays the emission of non-joined
 * records of left/outer joins (and extends store retention); late records are never dropped by the join.
 *
 * @example
 * left.leftJoin(right, (l, r) => ({ l, r }), JoinWindows.ofTimeDifferenceAndGrace(minutes(5), minutes(1)));
 * JoinWindows.ofTimeDifferenceWithNoGrace(0).after(1_000);      // right may be up to 1 s after left
 */
export class JoinWindows {
  readonly type = 'join' as const;

  private constructor(
    readonly beforeMs: number,
    readonly afterMs: number,
    readonly graceMs: number,
  ) {
    if (!Number.isSafeInteger(beforeMs) || !Number.isSafeInteger(afterMs) || beforeMs + afterMs < 0) {
      throw new TopologyError(`JoinWindows: before + after must be >= 0 (before=${beforeMs}, after=${afterMs})`);
    }
    checkNonNegative('JoinWindows grace', graceMs);
  }

  static ofTimeDifferenceWithNoGrace(timeDifferenceMs: number): JoinWindows {
    checkNonNegative('JoinWindows time difference', timeDifferenceMs);
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, 0);
  }

  static ofTimeDifferenceAndGrace(timeDifferenceMs: number, graceMs: number): JoinWindows {
    checkNonNegative('JoinWindows time difference', timeDifferenceMs);
    return new JoinWindows(timeDifferenceMs, timeDifferenceMs, graceMs);
  }

  /** How far before a left record a right record may be. */
  before(beforeMs: number): JoinWindows {
    return new JoinWindows(beforeMs, this.afterMs, this.graceMs);
  }

  /** How far after a left record a right record may be. */
  after(afterMs: number): JoinWindows {
    return new JoinWindows(this.beforeMs, afterMs, this.graceMs);
  }

  /** Window size of the join stores: before + after. */
  get sizeMs(): number {
    return this.beforeMs + this.afterMs;
  }

  /** Retention of the join stores: before + after + grace. */
  get retentionMs(): number {
    return this.beforeMs + this.afterMs + this.graceMs;
  }
}

/** Durations in milliseconds, for readable window definitions. */
export const seconds = (n: number): number => n * 1000;
export const minutes = (n: number): number => n * 60_000;
export const hours = (n: number): number => n * 3_600_000;
