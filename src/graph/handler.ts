import type { AnyProcessor } from '../processor/processor.js';
import type { KeyValueStoreSpec } from '../state/store-spec.js';
import type { GraphNode, NodeKind, NodeOf } from './nodes.js';

/** How describe() prints a node. */
export type NodeRole = 'source' | 'processor' | 'sink';

/** What a processor factory can ask of the compiled topology. */
export interface CompiledGraphView {
  /** Children of a node, in creation order. */
  childrenOf(nodeName: string): readonly GraphNode[];
  /** Whether the KTable node must fill `Change.oldValue` (some downstream operator asked for it). */
  sendsOldValues(nodeName: string): boolean;
}

/** Operations the old-values pass offers to handlers. */
export interface OldValuesPass {
  /** This node will send old values. */
  markSendsOldValues(nodeName: string): void;
  /** Forward the request upstream. */
  requestFromParent(parentName: string): void;
  /** Materialize a store for this node (a source KTable needs its previous value). */
  materialize(nodeName: string, spec: KeyValueStoreSpec): void;
}

/**
 * Everything the graph and runtime need to know about one node kind. The registry maps every NodeKind
 * to a handler, so adding a kind does not compile until it is handled.
 */
export interface NodeHandler<N extends GraphNode> {
  readonly role: NodeRole;
  createProcessor(node: N, graph: CompiledGraphView): AnyProcessor;
  /** Absent: this node cannot provide old values (a TopologyError is raised if asked). */
  enableOldValues?(node: N, pass: OldValuesPass): void;
}

export type NodeHandlers = { readonly [K in NodeKind]: NodeHandler<NodeOf<K>> };
