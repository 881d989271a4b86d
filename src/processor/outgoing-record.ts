import type { InputCoordinates } from './failed-record.js';
import type { Headers } from './headers.js';

/**
 * A record to produce; used for outputs, changelogs and dead letters alike.
 *
 * @example
 * ```ts
 * const out: OutgoingRecord = { topic: 'out', key: Buffer.from('k'), value: null, timestamp: Date.now(), headers: {} };
 * ```
 */
export interface OutgoingRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
  /** Target partition; undefined lets the producer's partitioner choose from the key. */
  readonly partition?: number;
  /**
   * The input record whose processing produced this output (undefined for changelog records and outputs of
   * punctuations); the production policy's `record` names it when the output is refused. Not sent.
   */
  readonly origin?: InputCoordinates | undefined;
}
