import type { GraphBuilder } from '../../graph/graph-builder.js';
import { Prefix, repartitionTopicName } from '../../graph/naming.js';
import type { Serde } from '../../serde/serde.js';
import type { StreamPartitioner } from '../types.js';
import { createFilterNode } from './filter.js';
import { createSinkNode } from './sink.js';
import { createSourceNode } from './source.js';

export interface RepartitionOptions {
  /** Base of the topic name: the topic is `<applicationId>-<base>-repartition`. */
  readonly base: string;
  readonly keySerde: Serde<any> | undefined;
  readonly valueSerde: Serde<any> | undefined;
  /** Drop null keys before the sink (all key-dependent stateful operators want this). */
  readonly filterNullKeys: boolean;
  /**
   * With `filterNullKeys`: the filter node stays (generated names and describe() as Kafka's) but lets null keys
   * through, for a left or outer join downstream that accepts them (KIP-962).
   */
  readonly keepNullKeys?: boolean;
  readonly partitioner?: StreamPartitioner<any, any> | undefined;
  /** Partition count from Repartitioned; undefined = the max of the upstream source topics. */
  readonly partitions?: number | undefined;
  /** Names taken earlier by the caller (KGroupedTable takes them before its processor name). */
  readonly sinkName?: string;
  readonly sourceName?: string;
}

/** A repartition topic the runtime must create. */
export interface RepartitionTopicSpec {
  readonly topic: string;
  readonly partitions: number | undefined;
}

/**
 * Inserts the repartition path `[null-key filter] -> sink -> topic -> source` after `parent` and returns
 * the new source's name. Generated names are taken in Kafka Streams' order: sink, filter, source.
 */
export function addRepartitionTopic(builder: GraphBuilder, parent: string, options: RepartitionOptions): { readonly sourceName: string; readonly topic: string } {
  const topic = repartitionTopicName(options.base);
  const sinkName = options.sinkName ?? builder.newProcessorName(Prefix.sink);
  let sinkParent = parent;
  if (options.filterNullKeys) {
    sinkParent = createFilterNode(builder, parent, options.keepNullKeys === true ? anyKey : isNonNullKey, false, builder.newProcessorName(Prefix.filter)).name;
    if (options.keepNullKeys !== true) {
      let filters = nullKeyFilters.get(builder);
      if (filters === undefined) nullKeyFilters.set(builder, (filters = new Set()));
      filters.add(sinkParent);
    }
  }
  const sourceName = options.sourceName ?? builder.newProcessorName(Prefix.source);
  createSinkNode(builder, sinkParent, {
    name: sinkName,
    topic,
    keySerde: options.keySerde,
    valueSerde: options.valueSerde,
    partitioner: options.partitioner,
    internal: true,
  });
  createSourceNode(builder, { name: sourceName, topics: [topic], keySerde: options.keySerde, valueSerde: options.valueSerde, internal: true });
  builder.repartitionTopics.set(topic, { topic, partitions: options.partitions });
  return { sourceName, topic };
}

function isNonNullKey(key: unknown): boolean {
  return key !== null && key !== undefined;
}

function anyKey(): boolean {
  return true;
}

/** The null-key filters of each builder's repartition paths that drop null keys (see keepNullKeysBeforeLeftJoins). */
const nullKeyFilters = new WeakMap<GraphBuilder, Set<string>>();

/**
 * At build time, a repartition path with a left or outer stream join anywhere downstream (a stream-table or
 * stream-globalTable left join, either side of a stream-stream left / outer join) lets null keys through,
 * as Kafka Streams 4 does (KIP-962): a key-dependent operator in between (an aggregation) then drops and counts
 * them as dropped records, where the filter used to drop them silently. Checked against Kafka Streams 4.3.1 by the
 * composed scenarios `groupby-null-key-before-left-join*` (test/conformance/scenarios/composed).
 */
export function keepNullKeysBeforeLeftJoins(builder: GraphBuilder): void {
  const filters = nullKeyFilters.get(builder);
  if (filters === undefined || filters.size === 0) return;
  const children = new Map<string, string[]>();
  const readers = new Map<string, string[]>();
  for (const node of builder.nodes.values()) {
    for (const parent of node.parents) {
      let list = children.get(parent);
      if (list === undefined) children.set(parent, (list = []));
      list.push(node.name);
    }
    if (node.kind === 'Source') {
      for (const topic of (node as unknown as { topics: readonly string[] }).topics) {
        let list = readers.get(topic);
        if (list === undefined) readers.set(topic, (list = []));
        list.push(node.name);
      }
    }
  }
  const leftJoinDownstream = (start: string): boolean => {
    const seen = new Set<string>();
    const stack = [start];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const node = builder.nodes.get(name);
      if (node === undefined) continue;
      if (node.kind === 'StreamTableJoin' && (node as unknown as { left: boolean }).left) return true;
      // Either side of a stream-stream left or outer join (both have the shared store of non-joined records).
      if (node.kind === 'StreamStreamJoin' && (node as unknown as { outerStoreName: string | undefined }).outerStoreName !== undefined) return true;
      stack.push(...(children.get(name) ?? []));
      // A repartition sink's records come back through the sources of its topic.
      if (node.kind === 'Sink') stack.push(...(readers.get(String((node as unknown as { topic: unknown }).topic)) ?? []));
    }
    return false;
  };
  for (const name of filters) {
    const node = builder.nodes.get(name);
    if (node?.kind !== 'Filter' || !leftJoinDownstream(name)) continue;
    builder.nodes.set(name, Object.freeze({ ...node, predicate: anyKey }));
    filters.delete(name);
  }
}
