import type { Headers } from './headers.js';

/**
 * Where an input record was read from.
 *
 * @example
 * ```ts
 * const at: InputCoordinates = { topic: 'clicks', partition: 0, offset: 42 };
 * ```
 */
export interface InputCoordinates {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * The input record that failed, as it was read (original bytes); what an error policy is shown.
 *
 * @example
 * ```ts
 * const policy: ErrorPolicy = (error, record) => (record?.topic === 'clicks' ? { action: 'continue' } : { action: 'fail' });
 * ```
 */
export interface FailedRecord extends InputCoordinates {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
}
