import type { Record } from './record.js';
import type { StateStore } from '../state/state-store.js';

/** Identifies a task: one sub-topology working on one partition of its input topics. */
export interface TaskId {
  readonly subtopology: number;
  readonly partition: number;
}

export function taskIdToString(id: TaskId): string {
  return `${id.subtopology}_${id.partition}`;
}

/** Where the record being processed came from (null inside a wall-clock punctuation). */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export type PunctuationType = 'stream-time' | 'wall-clock';

/** Handle returned by {@link ProcessorContext.schedule}; cancel() stops further punctuations. */
export interface Cancellable {
  cancel(): void;
}

/**
 * What a processor sees of its task. One context per processor node: `forward` goes to that node's children.
 */
export interface ProcessorContext<KOut = unknown, VOut = unknown> {
  readonly applicationId: string;
  readonly taskId: TaskId;
  /** Name of the processor node this context belongs to. */
  readonly nodeName: string;
  /** Sends a record to every child, or to the named child only. */
  forward(record: Record<KOut, VOut>, childName?: string): void;
  /** A store connected to this processor (or a global store). Throws StateStoreError when unknown. */
  getStateStore<S extends StateStore>(name: string): S;
  /**
   * Calls `callback(timestamp)` every `intervalMs` of stream time (driven by record timestamps) or of
   * wall-clock time (driven by the task's RxJS scheduler).
   */
  schedule(intervalMs: number, type: PunctuationType, callback: (timestamp: number) => void): Cancellable;
  /** The task's stream time: the maximum timestamp it has processed (-1 before the first record). */
  currentStreamTime(): number;
  /** Wall-clock time from the task's scheduler. */
  currentSystemTime(): number;
  recordMetadata(): RecordMetadata | null;
  /** Counts a record this processor had to drop (task metric `dropped-records`) and logs why. */
  recordDropped(reason: string): void;
}

/**
 * A processor: the per-task runtime instance of a graph node. Kept deliberately small.
 *
 * @example
 * const upper: Processor<string, string> = {
 *   init(ctx) { this.ctx = ctx; },
 *   process(record) { this.ctx.forward(record.withValue(record.value.toUpperCase())); },
 * };
 */
export interface Processor<KIn, VIn, KOut = KIn, VOut = VIn> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: Record<KIn, VIn>): void;
  close?(): void;
}

/** A processor whose types are no longer tracked (inside the runtime, after the graph was type-checked). */
export type AnyProcessor = Processor<any, any, any, any>;
