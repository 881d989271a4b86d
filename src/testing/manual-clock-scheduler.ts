import { VirtualAction, VirtualTimeScheduler } from 'rxjs';

/**
 * An RxJS scheduler whose clock moves only when told to: `now()` is the virtual time, and `advanceTo`
 * runs the actions due up to that time in order. The test driver uses it as the wall clock.
 */
export class ManualClockScheduler extends VirtualTimeScheduler {
  constructor(start: number) {
    super(VirtualAction, start);
    this.frame = start;
  }

  advanceTo(time: number): void {
    if (time < this.frame) throw new RangeError(`the wall clock cannot go back (now ${this.frame}, asked ${time})`);
    this.maxFrames = time;
    this.flush();
    this.frame = time;
  }
}
