import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { CompiledGraphView, NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Change } from '../../processor/change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { ValueJoiner } from './stream-stream-join.js';
import { createValueGetter, storesOfGetter, type ValueGetter, type ValueGetterSpec } from './table-value-getter.js';

export type TableJoinType = 'inner' | 'left' | 'outer';

/**
 * One side of a primary-key KTable-KTable join (Kafka's KTableKTable{Inner,Left,Right,Outer}Join). An
 * update `Change(new, old)` of this side at t looks up the other side's current value b (at tb):
 * - inner: nothing without b; else `Change(j(new, b) | null, j(old, b) | null)` at max(t, tb);
 * - left, left side: without b, nothing when new and old are both null, else `j(new, null)` at t;
 * - left, right side: nothing without the left value; else `j(left, new)` (new may be null) at max(t, tl);
 * - outer: without b, nothing when new and old are both null, else `j(new, null)` (null when new is null);
 *   with b, `j(new, b)` (new may be null) at max(t, tb).
 * Deletes therefore propagate as tombstones (`Change(null, …)`). Null keys: dropped (counted).
 */
export interface TableTableJoinNode extends NodeBase<'TableTableJoin'> {
  readonly join: TableJoinType;
  readonly leftSide: boolean;
  /** How the other side's current value is read: its store, or (a join result without store) its value getter. */
  readonly other: ValueGetterSpec;
  readonly joiner: ValueJoiner<any, any, any, any>;
}

export function createTableTableJoinNode(builder: GraphBuilder, parent: string, name: string, fields: Omit<TableTableJoinNode, 'kind' | 'name' | 'parents' | 'stores'>): TableTableJoinNode {
  return builder.addNode<TableTableJoinNode>({ kind: 'TableTableJoin', name, parents: [parent], stores: storesOfGetter(fields.other), ...fields });
}

class TableTableJoinProcessor implements Processor<unknown, Change<unknown>, unknown, Change<unknown>> {
  private ctx!: ProcessorContext<unknown, Change<unknown>>;
  private other!: ValueGetter;

  constructor(
    private readonly node: TableTableJoinNode,
    private readonly sendOldValues: boolean,
  ) {}

  init(context: ProcessorContext<unknown, Change<unknown>>): void {
    this.ctx = context;
    this.other = createValueGetter(context, this.node.other);
  }

  private j(thisValue: unknown, otherValue: unknown, key: unknown): unknown {
    return this.node.leftSide ? this.node.joiner(thisValue, otherValue, key) : this.node.joiner(otherValue, thisValue, key);
  }

  process(record: Record<unknown, Change<unknown>>): void {
    const key = record.key;
    if (key === null || key === undefined) {
      this.ctx.recordDropped('null key in table-table join');
      return;
    }
    const { newValue, oldValue } = record.value;
    const other = this.other.getWithTimestamp(key);
    const b = other?.value ?? null;
    const t = record.timestamp;
    const mode = this.node.join === 'left' ? (this.node.leftSide ? 'left' : 'right') : this.node.join;
    let out: Change<unknown>;
    let ts: number;
    switch (mode) {
      case 'inner':
        if (other === undefined) return;
        out = new Change(newValue !== null ? this.j(newValue, b, key) : null, this.sendOldValues && oldValue !== null ? this.j(oldValue, b, key) : null);
        ts = Math.max(t, other.timestamp);
        break;
      case 'left':
        if (other === undefined && newValue === null && oldValue === null) return;
        out = new Change(newValue !== null ? this.j(newValue, b, key) : null, this.sendOldValues && oldValue !== null ? this.j(oldValue, b, key) : null);
        ts = other === undefined ? t : Math.max(t, other.timestamp);
        break;
      case 'right':
        if (other === undefined) return;
        out = new Change(this.j(newValue, b, key), this.sendOldValues ? this.j(oldValue, b, key) : null);
        ts = Math.max(t, other.timestamp);
        break;
      default:
        if (other === undefined && newValue === null && oldValue === null) return;
        out = new Change(
          other !== undefined || newValue !== null ? this.j(newValue, b, key) : null,
          this.sendOldValues && (other !== undefined || oldValue !== null) ? this.j(oldValue, b, key) : null,
        );
        ts = other === undefined ? t : Math.max(t, other.timestamp);
    }
    this.ctx.forward(record.withValue(out).withTimestamp(ts));
  }
}

export function tableTableJoinProcessor(node: TableTableJoinNode, graph: CompiledGraphView): Processor<unknown, Change<unknown>, unknown, Change<unknown>> {
  const merge = graph.childrenOf(node.name)[0];
  return new TableTableJoinProcessor(node, merge !== undefined && graph.sendsOldValues(merge.name));
}

export const tableTableJoinHandler: NodeHandler<TableTableJoinNode> = {
  role: 'processor',
  createProcessor: tableTableJoinProcessor,
  enableOldValues(node, pass) {
    pass.markSendsOldValues(node.name);
    for (const parent of node.parents) pass.requestFromParent(parent);
  },
};

/**
 * KTABLE-MERGE: joins both sides' results into the joined KTable; passes old values through when asked.
 * `getter`: how a later join reads this (store-less) table's value for a key, from the two joined inputs.
 */
export interface TableMergeNode extends NodeBase<'TableMerge'> {
  readonly getter: ValueGetterSpec;
}

export function createTableMergeNode(builder: GraphBuilder, parents: readonly string[], name: string, getter: ValueGetterSpec): TableMergeNode {
  return builder.addNode<TableMergeNode>({ kind: 'TableMerge', name, parents, stores: [], getter });
}

class TableMergeProcessor implements Processor<unknown, Change<unknown>> {
  private ctx!: ProcessorContext<unknown, Change<unknown>>;
  init(context: ProcessorContext<unknown, Change<unknown>>): void {
    this.ctx = context;
  }
  process(record: Record<unknown, Change<unknown>>): void {
    this.ctx.forward(record);
  }
}

export const tableMergeHandler: NodeHandler<TableMergeNode> = {
  role: 'processor',
  createProcessor: () => new TableMergeProcessor(),
  enableOldValues(node, pass) {
    pass.markSendsOldValues(node.name);
    for (const parent of node.parents) pass.requestFromParent(parent);
  },
};
