import { TopologyError } from '../errors.js';
import type { GraphBuilder } from '../graph/graph-builder.js';
import type { Serde } from '../serde/serde.js';
import type { KeyValueStoreSpec, WindowStoreSpec } from '../state/store-spec.js';
import { windowedChangelogConfig } from '../state/window-store.js';
import type { GlobalTableState } from './global-ktable.js';
import type { StreamState } from './handle-state.js';
import type { TableState } from './ktable.js';
import { createMergeNode } from './operators/merge.js';
import { addRepartitionTopic } from './operators/repartition.js';
import { createStreamJoinWindowNode } from './operators/stream-join-window.js';
import { createStreamStreamJoinNode, outerKeySerde, outerValuesSerde, type ValueJoiner } from './operators/stream-stream-join.js';
import { createStreamTableJoinNode } from './operators/stream-table-join.js';
import { lookupGetterOf } from './operators/table-store-of.js';
import { createTableMergeNode, createTableTableJoinNode, type TableJoinType } from './operators/table-table-join.js';
import type { SerdeOf } from './options.js';
import type { JoinWindows } from './windows.js';

export type { ValueJoiner } from './operators/stream-stream-join.js';
export type StreamJoinType = 'inner' | 'left' | 'outer';

/** Serdes and names of a KStream-KStream join (Kafka's StreamJoined). */
export interface StreamJoined<K, V1, V2> {
  /** Base of the generated processor, store and repartition topic names. */
  readonly name?: string;
  readonly storeName?: string;
  readonly key?: SerdeOf<K>;
  readonly value?: SerdeOf<V1>;
  readonly otherValue?: SerdeOf<V2>;
  /** Back the join stores with changelogs (default true). */
  readonly logging?: boolean;
}

/** Options of a KStream-KTable join (Kafka's Joined). */
export interface Joined<K, V1> {
  readonly name?: string;
  readonly key?: SerdeOf<K>;
  readonly value?: SerdeOf<V1>;
}

const P = Object.freeze({
  windowed: 'KSTREAM-WINDOWED-',
  joinThis: 'KSTREAM-JOINTHIS-',
  joinOther: 'KSTREAM-JOINOTHER-',
  outerThis: 'KSTREAM-OUTERTHIS-',
  outerOther: 'KSTREAM-OUTEROTHER-',
  merge: 'KSTREAM-MERGE-',
  outerShared: 'KSTREAM-OUTERSHARED-',
  streamTableJoin: 'KSTREAM-JOIN-',
  streamTableLeftJoin: 'KSTREAM-LEFTJOIN-',
  tableJoinThis: 'KTABLE-JOINTHIS-',
  tableJoinOther: 'KTABLE-JOINOTHER-',
  tableLeftThis: 'KTABLE-LEFTTHIS-',
  tableLeftOther: 'KTABLE-LEFTOTHER-',
  tableOuterThis: 'KTABLE-OUTERTHIS-',
  tableOuterOther: 'KTABLE-OUTEROTHER-',
  tableMerge: 'KTABLE-MERGE-',
});

/** Source topics feeding a node (walking up to sources; repartition sources count as their topic). */
export function sourceTopicsOf(graph: GraphBuilder, nodeName: string): string[] {
  const topics = new Set<string>();
  const seen = new Set<string>();
  const pending = [nodeName];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const node = graph.nodes.get(name);
    if (node === undefined) continue;
    if (node.kind === 'Source') node.topics.forEach((t) => topics.add(t));
    else pending.push(...node.parents);
  }
  return [...topics].sort();
}

/**
 * Registers that the two sides must be co-partitioned (same partition count, same partitioner) and adds a
 * build-time check: both sides must come from this builder, and explicitly sized repartition topics on the
 * two sides must agree. The runtime checks the partition counts of the source topics when it starts.
 */
function registerCopartitioning(graph: GraphBuilder, left: string, right: string, what: string): void {
  const leftTopics = sourceTopicsOf(graph, left);
  const rightTopics = sourceTopicsOf(graph, right);
  graph.copartitionGroups.push(Object.freeze([...new Set([...leftTopics, ...rightTopics])]));
  graph.addValidator((g) => {
    const counts = new Map<string, number>();
    for (const topic of [...leftTopics, ...rightTopics]) {
      const spec = g.repartitionTopics.get(topic);
      if (spec?.partitions !== undefined) counts.set(topic, spec.partitions);
    }
    const distinct = new Set(counts.values());
    if (distinct.size > 1) {
      throw new TopologyError(
        `${what} needs co-partitioned inputs, but its repartition topics have different partition counts (${[...counts].map(([t, n]) => `${t}: ${n}`).join(', ')}); give both sides the same partition count`,
      );
    }
  });
}

