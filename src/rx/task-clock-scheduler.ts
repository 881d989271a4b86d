import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';

/**
 * An RxJS scheduler whose time is a task's clock (stream time or the task's wall clock) instead of the
 * process's real time. Nothing fires on its own: the owner calls {@link runDue} when its clock moves
 * (from process() and from a punctuation), so timed operators run inside the task, reproducibly.
 *
 * While an action runs, now() is that action's due time, like a virtual-time scheduler: a periodic
 * operator (bufferTime) that reschedules itself keeps its period even when the clock jumps ahead, and
 * every period that elapsed fires in order.
 */
export class TaskClockScheduler implements SchedulerLike {
  readonly #timers: TaskClockAction<any>[] = [];
  #firingAt: number | undefined;
  #sequence = 0;

  constructor(private readonly clock: () => number) {}

  now(): number {
    return this.#firingAt ?? this.clock();
  }

  schedule<T>(work: (this: SchedulerAction<T>, state: T) => void, delay = 0, state?: T): Subscription {
    return new TaskClockAction<T>(this, work).schedule(state, delay);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#timers.length;
  }

  /** @internal Queues `action` by (due, order of scheduling). */
  enqueue(action: TaskClockAction<any>): void {
    this.remove(action);
    action.sequence = this.#sequence++;
    let i = this.#timers.length;
    while (i > 0 && this.#timers[i - 1]!.due > action.due) i--;
    this.#timers.splice(i, 0, action);
  }

  /** @internal */
  remove(action: TaskClockAction<any>): void {
    const i = this.#timers.indexOf(action);
    if (i >= 0) this.#timers.splice(i, 1);
  }

  /**
   * Runs every action due at or before `now`, in due order (actions scheduled while running, if due, too).
   * An action that throws is cancelled and the error rethrown, so the task's error policy sees it.
   */
  runDue(now: number): number {
    let ran = 0;
    for (;;) {
      const next = this.#timers[0];
      if (next === undefined || next.due > now) return ran;
      this.#timers.shift();
      this.#firingAt = next.due;
      try {
        ran++;
        next.execute();
      } catch (error) {
        next.unsubscribe();
        throw error;
      } finally {
        this.#firingAt = undefined;
      }
    }
  }

  /** Drops every pending action (the operator chain is being rebuilt or closed). */
  clear(): void {
    for (const action of [...this.#timers]) action.unsubscribe();
    this.#timers.length = 0;
  }
}

/** One scheduled piece of work; RxJS reschedules it through `schedule` (periodic operators do). */
class TaskClockAction<T> extends Subscription implements SchedulerAction<T> {
  due = 0;
  sequence = 0;
  #state: T | undefined;

  constructor(
    private readonly scheduler: TaskClockScheduler,
    private readonly work: (this: SchedulerAction<T>, state: T) => void,
  ) {
    super();
    this.add(() => scheduler.remove(this));
  }

  schedule(state?: T, delay = 0): Subscription {
    if (this.closed) return this;
    this.#state = state;
    this.due = this.scheduler.now() + Math.max(0, delay);
    this.scheduler.enqueue(this);
    return this;
  }

  execute(): void {
    if (this.closed) return;
    this.work.call(this, this.#state as T);
  }
}
