import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import type { Processor, ProcessorContext } from '../../processor/processor.js';
import type { Record } from '../../processor/record.js';
import type { ValueJoiner } from './stream-stream-join.js';
import { createValueGetter, storesOfGetter, type ValueGetter, type ValueGetterSpec } from './table-value-getter.js';

/**
 * KStream-KTable and KStream-GlobalKTable join (Kafka's KStreamKTableJoin / KStreamGlobalKTableJoin).
 * Each stream record looks up the table's current value under `keySelector(key, value)` (KTable: the
 * record key) and forwards `joiner(value, tableValue)` with the stream record's timestamp; inner joins
 * forward nothing when the table has no value, left joins pass null. Table updates never produce output.
 * A null stream value, or a null lookup key, is dropped (counted) — except that a left join with a value and
 * a null lookup key (a null record key, or a key mapper returning null) forwards `joiner(value, null)` (KIP-962).
 */
export interface StreamTableJoinNode extends NodeBase<'StreamTableJoin'> {
  /** How the table's current value is read: its store, or (a derived table without store) its value getter. */
  readonly table: ValueGetterSpec;
  readonly left: boolean;
  readonly joiner: ValueJoiner<any, any, any, any>;
  /** GlobalKTable joins choose the lookup key; undefined = the record key. */
  readonly keySelector: ((key: any, value: any) => unknown) | undefined;
}

export function createStreamTableJoinNode(builder: GraphBuilder, parent: string, name: string, fields: Omit<StreamTableJoinNode, 'kind' | 'name' | 'parents' | 'stores'>, global: boolean): StreamTableJoinNode {
  // A global store is not listed: it belongs to no task and must not pull the global sub-topology in.
  return builder.addNode<StreamTableJoinNode>({ kind: 'StreamTableJoin', name, parents: [parent], stores: global ? [] : storesOfGetter(fields.table), ...fields });
}

class StreamTableJoinProcessor implements Processor<unknown, unknown> {
  private ctx!: ProcessorContext;
  private table!: ValueGetter;

  constructor(private readonly node: StreamTableJoinNode) {}

  init(context: ProcessorContext): void {
    this.ctx = context;
    this.table = createValueGetter(context, this.node.table);
  }

  process(record: Record<unknown, unknown>): void {
    const { key, value } = record;
    const lookupKey = this.node.keySelector === undefined ? key : this.node.keySelector(key, value);
    const nullLookup = lookupKey === null || lookupKey === undefined;
    const valuePresent = value !== null && value !== undefined;
    // KIP-962: a left join keeps a record with a value even when there is no key to look up (a null record key
    // for a KTable, a null result of the key mapper for a GlobalKTable) and joins it with null.
    if (this.node.left && nullLookup && valuePresent) {
      this.ctx.forward(record.withValue(this.node.joiner(value, null, key)));
      return;
    }
    if (nullLookup || !valuePresent) {
      this.ctx.recordDropped(nullLookup ? 'null join key in stream-table join' : 'null value in stream-table join');
      return;
    }
    const tableValue = this.table.getWithTimestamp(lookupKey)?.value;
    if (tableValue === undefined && !this.node.left) return;
    this.ctx.forward(record.withValue(this.node.joiner(value, tableValue ?? null, key)));
  }
}

export const streamTableJoinHandler: NodeHandler<StreamTableJoinNode> = {
  role: 'processor',
  createProcessor: (node) => new StreamTableJoinProcessor(node),
};