/**
 * `keepNullKeys`: for a left or outer join (KIP-962), null keys pass the repartition topic on both sides, so the
 * join processor sees them, joins an outer side's record with null at once and counts the others as dropped.
 * Before an inner join they are dropped (silently) in front of the topic.
 */
function repartitionSide<K, V>(s: StreamState<K, V>, base: () => string, keySerde: Serde<any> | undefined, valueSerde: Serde<any> | undefined, keepNullKeys: boolean): string {
  if (!s.repartitionRequired) return s.node;
  return addRepartitionTopic(s.graph, s.node, { base: base(), keySerde, valueSerde, filterNullKeys: true, keepNullKeys }).sourceName;
}

/** @internal KStream-KStream join: windowed nodes, join processors per side, merge. Returns the merge node. */
export function streamStreamJoin(
  left: StreamState<any, any>,
  right: StreamState<any, any>,
  joiner: ValueJoiner<any, any, any, any>,
  windows: JoinWindows,
  type: StreamJoinType,
  options: StreamJoined<any, any, any>,
): string {
  const graph = left.graph;
  if (right.graph !== graph) throw new TopologyError('join(): the other stream belongs to another StreamsBuilder; streams of another StreamsBuilder cannot be joined');
  const keySerde = options.key ?? left.keySerde ?? right.keySerde;
  const leftSerde = options.value ?? left.valueSerde;
  const rightSerde = options.otherValue ?? right.valueSerde;
  const named = (suffix: string, prefix: string): string => (options.name === undefined ? graph.newProcessorName(prefix) : `${options.name}-${suffix}`);
  const leftParent = repartitionSide(left, () => `${options.name ?? graph.newProcessorName(P.joinThis)}-left`, keySerde, leftSerde, type !== 'inner');
  const rightParent = repartitionSide(right, () => `${options.name ?? graph.newProcessorName(P.joinOther)}-right`, keySerde, rightSerde, type !== 'inner');
  registerCopartitioning(graph, leftParent, rightParent, `stream-stream ${type} join`);

  const leftWindowName = named('this-windowed', P.windowed);
  const rightWindowName = named('other-windowed', P.windowed);
  const thisName = named(type === 'inner' ? 'this-join' : 'outer-this-join', type === 'outer' ? P.outerThis : P.joinThis);
  const otherName = named(type === 'inner' ? 'other-join' : 'outer-other-join', type === 'inner' ? P.joinOther : P.outerOther);
  const storeBase = options.storeName ?? options.name;
  const leftStore = storeBase === undefined ? `${thisName}-store` : `${storeBase}-this-join-store`;
  const rightStore = storeBase === undefined ? `${otherName}-store` : `${storeBase}-other-join-store`;
  const logging = options.logging ?? true;
  const windowSpec = (name: string, valueSerde: Serde<any> | undefined): WindowStoreSpec => ({
    type: 'window',
    name,
    keySerde,
    valueSerde,
    logging: logging && keySerde !== undefined && valueSerde !== undefined,
    retentionMs: windows.retentionMs,
    windowSizeMs: windows.sizeMs,
    retainDuplicates: true,
    timeOrdered: false,
    changelogConfig: windowedChangelogConfig(windows.retentionMs),
  });
  graph.addStore(windowSpec(leftStore, leftSerde));
  graph.addStore(windowSpec(rightStore, rightSerde));
  let outerStore: string | undefined;
  if (type !== 'inner') {
    outerStore = storeBase === undefined ? graph.newStoreName(P.outerShared).replace('STATE-STORE-', '') + '-store' : `${storeBase}-outer-shared-join-store`;
    const spec: KeyValueStoreSpec = {
      type: 'key-value',
      name: outerStore,
      keySerde: keySerde === undefined ? undefined : outerKeySerde(keySerde),
      // Pending non-joined records of both sides; logged so that a restored task still emits them.
      valueSerde: leftSerde === undefined || rightSerde === undefined ? undefined : outerValuesSerde(leftSerde, rightSerde),
      logging: logging && keySerde !== undefined && leftSerde !== undefined && rightSerde !== undefined,
    };
    graph.addStore(spec);
  }
  createStreamJoinWindowNode(graph, leftParent, leftWindowName, leftStore);
  createStreamJoinWindowNode(graph, rightParent, rightWindowName, rightStore);
  const common = { leftStoreName: leftStore, outerStoreName: outerStore, beforeMs: windows.beforeMs, afterMs: windows.afterMs, graceMs: windows.graceMs, joiner, keySerde };
  createStreamStreamJoinNode(graph, leftWindowName, thisName, { ...common, leftSide: true, outer: type !== 'inner', otherStoreName: rightStore });
  createStreamStreamJoinNode(graph, rightWindowName, otherName, { ...common, leftSide: false, outer: type === 'outer', otherStoreName: leftStore });
  return createMergeNode(graph, [thisName, otherName], options.name === undefined ? graph.newProcessorName(P.merge) : `${options.name}-merge`).name;
}

