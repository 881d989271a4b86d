import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { CompiledGraphView, NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import { Change } from '../../processor/change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import { forwardsOnFlush } from './cache-forwarder.js';
import type { Predicate } from '../types.js';

/**
 * KTable filter / filterNot: a new value failing the predicate becomes a tombstone and is still forwarded
 * (so downstream deletes the row); skipped only when old values are sent and both sides end up null.
 */
export interface TableFilterNode extends NodeBase<'TableFilter'> {
  readonly predicate: Predicate<any, any>;
  readonly not: boolean;
}

/** `store`: materializes the filtered table (queryable, joinable) in that registered store. */
export function createTableFilterNode(builder: GraphBuilder, parent: string, predicate: Predicate<any, any>, not: boolean, name?: string, store?: string): TableFilterNode {
  if (typeof predicate !== 'function') throw new TypeError("predicate can't be null");
  return builder.addNode<TableFilterNode>({ kind: 'TableFilter', name: builder.nameOr(name, Prefix.tableFilter), parents: [parent], stores: store === undefined ? [] : [store], predicate, not });
}

/**
 * Whether a filter created now on `parent` sends old values from the start. Kafka's KTableFilter asks its parent for
 * old values when it is created, without forcing a source table to be materialized. It gets them from an
 * aggregation, a join result, a named (queryable) source or toTable, a materialized filter/mapValues, or any table
 * already sending them (e.g. for an earlier join); through an unmaterialized filter/mapValues or a suppress it asks
 * further up. With old values the filter drops an update that fails the predicate before and after, instead of
 * forwarding a tombstone for it.
 */
export function filterGetsOldValues(builder: GraphBuilder, parent: string): boolean {
  const sending = oldValueSendersSoFar(builder);
  const can = (name: string): boolean => {
    if (sending.has(name)) return true;
    const node = builder.nodes.get(name);
    if (node === undefined) return false;
    switch (node.kind) {
      case 'TableSource':
      case 'ToTable':
        return node.queryable;
      case 'TableFilter':
      case 'TableMapValues':
        return node.stores.length > 0 || can(node.parents[0]!);
      case 'Suppress':
        return can(node.parents[0]!);
      case 'PassThrough':
        return node.table;
      case 'TableMerge':
      case 'StreamAggregate':
      case 'TableAggregate':
      case 'TimeWindowAggregate':
      case 'SlidingWindowAggregate':
      case 'SessionWindowAggregate':
        return true;
      default:
        return false;
    }
  };
  return can(parent);
}

/** The nodes the old-value requests made so far reach (Kafka enables old values at once, when they are asked for). */
function oldValueSendersSoFar(builder: GraphBuilder): Set<string> {
  const reached = new Set<string>();
  const pending = [...builder.oldValueRequests];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (reached.has(name)) continue;
    reached.add(name);
    const node = builder.nodes.get(name);
    if (node === undefined) continue;
    // These read their previous value themselves (a store, or the aggregate): the request stops there.
    if ((node.kind === 'TableFilter' || node.kind === 'TableMapValues') && node.stores.length > 0) continue;
    if (node.kind === 'TableSource' || node.kind === 'ToTable' || node.kind === 'StreamAggregate' || node.kind === 'TableAggregate') continue;
    if (node.kind === 'TimeWindowAggregate' || node.kind === 'SlidingWindowAggregate' || node.kind === 'SessionWindowAggregate') continue;
    pending.push(...node.parents);
  }
  return reached;
}

class TableFilterProcessor implements Processor<unknown, Change<unknown>> {
  private ctx!: ProcessorContext<unknown, Change<unknown>>;
  private store: KeyValueStore<unknown, unknown> | undefined;
  /** The store forwards its updates when its cache flushes. */
  private cached = false;
  constructor(
    private readonly predicate: Predicate<unknown, unknown>,
    private readonly not: boolean,
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
  private keep(key: unknown, value: unknown): unknown {
    return value !== null && this.predicate(key, value) !== this.not ? value : null;
  }
  process(record: Record<unknown, Change<unknown>>): void {
    const change = record.value;
    const newValue = this.keep(record.key, change.newValue);
    if (this.store !== undefined) {
      const stored = this.store.get(record.key);
      const oldValue = this.sendOldValues && stored !== undefined ? stored : null;
      // Only with old values is a filtered-out update of a key it never held known to change nothing; without
      // them it is forwarded as a tombstone, as Kafka's KTableFilter does.
      if (this.sendOldValues && newValue === null && stored === undefined) return;
      this.store.put(record.key, newValue, record.timestamp);
      if (!this.cached) this.ctx.forward(record.withValue(new Change(newValue, oldValue)));
      return;
    }
    const oldValue = this.sendOldValues ? this.keep(record.key, change.oldValue) : null;
    if (this.sendOldValues && newValue === null && oldValue === null) return;
    this.ctx.forward(record.withValue(new Change(newValue, oldValue)));
  }
}

export function tableFilterProcessor(node: TableFilterNode, graph: CompiledGraphView): Processor<unknown, Change<unknown>> {
  return new TableFilterProcessor(node.predicate, node.not, graph.sendsOldValues(node.name), node.stores[0]);
}

export const tableFilterHandler: NodeHandler<TableFilterNode> = {
  role: 'processor',
  createProcessor: tableFilterProcessor,
  enableOldValues(node, pass) {
    pass.markSendsOldValues(node.name);
    // A materialized filter reads its previous value from its own store.
    if (node.stores.length === 0) pass.requestFromParent(node.parents[0]!);
  },
};
