import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { Predicate } from '../types.js';

/** KStream filter / filterNot: keeps records whose predicate result differs from `not`. */
export interface FilterNode extends NodeBase<'Filter'> {
  readonly predicate: Predicate<any, any>;
  readonly not: boolean;
}

export function createFilterNode(builder: GraphBuilder, parent: string, predicate: Predicate<any, any>, not: boolean, name?: string): FilterNode {
  if (typeof predicate !== 'function') throw new TypeError("predicate can't be null");
  return builder.addNode<FilterNode>({ kind: 'Filter', name: builder.nameOr(name, not ? Prefix.filterNot : Prefix.filter), parents: [parent], stores: [], predicate, not });
}

class FilterProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;
  constructor(
    private readonly predicate: Predicate<unknown, unknown>,
    private readonly not: boolean,
  ) {}
  init(context: ProcessorContext): void {
    this.ctx = context;
  }
  process(record: Record<unknown, unknown>): void {
    if (this.predicate(record.key, record.value) !== this.not) this.ctx.forward(record);
  }
}

export function filterProcessor(node: FilterNode): Processor<unknown, unknown> {
  return new FilterProcessor(node.predicate, node.not);
}

export const filterHandler: NodeHandler<FilterNode> = { role: 'processor', createProcessor: filterProcessor };