/** @internal KStream-KTable join. */
export function streamTableJoin(stream: StreamState<any, any>, table: TableState<any, any>, joiner: ValueJoiner<any, any, any, any>, left: boolean, options: Joined<any, any>): string {
  const graph = stream.graph;
  if (table.graph !== graph) throw new TopologyError('join(): the table belongs to another StreamsBuilder');
  const name = options.name ?? graph.newProcessorName(left ? P.streamTableLeftJoin : P.streamTableJoin);
  const tableGetter = lookupGetterOf(graph, table, `stream-table ${left ? 'left ' : ''}join ${name}`);
  const parent = repartitionSide(stream, () => name, options.key ?? stream.keySerde ?? table.keySerde, options.value ?? stream.valueSerde, left);
  registerCopartitioning(graph, parent, table.node, `stream-table join ${name}`);
  return createStreamTableJoinNode(graph, parent, name, { table: tableGetter, left, joiner, keySelector: undefined }, false).name;
}

/** @internal KStream-GlobalKTable join: no co-partitioning, no repartition. */
export function streamGlobalTableJoin(
  stream: StreamState<any, any>,
  table: GlobalTableState<any, any>,
  keySelector: (key: any, value: any) => unknown,
  joiner: ValueJoiner<any, any, any, any>,
  left: boolean,
  name: string | undefined,
): string {
  const graph = stream.graph;
  if (table.graph !== graph) throw new TopologyError('join(): the global table belongs to another StreamsBuilder');
  const nodeName = name ?? graph.newProcessorName(left ? P.streamTableLeftJoin : P.streamTableJoin);
  return createStreamTableJoinNode(graph, stream.node, nodeName, { table: { kind: 'store', store: table.storeName }, left, joiner, keySelector }, true).name;
}

/** @internal KTable-KTable join: one processor per side reading the other's store, then a merge. */
export function tableTableJoin(left: TableState<any, any>, right: TableState<any, any>, joiner: ValueJoiner<any, any, any, any>, type: TableJoinType, name: string | undefined): string {
  const graph = left.graph;
  if (right.graph !== graph) throw new TopologyError('join(): the other table belongs to another StreamsBuilder');
  const [thisPrefix, otherPrefix] = type === 'inner' ? [P.tableJoinThis, P.tableJoinOther] : type === 'left' ? [P.tableLeftThis, P.tableLeftOther] : [P.tableOuterThis, P.tableOuterOther];
  const thisName = name === undefined ? graph.newProcessorName(thisPrefix) : `${name}-join-this`;
  const otherName = name === undefined ? graph.newProcessorName(otherPrefix) : `${name}-join-other`;
  const mergeName = name ?? graph.newProcessorName(P.tableMerge);
  const leftGetter = lookupGetterOf(graph, left, `table-table ${type} join`);
  const rightGetter = lookupGetterOf(graph, right, `table-table ${type} join`);
  // As Kafka does, a left join asks its left side for old values and an outer join both sides (not only source
  // tables): a delete then arrives as Change(null, old), which the join must not discard as a no-op.
  if (type !== 'inner') graph.requestOldValues(left.node);
  if (type === 'outer') graph.requestOldValues(right.node);
  registerCopartitioning(graph, left.node, right.node, `table-table ${type} join`);
  createTableTableJoinNode(graph, left.node, thisName, { join: type, leftSide: true, other: rightGetter, joiner });
  createTableTableJoinNode(graph, right.node, otherName, { join: type, leftSide: false, other: leftGetter, joiner });
  return createTableMergeNode(graph, [thisName, otherName], mergeName, { kind: 'join', join: type, left: leftGetter, right: rightGetter, joiner }).name;
}
