import type { GraphBuilder } from '../../graph/graph-builder.js';
import type { NodeHandler } from '../../graph/handler.js';
import type { NodeBase } from '../../graph/node-base.js';
import type { KeyValueStoreSpec } from '../../state/store-spec.js';
import { upsertHandler, upsertProcessor, type UpsertNodeFields } from './table-source-internals.js';

/** KStream toTable: upsert semantics (null key dropped, null value = delete), forwards Change pairs. */
export interface ToTableNode extends NodeBase<'ToTable'>, UpsertNodeFields {}

export function createToTableNode(builder: GraphBuilder, parent: string, name: string, store: KeyValueStoreSpec, queryable: boolean): ToTableNode {
  if (queryable) builder.addStore(store);
  return builder.addNode<ToTableNode>({ kind: 'ToTable', name, parents: [parent], stores: queryable ? [store.name] : [], store, queryable });
}

export const toTableProcessor = upsertProcessor;
export const toTableHandler: NodeHandler<ToTableNode> = upsertHandler<ToTableNode>();
