import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import type { KeyValueStoreSpec } from '../../state/store-spec.js';
import { upsertHandler, upsertProcessor, type UpsertNodeFields } from './table-source-internals.js';

/** The KTable side of `builder.table(topic)` (and of globalTable): upserts from its source node. */
export interface TableSourceNode extends NodeBase<'TableSource'>, UpsertNodeFields {}

export function createTableSourceNode(builder: GraphBuilder, parent: string, name: string, store: KeyValueStoreSpec, queryable: boolean): TableSourceNode {
  if (queryable) builder.addStore(store);
  return builder.addNode<TableSourceNode>({ kind: 'TableSource', name, parents: [parent], stores: queryable ? [store.name] : [], store, queryable });
}

export const tableSourceProcessor = upsertProcessor;
export const tableSourceHandler: NodeHandler<TableSourceNode> = upsertHandler<TableSourceNode>();
