import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { CompiledGraphView, NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import { Change } from '../../processor/change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import { forwardsOnFlush } from './cache-forwarder.js';
import type { ValueMapper } from '../types.js';

/** KTable mapValues: maps the new value and, when old values are sent, the old value; tombstones stay tombstones. */
export interface TableMapValuesNode extends NodeBase<'TableMapValues'> {
  readonly mapper: ValueMapper<any, any, any>;
}

/** `store`: materializes the mapped table (queryable, joinable) in that registered store. */
export function createTableMapValuesNode(builder: GraphBuilder, parent: string, mapper: ValueMapper<any, any, any>, name?: string, store?: string): TableMapValuesNode {
  if (typeof mapper !== 'function') throw new TypeError("mapper can't be null");
  return builder.addNode<TableMapValuesNode>({ kind: 'TableMapValues', name: builder.nameOr(name, Prefix.tableMapValues), parents: [parent], stores: store === undefined ? [] : [store], mapper });
}

class TableMapValuesProcessor implements Processor<unknown, Change<unknown>> {
  private ctx!: ProcessorContext<unknown, Change<unknown>>;
  private store: KeyValueStore<unknown, unknown> | undefined;
  /** The store forwards its updates when its cache flushes. */
  private cached = false;
  constructor(
    private readonly mapper: ValueMapper<unknown, unknown, unknown>,
    private readonly sendOldValues: boolean,
    private readonly storeName: string | undefined,
  ) {}
  init(context: ProcessorContext<unknown, Change<unknown>>): void {
    this.ctx = context;
    if (this.storeName !== undefined) {
      this.store = context.getStateStore<KeyValueStore<unknown, unknown>>(this.storeName);
      this.cached = forwardsOnFlush(this.store, context, this.sendOldValues);
    }
  }
  process(record: Record<unknown, Change<unknown>>): void {
    const change = record.value;
    const newValue = change.newValue === null ? null : this.mapper(change.newValue, record.key);
    if (this.store !== undefined) {
      const stored = this.store.get(record.key);
      this.store.put(record.key, newValue, record.timestamp);
      if (!this.cached) this.ctx.forward(record.withValue(new Change(newValue, this.sendOldValues && stored !== undefined ? stored : null)));
      return;
    }
    const oldValue = this.sendOldValues && change.oldValue !== null ? this.mapper(change.oldValue, record.key) : null;
    this.ctx.forward(record.withValue(new Change(newValue, oldValue)));
  }
}

export function tableMapValuesProcessor(node: TableMapValuesNode, graph: CompiledGraphView): Processor<unknown, Change<unknown>> {
  return new TableMapValuesProcessor(node.mapper, graph.sendsOldValues(node.name), node.stores[0]);
}

export const tableMapValuesHandler: NodeHandler<TableMapValuesNode> = {
  role: 'processor',
  createProcessor: tableMapValuesProcessor,
  enableOldValues(node, pass) {
    pass.markSendsOldValues(node.name);
    // A materialized mapValues reads its previous value from its own store.
    if (node.stores.length === 0) pass.requestFromParent(node.parents[0]!);
  },
};
