import type { CompiledGraphView, NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Change } from '../../processor/change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import type { KeyValueStoreSpec } from '../../state/store-spec.js';
import type { TableSourceNode } from './table-source.js';
import type { ToTableNode } from './to-table.js';
import { forwardsOnFlush } from './cache-forwarder.js';

/** Shared shape of the nodes that turn a stream of upserts into a KTable (table source, toTable). */
export interface UpsertNodeFields {
  /** The store this table uses when materialized (named even when not materialized, as Kafka does). */
  readonly store: KeyValueStoreSpec;
  /** Materialized because the user named the store; old-value requests may materialize it at build time. */
  readonly queryable: boolean;
}

/**
 * Upsert semantics (Kafka's KTableSource): null key -> dropped (metric); null value -> delete.
 * Materialized: old = previous store value, then put; forwards Change(new, old if requested).
 */
class UpsertProcessor implements Processor<unknown, unknown, unknown, Change<unknown>> {
  private ctx!: ProcessorContext<unknown, Change<unknown>>;
  private store: KeyValueStore<unknown, unknown> | undefined;
  /** The store forwards its updates when its cache flushes. */
  private cached = false;

  constructor(
    private readonly storeName: string | undefined,
    private readonly sendOldValues: boolean,
  ) {}

  init(context: ProcessorContext<unknown, Change<unknown>>): void {
    this.ctx = context;
    if (this.storeName !== undefined) {
      this.store = context.getStateStore<KeyValueStore<unknown, unknown>>(this.storeName);
      this.cached = forwardsOnFlush(this.store, context, this.sendOldValues);
    }
  }

  process(record: Record<unknown, unknown>): void {
    if (record.key === null || record.key === undefined) {
      this.ctx.recordDropped('null key on a KTable update');
      return;
    }
    const value = record.value === undefined ? null : record.value;
    if (this.store === undefined) {
      this.ctx.forward(record.withValue(new Change(value, null)));
      return;
    }
    const old = this.store.get(record.key);
    this.store.put(record.key, value, record.timestamp);
    if (!this.cached) this.ctx.forward(record.withValue(new Change(value, this.sendOldValues && old !== undefined ? old : null)));
  }
}

export function upsertProcessor(node: NodeBase<string>, graph: CompiledGraphView): Processor<unknown, unknown, unknown, Change<unknown>> {
  return new UpsertProcessor(node.stores[0], graph.sendsOldValues(node.name));
}

/** Handler shared by TableSource and ToTable: old values materialize the table's store. */
export function upsertHandler<N extends TableSourceNode | ToTableNode>(): NodeHandler<N> {
  return {
    role: 'processor',
    createProcessor: upsertProcessor,
    enableOldValues(node, pass) {
      pass.markSendsOldValues(node.name);
      pass.materialize(node.name, node.store);
    },
  };
}
