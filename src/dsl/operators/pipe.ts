import { Subject, type Observable, type OperatorFunction, type Subscription } from 'rxjs';
import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import type { Cancellable, Processor, ProcessorContext, PunctuationType } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import { operatorStores } from '../../rx/operator-stores.js';
import { withPipeRuntime, type PipeRuntime } from '../../rx/pipe-runtime.js';
import { TaskClockScheduler } from '../../rx/task-clock-scheduler.js';

/**
 * KStream pipe(...operators): real RxJS operators over records. Each task gets its own Subject feeding
 * the operator chain; whatever the chain emits is forwarded downstream. Synchronous operators emit
 * during process(). Timed operators given `streamTimeScheduler` / `wallClockScheduler` run on the
 * task's clocks: their timers fire from process() (stream time) and from punctuations, so what they
 * emit goes through the task like a punctuation's output (part of the next commit). An error in the
 * chain is rethrown from process() or the punctuation so the processing error policy sees it, and the
 * chain is rebuilt (operator state starts over). Operators that declare stores (scanWithStore) get them
 * declared on this node, so they are changelogged and restored like any other store.
 */
export interface PipeNode extends NodeBase<'Pipe'> {
  readonly operators: readonly OperatorFunction<any, any>[];
}

export function createPipeNode(builder: GraphBuilder, parent: string, operators: readonly OperatorFunction<any, any>[], name?: string): PipeNode {
  for (const op of operators) if (typeof op !== 'function') throw new TypeError('pipe() takes RxJS operator functions');
  const specs = operators.flatMap((op) => operatorStores(op));
  for (const spec of specs) builder.addStore(spec);
  return builder.addNode<PipeNode>({ kind: 'Pipe', name: builder.nameOr(name, Prefix.pipe), parents: [parent], stores: specs.map((s) => s.name), operators });
}

class PipeProcessor implements Processor<unknown, unknown> {
  private input = new Subject<Record<unknown, unknown>>();
  private subscription: Subscription | undefined;
  private failure: { error: unknown } | undefined;
  private ctx!: ProcessorContext;
  /** The task's clocks, created when an operator first uses one (then driven by a 1 ms punctuation). */
  private readonly clocks = new Map<PunctuationType, TaskClockScheduler>();
  private readonly punctuations: Cancellable[] = [];
  private runtime!: PipeRuntime;

  constructor(private readonly operators: readonly OperatorFunction<any, any>[]) {}

  init(context: ProcessorContext): void {
    this.ctx = context;
    this.runtime = {
      nodeName: context.nodeName,
      clock: (type) => this.clock(type),
      store: <K, V>(name: string) => context.getStateStore<KeyValueStore<K, V>>(name),
    };
  }

  private clock(type: PunctuationType): TaskClockScheduler {
    let clock = this.clocks.get(type);
    if (clock === undefined) {
      // Stream time is -1 before the first record; the chain is connected at the first record, so this is a guard only.
      const now = type === 'stream-time' ? () => Math.max(0, this.ctx.currentStreamTime()) : () => this.ctx.currentSystemTime();
      clock = new TaskClockScheduler(now);
      this.clocks.set(type, clock);
      this.punctuations.push(this.ctx.schedule(1, type, () => this.guarded(() => this.runDue())));
    }
    return clock;
  }

  /**
   * (Re)builds the operator chain. Done at the first record (not in init) so a timed operator's first
   * period starts at that record's stream time; after an error the chain restarts with fresh state.
   */
  private connect(): void {
    this.input = new Subject<Record<unknown, unknown>>();
    const output = (this.input.pipe as (...ops: OperatorFunction<any, any>[]) => Observable<Record<unknown, unknown>>)(...this.operators);
    this.subscription = output.subscribe({
      next: (record) => this.ctx.forward(record),
      error: (error: unknown) => {
        this.failure = { error };
      },
    });
  }

  /** Fires due timers of every clock in use: stream time first, then wall clock. */
  private runDue(): void {
    for (const clock of this.clocks.values()) clock.runDue(clock.now());
  }

  /** Runs `fn` with this task's runtime active; a failure of the chain tears it down and is rethrown. */
  private guarded(fn: () => void): void {
    try {
      withPipeRuntime(this.runtime, fn);
    } catch (error) {
      this.failure ??= { error };
    }
    const failure = this.failure;
    if (failure !== undefined) {
      this.failure = undefined;
      this.teardown();
      throw failure.error;
    }
  }

  private teardown(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    for (const clock of this.clocks.values()) clock.clear();
  }

  process(record: Record<unknown, unknown>): void {
    this.guarded(() => {
      if (this.subscription === undefined) this.connect();
      // Timers due at the stream time this record set close first: a bufferTime period [t, t + n) never holds a record at t + n.
      this.runDue();
      this.input.next(record);
      this.runDue();
    });
  }

  /**
   * Drops the chain without completing it: completing would make operators flush what they hold (an open
   * bufferTime buffer) into a task that is closing, after its last commit, where the output would be lost
   * anyway or reach processors already closed. Held operator state is lost, as documented.
   */
  close(): void {
    for (const p of this.punctuations) p.cancel();
    this.teardown();
  }
}

export function pipeProcessor(node: PipeNode): Processor<unknown, unknown> {
  return new PipeProcessor(node.operators);
}

export const pipeHandler: NodeHandler<PipeNode> = { role: 'processor', createProcessor: pipeProcessor };
