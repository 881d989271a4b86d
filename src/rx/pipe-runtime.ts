import type { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';
import { StreamsError } from '../errors.js';
import type { PunctuationType } from '../processor/processor.js';
import type { KeyValueStore } from '../state/key-value-store.js';
import type { TaskClockScheduler } from './task-clock-scheduler.js';

/**
 * What the operators inside one task's `KStream.pipe(...)` may reach of that task: its clocks and its
 * stores. RxJS operators are built once, when the topology is defined, and shared by every task; the
 * pipe processor makes its task's runtime the active one while it runs the chain (process, a due timer,
 * subscribe, close), all synchronously, so a shared operator always reaches the task it runs for.
 */
export interface PipeRuntime {
  readonly nodeName: string;
  clock(type: PunctuationType): TaskClockScheduler;
  store<K, V>(name: string): KeyValueStore<K, V>;
}

let active: PipeRuntime | undefined;

/** Runs `fn` with `runtime` active (restoring the previous one: a pipe may feed another pipe). */
export function withPipeRuntime<T>(runtime: PipeRuntime, fn: () => T): T {
  const previous = active;
  active = runtime;
  try {
    return fn();
  } finally {
    active = previous;
  }
}

/** The runtime of the pipe running now; `what` names the caller for the error outside a pipe. */
export function currentPipeRuntime(what: string): PipeRuntime {
  if (active === undefined) {
    throw new StreamsError(`${what} works only inside KStream.pipe(...) of a running topology (it uses the task's clock and stores)`);
  }
  return active;
}

/** A SchedulerLike standing for "the clock of the task running this pipe". */
class TaskClockProxy implements SchedulerLike {
  constructor(private readonly type: PunctuationType) {}

  now(): number {
    return currentPipeRuntime(`the ${this.type} scheduler`).clock(this.type).now();
  }

  schedule<T>(work: (this: SchedulerAction<T>, state: T) => void, delay?: number, state?: T): Subscription {
    return currentPipeRuntime(`the ${this.type} scheduler`).clock(this.type).schedule(work, delay, state);
  }
}

/**
 * The task's stream time as an RxJS scheduler, for timed operators inside `KStream.pipe(...)`. Time
 * moves only with record timestamps (the maximum the task has seen), so results depend on the input
 * alone: the same in the TopologyTestDriver and on Kafka. A timer fires when stream time reaches it,
 * before the record that moved stream time enters the chain.
 *
 * @example
 * import { bufferTime, filter, map } from 'rxjs';
 * import { streamTimeScheduler } from 'tributary-streams';
 * // clicks: a KStream<string, string>
 * clicks.pipe(
 *   bufferTime(60_000, streamTimeScheduler),
 *   filter((batch) => batch.length > 0),
 *   map((batch) => batch[batch.length - 1]!.withValue(batch.length)),
 * );
 */
export const streamTimeScheduler: SchedulerLike = new TaskClockProxy('stream-time');

/**
 * The task's wall clock as an RxJS scheduler (wall-clock punctuation drives it; in the TopologyTestDriver,
 * `advanceWallClockTime`). Use it for operators that should fire while no input arrives (a heartbeat, a
 * flush every 5 s); results then depend on when records arrive, not on their timestamps alone.
 *
 * @example
 * import { bufferTime, filter, map } from 'rxjs';
 * import { wallClockScheduler } from 'tributary-streams';
 * // clicks: a KStream<string, string>
 * clicks.pipe(
 *   bufferTime(5_000, wallClockScheduler),
 *   filter((batch) => batch.length > 0),
 *   map((batch) => batch[0]!.withValue(batch.length)),
 * );
 */
export const wallClockScheduler: SchedulerLike = new TaskClockProxy('wall-clock');
