import type { Cancellable, PunctuationType } from '../processor/processor.js';

/** One `schedule()` registration. */
export class PunctuationSchedule implements Cancellable {
  cancelled = false;
  constructor(
    readonly nodeName: string,
    readonly type: PunctuationType,
    readonly interval: number,
    public next: number,
    readonly callback: (timestamp: number) => void,
  ) {}

  cancel(): void {
    this.cancelled = true;
  }

  /** After firing at `now`: the next due time, skipping missed intervals (fires once, not per missed interval). */
  advance(now: number): void {
    let next = this.next + this.interval;
    if (now >= next) next += (Math.floor((now - next) / this.interval) + 1) * this.interval;
    this.next = next;
  }
}

/** Due punctuations of one type, fired in due-time order (Kafka's PunctuationQueue). */
export class PunctuationQueue {
  readonly #schedules: PunctuationSchedule[] = [];

  add(schedule: PunctuationSchedule): void {
    this.#schedules.push(schedule);
  }

  get isEmpty(): boolean {
    return this.#schedules.length === 0;
  }

  /** Fires every schedule due at `now` (via `fire`); returns whether any fired. */
  mayPunctuate(now: number, fire: (schedule: PunctuationSchedule, timestamp: number) => void): boolean {
    let fired = false;
    for (;;) {
      let due: PunctuationSchedule | undefined;
      for (let i = this.#schedules.length - 1; i >= 0; i--) {
        const s = this.#schedules[i]!;
        if (s.cancelled) {
          this.#schedules.splice(i, 1);
          continue;
        }
        if (s.next <= now && (due === undefined || s.next < due.next)) due = s;
      }
      if (due === undefined) return fired;
      fired = true;
      due.advance(now);
      fire(due, now);
    }
  }
}
