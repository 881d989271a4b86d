import { TopologyError } from '../errors.js';

/** What a suppress buffer does when it is full. */
export type BufferFullStrategy = 'emitEarly' | 'shutDown';

/**
 * Bounds of a suppress buffer. Unbounded by default.
 *
 * @example
 * BufferConfig.maxRecords(10_000).emitEarlyWhenFull();
 * BufferConfig.unbounded();
 */
export class BufferConfig {
  private constructor(
    readonly maxRecords: number,
    readonly maxBytes: number,
    readonly whenFull: BufferFullStrategy,
  ) {}

  /** No bound: the buffer grows with the number of distinct keys awaiting emission. */
  static unbounded(): BufferConfig {
    return new BufferConfig(Infinity, Infinity, 'shutDown');
  }

  static maxRecords(n: number): BufferConfig {
    if (!(n >= 0)) throw new TopologyError(`BufferConfig.maxRecords must be >= 0, got ${n}`);
    return new BufferConfig(n, Infinity, 'emitEarly');
  }

  static maxBytes(n: number): BufferConfig {
    if (!(n >= 0)) throw new TopologyError(`BufferConfig.maxBytes must be >= 0, got ${n}`);
    return new BufferConfig(Infinity, n, 'emitEarly');
  }

  withMaxRecords(n: number): BufferConfig {
    return new BufferConfig(n, this.maxBytes, this.whenFull);
  }

  withMaxBytes(n: number): BufferConfig {
    return new BufferConfig(this.maxRecords, n, this.whenFull);
  }

  /** When full, emit the oldest entries early (results are no longer final). */
  emitEarlyWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'emitEarly');
  }

  /** When full, stop the application with an error (keeps the "final results only" guarantee). */
  shutDownWhenFull(): BufferConfig {
    return new BufferConfig(this.maxRecords, this.maxBytes, 'shutDown');
  }
}

/**
 * How `KTable.suppress()` holds back updates.
 *
 * - `untilWindowCloses(buffer)`: for windowed tables only; each window's *final* value is emitted once,
 *   when the suppress operator's own stream time reaches `window end + grace` (sessions: `+ gap`); deletes
 *   are dropped (final results never retract). This is Spark's *append* output mode.
 * - `untilTimeLimit(ms, buffer)`: rate limiting; a key is emitted `ms` of stream time after its first
 *   buffered update, with its latest value (tombstones included).
 *
 * @example
 * windowedCounts.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())).toStream().to('final-counts');
 * table.suppress(Suppressed.untilTimeLimit(1_000, BufferConfig.maxRecords(1_000).emitEarlyWhenFull()));
 */
export class Suppressed {
  private constructor(
    readonly mode: 'windowClose' | 'timeLimit',
    readonly timeLimitMs: number,
    readonly buffer: BufferConfig,
    readonly name: string | undefined,
  ) {}

  static untilWindowCloses(buffer: BufferConfig = BufferConfig.unbounded()): Suppressed {
    return new Suppressed('windowClose', 0, buffer, undefined);
  }

  static untilTimeLimit(timeLimitMs: number, buffer: BufferConfig = BufferConfig.unbounded()): Suppressed {
    if (!Number.isSafeInteger(timeLimitMs) || timeLimitMs < 0) throw new TopologyError(`untilTimeLimit needs a non-negative integer time limit, got ${timeLimitMs}`);
    return new Suppressed('timeLimit', timeLimitMs, buffer, undefined);
  }

  withName(name: string): Suppressed {
    return new Suppressed(this.mode, this.timeLimitMs, this.buffer, name);
  }
}
