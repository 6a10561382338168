/**
 * Partition assigners. Kafka Streams style tasks: task p owns partition p of EVERY subscribed
 * topic (telemetry p and operator p are co-partitioned), so one member sees both inputs of a
 * partition and a single transactional producer can own all of p's outputs.
 */
import kafkajs from 'kafkajs';
import type { Assigner, Cluster, GroupMember, GroupMemberAssignment, PartitionAssigner } from 'kafkajs';

const { AssignerProtocol } = kafkajs;

/** Pure: spread task numbers over members round-robin in sorted member order (balanced to ±1). */
export function assignCoPartitioned(memberIds: string[], partitionsByTopic: Record<string, number[]>): Record<string, Record<string, number[]>> {
  const members = [...memberIds].sort();
  const taskNumbers = [...new Set(Object.values(partitionsByTopic).flat())].sort((a, b) => a - b);
  const result: Record<string, Record<string, number[]>> = {};
  for (const member of members) result[member] = {};
  if (members.length === 0) return result;
  taskNumbers.forEach((task, index) => {
    const owner = result[members[index % members.length]!]!;
    for (const [topic, partitions] of Object.entries(partitionsByTopic)) {
      if (!partitions.includes(task)) continue;
      (owner[topic] ??= []).push(task);
    }
  });
  return result;
}

function encodeAssignments(version: number, assignments: Record<string, Record<string, number[]>>): GroupMemberAssignment[] {
  return Object.entries(assignments).map(([memberId, assignment]) => ({
    memberId,
    memberAssignment: AssignerProtocol.MemberAssignment.encode({ version, assignment, userData: Buffer.alloc(0) }),
  }));
}

function protocolOf(name: string, version: number, topics: string[]) {
  return { name, metadata: AssignerProtocol.MemberMetadata.encode({ version, topics, userData: Buffer.alloc(0) }) };
}

function partitionsOf(cluster: Cluster, topics: string[]): Record<string, number[]> {
  const byTopic: Record<string, number[]> = {};
  for (const topic of topics) byTopic[topic] = cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId);
  return byTopic;
}

/** The processor's assigner: same partition numbers of all topics to the same member. */
export const CoPartitionedAssigner: PartitionAssigner = ({ cluster }): Assigner => ({
  name: 'ExoArmurCoPartitioned',
  version: 1,
  async assign({ members, topics }: { members: GroupMember[]; topics: string[] }) {
    await cluster.refreshMetadataIfNecessary();
    return encodeAssignments(
      1,
      assignCoPartitioned(
        members.map((m) => m.memberId),
        partitionsOf(cluster, topics),
      ),
    );
  },
  protocol({ topics }: { topics: string[] }) {
    return protocolOf('ExoArmurCoPartitioned', 1, topics);
  },
});

/**
 * For a private reader (state restore, inspect --partition): every member of its throwaway group
 * gets exactly the listed partitions. kafkajs has no assign() without a group; this is how a
 * group consumer reads chosen partitions only.
 */
export function fixedPartitionsAssigner(partitions: number[]): PartitionAssigner {
  return ({ cluster }): Assigner => ({
    name: 'ExoArmurFixedPartitions',
    version: 1,
    async assign({ members, topics }: { members: GroupMember[]; topics: string[] }) {
      await cluster.refreshMetadataIfNecessary();
      const byTopic = partitionsOf(cluster, topics);
      const assignments: Record<string, Record<string, number[]>> = {};
      for (const member of members) {
        assignments[member.memberId] = Object.fromEntries(Object.entries(byTopic).map(([topic, all]) => [topic, all.filter((p) => partitions.includes(p))]));
      }
      return encodeAssignments(1, assignments);
    },
    protocol({ topics }: { topics: string[] }) {
      return protocolOf('ExoArmurFixedPartitions', 1, topics);
    },
  });
}
