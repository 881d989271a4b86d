/** Fields shared by every graph node. Nodes are frozen once added to the graph. */
export interface NodeBase<Kind extends string> {
  readonly kind: Kind;
  /** Unique in the topology; generated (`KSTREAM-FILTER-0000000003`) unless the user named it. */
  readonly name: string;
  readonly parents: readonly string[];
  /** Names of the state stores this node's processor uses. */
  readonly stores: readonly string[];
}
