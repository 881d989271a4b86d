import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { CompiledGraphView, NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import { Change } from '../../runtime/change.js';
import type { Processor, ProcessorContext } from '../../runtime/processor.js';
import type { Record } from '../../runtime/record.js';
import type { Predicate } from '../types.js';

/**
 * KTable filter / filterNot: a new value failing the predicate becomes a tombstone and is still forwarded
 * (so downstream deletes the row); skipped only when old values are sent and both sides end up null.
 */
export interface TableFilterNode extends NodeBase<'TableFilter'> {
  readonly predicate: Predicate<any, any>;
  readonly not: boolean;
}

export function createTableFilterNode(builder: GraphBuilder, parent: string, predicate: Predicate<any, any>, not: boolean, name?: string): TableFilterNode {
  if (typeof predicate !== 'function') throw new TypeError("predicate can't be null");
  return builder.addNode<TableFilterNode>({ kind: 'TableFilter', name: builder.nameOr(name, Prefix.tableFilter), parents: [parent], stores: [], predicate, not });
}

class TableFilterProcessor implements Processor<unknown, Change<unknown>> {
  private ctx!: ProcessorContext<unknown, Change<unknown>>;
  constructor(
    private readonly predicate: Predicate<unknown, unknown>,
    private readonly not: boolean,
    private readonly sendOldValues: boolean,
  ) {}
  init(context: ProcessorContext<unknown, Change<unknown>>): void {
    this.ctx = context;
  }
  private keep(key: unknown, value: unknown): unknown {
    return value !== null && this.predicate(key, value) !== this.not ? value : null;
  }
  process(record: Record<unknown, Change<unknown>>): void {
    const change = record.value;
    const newValue = this.keep(record.key, change.newValue);
    const oldValue = this.sendOldValues ? this.keep(record.key, change.oldValue) : null;
    if (this.sendOldValues && newValue === null && oldValue === null) return;
    this.ctx.forward(record.withValue(new Change(newValue, oldValue)));
  }
}

export function tableFilterProcessor(node: TableFilterNode, graph: CompiledGraphView): Processor<unknown, Change<unknown>> {
  return new TableFilterProcessor(node.predicate, node.not, graph.sendsOldValues(node.name));
}

export const tableFilterHandler: NodeHandler<TableFilterNode> = {
  role: 'processor',
  createProcessor: tableFilterProcessor,
  enableOldValues(node, pass) {
    pass.markSendsOldValues(node.name);
    pass.requestFromParent(node.parents[0]!);
  },
};
