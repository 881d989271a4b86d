import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { CompiledGraphView, NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { Predicate } from '../types.js';

/**
 * split(): each record goes to the first branch whose predicate matches, else to the default branch
 * (if any), else it is dropped. Branches are child nodes named `<split name><branch name>`, added one by
 * one as the user calls branch(), so a branch's own downstream can be built in between.
 */
export interface BranchNode extends NodeBase<'Branch'> {}

/** One branch of a split(): forwards what the split routed to it. `predicate` undefined = default branch. */
export interface BranchChildNode extends NodeBase<'BranchChild'> {
  readonly predicate: Predicate<any, any> | undefined;
  /** Evaluation order among the split's branches. */
  readonly order: number;
}

export function createBranchNode(builder: GraphBuilder, parent: string, name: string): BranchNode {
  return builder.addNode<BranchNode>({ kind: 'Branch', name, parents: [parent], stores: [] });
}

export function createBranchChildNode(builder: GraphBuilder, split: string, name: string, predicate: Predicate<any, any> | undefined, order: number): BranchChildNode {
  if (predicate === null) throw new TypeError("predicate can't be null");
  return builder.addNode<BranchChildNode>({ kind: 'BranchChild', name, parents: [split], stores: [], predicate, order });
}

class BranchProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;
  constructor(
    private readonly predicates: readonly Predicate<unknown, unknown>[],
    private readonly childNames: readonly string[],
    private readonly defaultChild: string | undefined,
  ) {}
  init(context: ProcessorContext): void {
    this.ctx = context;
  }
  process(record: Record<unknown, unknown>): void {
    const predicates = this.predicates;
    for (let i = 0; i < predicates.length; i++) {
      if (predicates[i]!(record.key, record.value)) {
        this.ctx.forward(record, this.childNames[i]);
        return;
      }
    }
    if (this.defaultChild !== undefined) this.ctx.forward(record, this.defaultChild);
  }
}

export function branchProcessor(node: BranchNode, graph: CompiledGraphView): Processor<unknown, unknown> {
  const children = graph
    .childrenOf(node.name)
    .filter((child): child is BranchChildNode => child.kind === 'BranchChild')
    .sort((a, b) => a.order - b.order);
  const routed = children.filter((child) => child.predicate !== undefined);
  return new BranchProcessor(
    routed.map((child) => child.predicate!),
    routed.map((child) => child.name),
    children.find((child) => child.predicate === undefined)?.name,
  );
}

class BranchChildProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;
  init(context: ProcessorContext): void {
    this.ctx = context;
  }
  process(record: Record<unknown, unknown>): void {
    this.ctx.forward(record);
  }
}

export const branchHandler: NodeHandler<BranchNode> = { role: 'processor', createProcessor: branchProcessor };
export const branchChildHandler: NodeHandler<BranchChildNode> = { role: 'processor', createProcessor: () => new BranchChildProcessor() };
