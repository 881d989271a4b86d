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
