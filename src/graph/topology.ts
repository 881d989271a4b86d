import { TopologyError } from '../errors.js';
import type { RepartitionTopicSpec } from '../dsl/operators/repartition.js';
import type { SourceNode } from '../dsl/operators/source.js';
import type { KeyValueStoreSpec, StoreSpec } from '../state/store-spec.js';
import { describeTopology, type TopologyDescription } from './describe.js';
import type { GraphBuilder } from './graph-builder.js';
import type { AnyProcessor } from '../processor/processor.js';
import type { CompiledGraphView, NodeHandler, NodeHandlers, NodeRole, OldValuesPass } from './handler.js';
import type { GraphNode } from './nodes.js';

/** A topic read by a sub-topology. Internal topics are named without the application-id prefix. */
export interface SourceTopic {
  readonly topic: string;
  readonly internal: boolean;
  readonly sourceNode: string;
}

/**
 * A connected part of the graph (cut at repartition topics). Each one runs as one task per input
 * partition; a global one only feeds a global store and creates no tasks.
 */
export interface Subtopology {
  readonly id: number;
  /** Node names in creation order (parents before children). */
  readonly nodeNames: readonly string[];
  readonly sourceTopics: readonly SourceTopic[];
  readonly stores: readonly string[];
  readonly global: boolean;
}

/**
 * The frozen, validated result of `StreamsBuilder.build()`: what the runtime and the test driver run.
 *
 * Like Kafka Streams' topology, which carries the supplier of every processor, it carries the handler of every node
 * kind it was built with: the runtime asks it for processors and never looks into the DSL that registered them.
 *
 * @example
 * ```ts
 * const topology = builder.build();
 * for (const name of topology.subtopologies[0]!.nodeNames) {
 *   const processor = topology.createProcessor(name); // a fresh instance per task
 * }
 * ```
 */
export class Topology implements CompiledGraphView {
  readonly #children: ReadonlyMap<string, readonly GraphNode[]>;
  readonly #oldValueSenders: ReadonlySet<string>;
  readonly #handlers: NodeHandlers;

  constructor(
    /** Every node in creation order. */
    readonly nodes: ReadonlyMap<string, GraphNode>,
    readonly stores: ReadonlyMap<string, StoreSpec>,
    readonly subtopologies: readonly Subtopology[],
    readonly repartitionTopics: readonly RepartitionTopicSpec[],
    readonly copartitionGroups: readonly (readonly string[])[],
    oldValueSenders: ReadonlySet<string>,
    /** The handler of every node kind, given by the builder (the DSL's operator registry). */
    handlers: NodeHandlers,
  ) {
    this.#oldValueSenders = oldValueSenders;
    this.#handlers = handlers;
    const children = new Map<string, GraphNode[]>();
    for (const node of nodes.values()) {
      for (const parent of node.parents) {
        let list = children.get(parent);
        if (list === undefined) children.set(parent, (list = []));
        list.push(node);
      }
    }
    this.#children = children;
    Object.freeze(this);
  }

  childrenOf(nodeName: string): readonly GraphNode[] {
    return this.#children.get(nodeName) ?? [];
  }

  sendsOldValues(nodeName: string): boolean {
    return this.#oldValueSenders.has(nodeName);
  }

  /** The store holding the current values of the KTable node, if it is materialized. */
  storeOf(nodeName: string): string | undefined {
    return this.node(nodeName).stores[0];
  }

  node(name: string): GraphNode {
    const node = this.nodes.get(name);
    if (node === undefined) throw new TopologyError(`no node named ${name} in this topology`, { nodeName: name });
    return node;
  }

