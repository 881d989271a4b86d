import { Subject, type OperatorFunction, type Subscription } from 'rxjs';
import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import type { Processor, ProcessorContext } from '../../runtime/processor.js';
import type { Record } from '../../runtime/record.js';

/**
 * KStream pipe(...operators): real RxJS operators over records. Each task gets its own Subject feeding
 * the operator chain; whatever the chain emits is forwarded downstream. Synchronous operators emit
 * during process(); asynchronous ones (delay, bufferTime on the task scheduler) emit later and their
 * records are forwarded then. An error in the chain is rethrown on the next process() call so the
 * processing error policy sees it.
 */
export interface PipeNode extends NodeBase<'Pipe'> {
  readonly operators: readonly OperatorFunction<Record<any, any>, Record<any, any>>[];
}

export function createPipeNode(builder: GraphBuilder, parent: string, operators: readonly OperatorFunction<Record<any, any>, Record<any, any>>[], name?: string): PipeNode {
  for (const op of operators) if (typeof op !== 'function') throw new TypeError('pipe() takes RxJS operator functions');
  return builder.addNode<PipeNode>({ kind: 'Pipe', name: builder.nameOr(name, Prefix.pipe), parents: [parent], stores: [], operators });
}

class PipeProcessor implements Processor<unknown, unknown> {
  private readonly input = new Subject<Record<unknown, unknown>>();
  private subscription: Subscription | undefined;
  private failure: { error: unknown } | undefined;

  constructor(private readonly operators: readonly OperatorFunction<Record<any, any>, Record<any, any>>[]) {}

  init(context: ProcessorContext): void {
    const output = (this.input.pipe as (...ops: OperatorFunction<any, any>[]) => ReturnType<Subject<Record<unknown, unknown>>['asObservable']>)(...this.operators);
    this.subscription = output.subscribe({
      next: (record: Record<unknown, unknown>) => context.forward(record),
      error: (error: unknown) => {
        this.failure = { error };
      },
    });
  }

  process(record: Record<unknown, unknown>): void {
    this.throwIfFailed();
    this.input.next(record);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
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
