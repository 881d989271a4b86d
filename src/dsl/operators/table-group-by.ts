import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import { Prefix } from '../../graph/naming.js';
import { Change } from '../../processor/change.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { Serde } from '../../serde/serde.js';
import type { KeyValue, KeyValueMapper } from '../types.js';

/**
 * KTable groupBy's re-keying step (Kafka's KTableRepartitionMap, `KTABLE-SELECT-`). For each update it
 * selects (key', value') of the new and of the old value. Same key' for both: one Change(new', old').
 * Otherwise Change(null, old') to the old key' first, then Change(new', null) to the new key'.
 * Requires old values from its parent.
 */
export interface TableGroupByNode extends NodeBase<'TableGroupBy'> {
  readonly selector: KeyValueMapper<any, any, KeyValue<any, any>>;
  /** Compares selected keys by serialized bytes when they are not primitives. */
  readonly keySerde: Serde<any> | undefined;
}

export function createTableGroupByNode(builder: GraphBuilder, parent: string, selector: KeyValueMapper<any, any, KeyValue<any, any>>, keySerde: Serde<any> | undefined, name?: string): TableGroupByNode {
  if (typeof selector !== 'function') throw new TypeError("selector can't be null");
  const node = builder.addNode<TableGroupByNode>({ kind: 'TableGroupBy', name: builder.nameOr(name, Prefix.tableSelect), parents: [parent], stores: [], selector, keySerde });
  builder.requestOldValues(parent);
  return node;
}

class TableGroupByProcessor implements Processor<unknown, Change<unknown>, unknown, Change<unknown>> {
  private ctx!: ProcessorContext<unknown, Change<unknown>>;
  constructor(
    private readonly selector: KeyValueMapper<unknown, unknown, KeyValue<unknown, unknown>>,
    private readonly keySerde: Serde<unknown> | undefined,
  ) {}
  init(context: ProcessorContext<unknown, Change<unknown>>): void {
    this.ctx = context;
  }
  private select(key: unknown, value: unknown): KeyValue<unknown, unknown> | undefined {
    if (value === null) return undefined;
    const pair = this.selector(key, value);
    return pair[0] === null || pair[0] === undefined || pair[1] === null || pair[1] === undefined ? undefined : pair;
  }
  private sameKey(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || this.keySerde === undefined) return false;
    return this.keySerde.serialize(a, '').equals(this.keySerde.serialize(b, ''));
  }
  process(record: Record<unknown, Change<unknown>>): void {
    const newPair = this.select(record.key, record.value.newValue);
    const oldPair = this.select(record.key, record.value.oldValue);
    if (newPair !== undefined && oldPair !== undefined && this.sameKey(oldPair[0], newPair[0])) {
      this.ctx.forward(record.withKey(oldPair[0]).withValue(new Change(newPair[1], oldPair[1])));
      return;
    }
    if (oldPair !== undefined) this.ctx.forward(record.withKey(oldPair[0]).withValue(new Change<unknown>(null, oldPair[1])));
    if (newPair !== undefined) this.ctx.forward(record.withKey(newPair[0]).withValue(new Change<unknown>(newPair[1], null)));
  }
}

export function tableGroupByProcessor(node: TableGroupByNode): Processor<unknown, Change<unknown>, unknown, Change<unknown>> {
  return new TableGroupByProcessor(node.selector, node.keySerde);
}

export const tableGroupByHandler: NodeHandler<TableGroupByNode> = { role: 'processor', createProcessor: tableGroupByProcessor };
