import { TopologyError } from '../errors.js';
import type { StoreSpec } from '../state/store-spec.js';
import { generatedName, generatedStoreName } from './naming.js';
import type { GraphNode } from './nodes.js';
import type { RepartitionTopicSpec } from '../dsl/operators/repartition.js';

/** A check run by build(); throws a TopologyError saying what to change. */
export type GraphValidator = (graph: GraphBuilder) => void;

/**
 * The mutable graph behind one StreamsBuilder. DSL handles are immutable and only append frozen nodes
 * here; `build()` compiles the result into a frozen Topology. One counter names processors and stores.
 */
export class GraphBuilder {
  #counter = 0;
  readonly nodes = new Map<string, GraphNode>();
  readonly stores = new Map<string, StoreSpec>();
  /** KTable nodes whose downstream needs `Change.oldValue` (resolved upstream at build time). */
  readonly oldValueRequests = new Set<string>();
  /** KTable nodes whose values must be readable from a store (join lookups); resolved at build time. */
  readonly materializationRequests = new Set<string>();
  readonly validators: GraphValidator[] = [];
  /** Repartition topics by unprefixed name. */
  readonly repartitionTopics = new Map<string, RepartitionTopicSpec>();
  /** Groups of source topics that must have the same partition count (joins). */
  readonly copartitionGroups: ReadonlyArray<string>[] = [];

  nextIndex(): number {
    return this.#counter++;
  }

  newProcessorName(prefix: string): string {
    return generatedName(prefix, this.nextIndex());
  }

  newStoreName(prefix: string): string {
    return generatedStoreName(prefix, this.nextIndex());
  }

  /** `name` when the user gave one, else a generated `<prefix><counter>`. */
  nameOr(name: string | undefined, prefix: string): string {
    return name ?? this.newProcessorName(prefix);
  }

  addNode<N extends GraphNode>(node: N): N {
    if (this.nodes.has(node.name)) {
      throw new TopologyError(`a processor named ${node.name} already exists; pass a different { name }`, { nodeName: node.name });
    }
    for (const parent of node.parents) {
      if (!this.nodes.has(parent)) throw new TopologyError(`parent ${parent} of ${node.name} is not in this topology; streams of another StreamsBuilder cannot be combined`, { nodeName: node.name });
    }
    const frozen = Object.freeze({ ...node, parents: Object.freeze([...node.parents]), stores: Object.freeze([...node.stores]) }) as unknown as N;
    this.nodes.set(node.name, frozen);
    return frozen;
  }

  addStore(spec: StoreSpec): void {
    const existing = this.stores.get(spec.name);
    if (existing !== undefined && existing !== spec) {
      throw new TopologyError(`a store named ${spec.name} already exists; pass a different store name`);
    }
    this.stores.set(spec.name, Object.freeze({ ...spec }));
  }

  /** Replaces a store spec (e.g. serdes learned later); names and type must match. */
  updateStore(spec: StoreSpec): void {
    if (!this.stores.has(spec.name)) throw new TopologyError(`unknown store ${spec.name}`);
    this.stores.set(spec.name, Object.freeze({ ...spec }));
  }

  requestOldValues(nodeName: string): void {
    this.oldValueRequests.add(nodeName);
  }

  requestMaterialization(nodeName: string): void {
    this.materializationRequests.add(nodeName);
  }

  /** Declares that these source topics must have equal partition counts (checked by the runtime). */
  requireCopartitioned(topics: readonly string[]): void {
    this.copartitionGroups.push(Object.freeze([...topics]));
  }

  addValidator(validator: GraphValidator): void {
    this.validators.push(validator);
  }
}
