import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { ForeachAction } from '../types.js';

/** Shared by peek (forwards) and foreach (terminal). */
export class SideEffectProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;
  constructor(
    private readonly action: ForeachAction<unknown, unknown>,
    private readonly forwards: boolean,
  ) {}
  init(context: ProcessorContext): void {
    this.ctx = context;
  }
  process(record: Record<unknown, unknown>): void {
    this.action(record.key, record.value);
    if (this.forwards) this.ctx.forward(record);
  }
}