  /**
   * A new processor for the node `nodeName`; each task calls this once per node, so processors never share state
   * across tasks. Throws a TopologyError for an unknown name.
   */
  createProcessor(nodeName: string): AnyProcessor {
    const node = this.node(nodeName);
    return handlerOf(this.#handlers, node).createProcessor(node, this);
  }

  /** How describe() prints the node `nodeName`: as a source, a processor or a sink. */
  roleOf(nodeName: string): NodeRole {
    return handlerOf(this.#handlers, this.node(nodeName)).role;
  }

  /** Sub-topologies that create tasks. */
  get taskSubtopologies(): readonly Subtopology[] {
    return this.subtopologies.filter((s) => !s.global);
  }

  /** Sub-topologies that feed global stores. */
  get globalSubtopologies(): readonly Subtopology[] {
    return this.subtopologies.filter((s) => s.global);
  }

  /** Kafka Streams' text layout (`Topologies:` / `Sub-topology: 0` ...); `.toMermaid()` renders a flowchart. */
  describe(): TopologyDescription {
    return describeTopology(this);
  }
}

const handlerOf = (handlers: NodeHandlers, node: GraphNode): NodeHandler<GraphNode> => handlers[node.kind] as NodeHandler<GraphNode>;

/**
 * Compiles the builder's graph: resolves old values, validates, splits into sub-topologies. `handlers` (one per
 * node kind; the DSL passes its operator registry) go into the topology, which creates processors from them.
 */
export function compileTopology(builder: GraphBuilder, handlers: NodeHandlers): Topology {
  const nodes = new Map(builder.nodes);
  const stores = new Map(builder.stores);
  resolveMaterialization(builder, nodes, stores);
  const senders = resolveOldValues(builder, nodes, stores, handlers);
  validate(builder, nodes, stores);
  const subtopologies = splitSubtopologies(nodes);
  return new Topology(nodes, stores, subtopologies, [...builder.repartitionTopics.values()], builder.copartitionGroups, senders, handlers);
}

function resolveMaterialization(builder: GraphBuilder, nodes: Map<string, GraphNode>, stores: Map<string, StoreSpec>): void {
  for (const name of builder.materializationRequests) {
    const node = nodes.get(name);
    if (node === undefined) throw new TopologyError(`materialization requested for unknown node ${name}`, { nodeName: name });
    if (node.stores.length > 0) continue;
    if (node.kind === 'TableSource' || node.kind === 'ToTable') {
      if (!stores.has(node.store.name)) stores.set(node.store.name, node.store);
      nodes.set(name, Object.freeze({ ...node, stores: Object.freeze([node.store.name]) }));
      continue;
    }
    throw new TopologyError(`${name} (${node.kind}) must be materialized to be read by a join; pass { storeName } to the operation that creates this table`, { nodeName: name });
  }
}

function resolveOldValues(builder: GraphBuilder, nodes: Map<string, GraphNode>, stores: Map<string, StoreSpec>, handlers: NodeHandlers): Set<string> {
  const senders = new Set<string>();
  const visited = new Set<string>();
  const pending = [...builder.oldValueRequests];
  const pass: OldValuesPass = {
    markSendsOldValues: (name) => senders.add(name),
    requestFromParent: (parent) => pending.push(parent),
    materialize: (name: string, spec: KeyValueStoreSpec) => {
      if (!stores.has(spec.name)) stores.set(spec.name, spec);
      const node = nodes.get(name)!;
      if (!node.stores.includes(spec.name)) nodes.set(name, Object.freeze({ ...node, stores: Object.freeze([...node.stores, spec.name]) }));
    },
  };
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (visited.has(name)) continue;
    visited.add(name);
    const node = nodes.get(name);
    if (node === undefined) throw new TopologyError(`old values requested from unknown node ${name}`, { nodeName: name });
    const handler = handlerOf(handlers, node);
    if (handler.enableOldValues === undefined) {
      throw new TopologyError(`${node.name} (${node.kind}) cannot send old values, but a downstream KTable operation needs them; apply that operation to a KTable`, { nodeName: node.name });
    }
    try {
      handler.enableOldValues(node, pass);
    } catch (cause) {
      if (cause instanceof TopologyError) throw cause;
      throw new TopologyError(cause instanceof Error ? cause.message : String(cause), { nodeName: node.name, cause });
    }
  }
  return senders;
}

function validate(builder: GraphBuilder, nodes: Map<string, GraphNode>, stores: Map<string, StoreSpec>): void {
  if (nodes.size === 0) throw new TopologyError('the topology is empty: add at least one source with builder.stream(), table() or globalTable()');
  for (const node of nodes.values()) {
    if (node.kind === 'Sink') {
      const what = node.internal ? `repartition topic ${String(node.topic)}` : typeof node.topic === 'string' ? `topic ${node.topic}` : 'a per-record topic';
      const where = node.internal ? 'in the options of groupBy/groupByKey/repartition/toTable (e.g. { key: Serdes.string(), value: Serdes.json() })' : 'to to(topic, { key, value })';
      if (node.keySerde === undefined) throw new TopologyError(`sink ${node.name} writes to ${what} but no key serde is known (the key type changed upstream); pass one ${where}`, { nodeName: node.name });
      if (node.valueSerde === undefined) throw new TopologyError(`sink ${node.name} writes to ${what} but no value serde is known (the value type changed upstream); pass one ${where}`, { nodeName: node.name });
    }
    if (node.kind === 'Source' && (node.keySerde === undefined || node.valueSerde === undefined)) {
      throw new TopologyError(`source ${node.name} reads ${node.topics.join(', ')} without key and value serdes; pass { key, value } serdes`, { nodeName: node.name });
    }
    for (const store of node.stores) {
      const spec = stores.get(store);
      if (spec === undefined) throw new TopologyError(`${node.name} uses store ${store}, which is not registered`, { nodeName: node.name });
      if (spec.logging && (spec.keySerde === undefined || spec.valueSerde === undefined)) {
        throw new TopologyError(
          `store ${store} of ${node.name} is backed by a changelog but has no ${spec.keySerde === undefined ? 'key' : 'value'} serde; pass it in Materialized ({ key, value }) or in Grouped`,
          { nodeName: node.name },
        );
      }
    }
  }
  for (const validator of builder.validators) validator(builder);
}

function splitSubtopologies(nodes: Map<string, GraphNode>): Subtopology[] {
  const order = [...nodes.keys()];
  const index = new Map(order.map((name, i) => [name, i]));
  const parent = order.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const storeOwner = new Map<string, number>();
  for (const node of nodes.values()) {
    const i = index.get(node.name)!;
    for (const p of node.parents) union(i, index.get(p)!);
    for (const store of node.stores) {
      const owner = storeOwner.get(store);
      if (owner === undefined) storeOwner.set(store, i);
      else union(i, owner);
    }
  }
  const groups = new Map<number, GraphNode[]>();
  for (const name of order) {
    const root = find(index.get(name)!);
    let group = groups.get(root);
    if (group === undefined) groups.set(root, (group = []));
    group.push(nodes.get(name)!);
  }
  const sorted = [...groups.entries()].sort((a, b) => a[0] - b[0]);
  return sorted.map(([, members], id) => {
    const sources = members.filter((n): n is SourceNode => n.kind === 'Source');
    return Object.freeze({
      id,
      nodeNames: Object.freeze(members.map((n) => n.name)),
      sourceTopics: Object.freeze(sources.flatMap((s) => s.topics.map((topic) => Object.freeze({ topic, internal: s.internal, sourceNode: s.name })))),
      stores: Object.freeze([...new Set(members.flatMap((n) => n.stores))]),
      global: sources.some((s) => s.global),
    });
  });
}
