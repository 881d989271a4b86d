import { ConfigError } from '../errors.js';
import type { NewTopic } from '../kafka/port.js';
import { internalTopicName } from '../graph/naming.js';
import type { Topology } from '../graph/topology.js';
import { changelogTopicName } from '../state/state-store.js';
import type { StoreSpec, StoreType } from '../state/store-spec.js';
import type { SubtopologyTopics } from './copartition-assignor.js';

/** Window and session changelogs keep this much beyond the store's retention (Kafka's default). */
export const WINDOWED_CHANGELOG_ADDITIONAL_RETENTION_MS = 86_400_000;

/**
 * Topic configs of a store's changelog. Key-value: compacted. Window and session stores (specs carrying
 * `retentionMs`) are `compact,delete` with retention = store retention + 1 day, as Kafka Streams creates them.
 */
const changelogConfigs: { readonly [T in StoreType]: (spec: Extract<StoreSpec, { type: T }>) => { [name: string]: string } } = {
  'key-value': () => ({ 'cleanup.policy': 'compact', 'message.timestamp.type': 'CreateTime' }),
  window: (spec) => ({ ...spec.changelogConfig }),
  session: (spec) => ({ ...spec.changelogConfig }),
};

export function changelogConfigsFor(spec: StoreSpec): { [name: string]: string } {
  const retentionMs = (spec as { retentionMs?: number }).retentionMs;
  if (retentionMs !== undefined) {
    return { 'cleanup.policy': 'compact,delete', 'retention.ms': String(retentionMs + WINDOWED_CHANGELOG_ADDITIONAL_RETENTION_MS), 'message.timestamp.type': 'CreateTime' };
  }
  return changelogConfigs[spec.type](spec as never);
}

/** Configs of a repartition topic: deleted records, no time-based retention (purged after commit). */
export const REPARTITION_TOPIC_CONFIGS = Object.freeze({
  'cleanup.policy': 'delete',
  'retention.ms': '-1',
  'segment.bytes': '52428800',
  'message.timestamp.type': 'CreateTime',
});

/** Everything the runtime derives from a topology and the partition counts of its user topics. */
export interface TopicPlan {
  /** Input topics (full names) of each task-creating sub-topology. */
  readonly subtopologies: readonly SubtopologyTopics[];
  /** Internal topics to create: repartition topics and changelogs. */
  readonly internalTopics: readonly NewTopic[];
  /** Full names of the repartition topics. */
  readonly repartitionTopics: readonly string[];
  /** Every topic the consumer subscribes to. */
  readonly sourceTopics: readonly string[];
}

/**
 * Resolves the partition count of every repartition topic (from Repartitioned, else the max count of the
 * input topics of the sub-topology writing it, recursively) and of every changelog (the partition count of
 * its sub-topology), and lists the topics to create.
 *
 * @throws ConfigError when a user source topic does not exist.
 */
export function planTopics(topology: Topology, applicationId: string, userTopicCounts: ReadonlyMap<string, number>): TopicPlan {
  const fullName = (topic: string, internal: boolean): string => (internal ? internalTopicName(applicationId, topic) : topic);
  const taskSubtopologies = topology.taskSubtopologies;
  const counts = new Map<string, number>(userTopicCounts);
  for (const s of taskSubtopologies) {
    for (const source of s.sourceTopics) {
      if (!source.internal && !counts.has(source.topic)) {
        throw new ConfigError(`source topic ${source.topic} does not exist; create it before starting the application ${applicationId}`);
      }
    }
  }
  const repartitionSpecs = new Map(topology.repartitionTopics.map((r) => [r.topic, r]));
  const writerOf = new Map<string, number>();
  for (const s of taskSubtopologies) {
    for (const name of s.nodeNames) {
      const node = topology.node(name);
      if (node.kind === 'Sink' && node.internal && typeof node.topic === 'string') writerOf.set(node.topic, s.id);
    }
  }
  const resolving = new Set<string>();
  const repartitionCount = (topic: string): number => {
    const full = fullName(topic, true);
    const known = counts.get(full);
    if (known !== undefined) return known;
    const explicit = repartitionSpecs.get(topic)?.partitions;
    if (explicit !== undefined) {
      counts.set(full, explicit);
      return explicit;
    }
    if (resolving.has(topic)) throw new ConfigError(`cannot resolve the partition count of repartition topic ${topic}: it depends on itself; set it with Repartitioned`);
    resolving.add(topic);
    const writer = writerOf.get(topic);
    const s = writer === undefined ? undefined : taskSubtopologies.find((x) => x.id === writer);
    const n = s === undefined ? 1 : subtopologyCount(s.sourceTopics);
    counts.set(full, n);
    return n;
  };
  const subtopologyCount = (sources: readonly { topic: string; internal: boolean }[]): number =>
    Math.max(1, ...sources.map((src) => (src.internal ? repartitionCount(src.topic) : counts.get(src.topic)!)));

  const internalTopics: NewTopic[] = [];
  const repartitionTopics: string[] = [];
  for (const r of topology.repartitionTopics) {
    const partitions = repartitionCount(r.topic);
    const topic = fullName(r.topic, true);
    repartitionTopics.push(topic);
    internalTopics.push({ topic, partitions, configs: REPARTITION_TOPIC_CONFIGS });
  }
  const subtopologies: SubtopologyTopics[] = [];
  for (const s of taskSubtopologies) {
    const partitions = subtopologyCount(s.sourceTopics);
    subtopologies.push({ subtopology: s.id, topics: s.sourceTopics.map((src) => fullName(src.topic, src.internal)) });
    for (const storeName of s.stores) {
      const spec = topology.stores.get(storeName)!;
      if (!spec.logging) continue;
      internalTopics.push({ topic: changelogTopicName(applicationId, storeName), partitions, configs: changelogConfigsFor(spec) });
    }
  }
  const sourceTopics = [...new Set(subtopologies.flatMap((s) => s.topics))];
  return { subtopologies, internalTopics, repartitionTopics, sourceTopics };
}
