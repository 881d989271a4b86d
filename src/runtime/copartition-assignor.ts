import type { GroupMember, PartitionAssignor, TopicPartition } from '../kafka/port.js';
import type { TaskId } from '../processor/processor.js';

/** The input topics (full names) of one task-creating sub-topology. */
export interface SubtopologyTopics {
  readonly subtopology: number;
  readonly topics: readonly string[];
}

/** Tasks of a topology for the given partition counts: (sub-topology, p) for p below its max topic count. */
export function tasksFor(subtopologies: readonly SubtopologyTopics[], partitionCounts: ReadonlyMap<string, number>): TaskId[] {
  const tasks: TaskId[] = [];
  for (const s of subtopologies) {
    const n = Math.max(0, ...s.topics.map((t) => partitionCounts.get(t) ?? 0));
    for (let partition = 0; partition < n; partition++) tasks.push({ subtopology: s.subtopology, partition });
  }
  return tasks;
}

/**
 * Co-partitioning assignment: a task (sub-topology s, partition p) goes to one member, which gets partition
 * p of every source topic of s. Members are ordered by their instance id (then member id), tasks by
 * sub-topology then partition, and dealt round-robin: each sub-topology is spread evenly, and the same set of instances
 * always gets the same tasks, so a restarted instance gets its tasks back.
 *
 * @returns member id -> topic partitions
 */
export function assignCopartitioned(
  members: readonly { memberId: string; instanceId: string }[],
  subtopologies: readonly SubtopologyTopics[],
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, TopicPartition[]> {
  const result = new Map<string, TopicPartition[]>(members.map((m) => [m.memberId, []]));
  if (members.length === 0) return result;
  const ordered = [...members].sort((a, b) => (a.instanceId === b.instanceId ? cmp(a.memberId, b.memberId) : cmp(a.instanceId, b.instanceId)));
  const topicsOf = new Map(subtopologies.map((s) => [s.subtopology, s.topics]));
  const tasks = tasksFor(subtopologies, partitionCounts).sort((a, b) => a.subtopology - b.subtopology || a.partition - b.partition);
  tasks.forEach((task, i) => {
    const member = ordered[i % ordered.length]!;
    const list = result.get(member.memberId)!;
    for (const topic of topicsOf.get(task.subtopology)!) {
      if (task.partition < (partitionCounts.get(topic) ?? 0)) list.push({ topic, partition: task.partition });
    }
  });
  return result;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The assignor the runtime installs in its consumer; members advertise their instance id as user data. */
export function copartitionAssignor(instanceId: string, subtopologies: readonly SubtopologyTopics[]): PartitionAssignor {
  return {
    name: 'tributary-copartition',
    userData: () => Buffer.from(instanceId, 'utf8'),
    assign: (members: readonly GroupMember[], counts) =>
      assignCopartitioned(
        members.map((m) => ({ memberId: m.memberId, instanceId: m.userData.toString('utf8') })),
        subtopologies,
        counts,
      ),
  };
}

/** The task a topic partition belongs to. */
export function taskOf(subtopologies: readonly SubtopologyTopics[], tp: TopicPartition): TaskId | undefined {
  for (const s of subtopologies) if (s.topics.includes(tp.topic)) return { subtopology: s.subtopology, partition: tp.partition };
  return undefined;
}
