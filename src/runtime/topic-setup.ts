import type { Topology } from '../graph/topology.js';
import type { AdminPort } from '../kafka/port.js';
import { planTopics, type TopicPlan } from './internal-topics.js';

/** The internal topics of an application, created, and the partition counts its partitioners are told. */
export interface TopicSetup {
  readonly plan: TopicPlan;
  /** Full topic name to partition count: internal topics as planned, fixed output topics as the broker reports them. */
  readonly partitionCounts: Map<string, number>;
}

/**
 * Plans the internal topics from the partition counts of the user's source topics, creates them, and reads
 * the partition counts of the output topics. A StreamPartitioner is told the partition count of the topic it
 * partitions for, as in Kafka Streams; a topic chosen per record by a TopicNameExtractor, or not created yet,
 * stays unknown here (the partitioner gets -1).
 *
 * @example
 * const { plan, partitionCounts } = await setUpTopics(topology, 'word-count', admin);
 */
export async function setUpTopics(topology: Topology, applicationId: string, admin: AdminPort): Promise<TopicSetup> {
  const userTopics = [...new Set(topology.taskSubtopologies.flatMap((s) => s.sourceTopics.filter((t) => !t.internal).map((t) => t.topic)))];
  const plan = planTopics(topology, applicationId, await admin.partitionCounts(userTopics));
  await admin.createTopics(plan.internalTopics);
  const outputTopics = [...new Set([...topology.nodes.values()].flatMap((n) => (n.kind === 'Sink' && !n.internal && typeof n.topic === 'string' ? [n.topic] : [])))];
  const partitionCounts = new Map([...(await admin.partitionCounts(outputTopics)), ...plan.internalTopics.map((t) => [t.topic, t.partitions] as const)]);
  return { plan, partitionCounts };
}
