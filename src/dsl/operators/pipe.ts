import { Subject, type Observable, type OperatorFunction, type Subscription } from 'rxjs';
import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';

/**
 * KStream pipe(...operators): real RxJS operators over records. Each task gets its own Subject feeding
 * the operator chain; whatever the chain emits is forwarded downstream. Synchronous operators emit
 * during process(); asynchronous ones (delay, bufferTime on the task scheduler) emit later and their
 * records are forwarded then. An error in the chain is rethrown from process() so the processing error
 * policy sees it, and the chain is rebuilt (operator state starts over).
 */
export interface PipeNode extends NodeBase<'Pipe'> {
  readonly operators: readonly OperatorFunction<Record<any, any>, Record<any, any>>[];
}

export function createPipeNode(builder: GraphBuilder, parent: string, operators: readonly OperatorFunction<Record<any, any>, Record<any, any>>[], name?: string): PipeNode {
  for (const op of operators) if (typeof op !== 'function') throw new TypeError('pipe() takes RxJS operator functions');
  return builder.addNode<PipeNode>({ kind: 'Pipe', name: builder.nameOr(name, Prefix.pipe), parents: [parent], stores: [], operators });
}

class PipeProcessor implements Processor<unknown, unknown> {
  private input = new Subject<Record<unknown, unknown>>();
  private subscription: Subscription | undefined;
  private failure: { error: unknown } | undefined;
  private ctx!: ProcessorContext;

  constructor(private readonly operators: readonly OperatorFunction<Record<any, any>, Record<any, any>>[]) {}

  init(context: ProcessorContext): void {
    this.ctx = context;
    this.connect();
  }

  /** (Re)builds the operator chain; after an error the chain restarts with fresh operator state. */
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

  process(record: Record<unknown, unknown>): void {
    this.input.next(record);
    const failure = this.failure;
    if (failure !== undefined) {
      this.failure = undefined;
      this.subscription?.unsubscribe();
      this.connect();
      throw failure.error;
    }
  }

  close(): void {
    this.input.complete();
    this.subscription?.unsubscribe();
  }
}

export function pipeProcessor(node: PipeNode): Processor<unknown, unknown> {
  return new PipeProcessor(node.operators);
}

export const pipeHandler: NodeHandler<PipeNode> = { role: 'processor', createProcessor: pipeProcessor };
