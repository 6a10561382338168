/**
 * ExoArmur's topics (DESIGN §1) and the idempotent provisioning of them. Existing topics are
 * checked, never altered: a drifted partition count or cleanup policy would silently break
 * co-partitioning or compaction, so it is an error the operator resolves.
 */
import type { Admin, Kafka } from 'kafkajs';
import { DEFAULT_TOPIC_NAMES } from '../config/defaults.js';
import type { Topics } from '../config/types.js';
import { ExoArmurError, TopicDriftError } from '../errors.js';
import { groupProgressVia } from './offsets.js';

/** A topic's key in the config's `topics` (the one topic vocabulary). */
export type TopicKey = keyof Topics;

/** The topic keys in DESIGN §1 order. */
export const TOPIC_KEYS: readonly TopicKey[] = ['telemetry', 'operator_actions', 'config', 'audit', 'execute', 'state', 'dlq', 'results', 'actuator_state'];

export const DEFAULT_PARTITIONS = 3;

/**
 * Largest record batch the input topics accept. Above the broker default (1 MiB) so an oversized
 * telemetry value (the codec rejects anything over 1 MiB) still reaches the processor, where it
 * becomes a receipt and a dead letter instead of a failed send the sensor alone would see.
 */
export const INPUT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * Largest record batch the output topics accept. An output is built from one input: a dead letter
 * holds the input key (up to the input limit) and at most 768 KiB of its value; audit and state
 * records repeat fields of a valid event (at most 1 MiB) a few times. Twice the input limit covers
 * every such record, so no output can be refused as too large and stall its partition.
 */
export const OUTPUT_MAX_MESSAGE_BYTES = 2 * INPUT_MAX_MESSAGE_BYTES;

/** What the processor's consumer fetches per partition: one whole record batch of the largest input. */
export const INPUT_FETCH_BYTES_PER_PARTITION = INPUT_MAX_MESSAGE_BYTES + 64 * 1024;

export type CleanupPolicy = 'delete' | 'compact';

export interface TopicSpec {
  /** The config key naming the topic: a `topics` key, or `checkpoints` for `checkpoints.topic`. */
  role: TopicKey | 'checkpoints';
  name: string;
  partitions: number;
  cleanupPolicy: CleanupPolicy;
  /** Topic configs set at creation, cleanup.policy included. */
  configs: Readonly<Record<string, string>>;
  /** The smallest max.message.bytes the topic may have (checked on existing topics); none for the config topic. */
  minMaxMessageBytes: number | null;
}

export interface TopicNameOptions {
  /** Prepended to every default name (e.g. a per-test or per-run prefix). */
  prefix?: string;
  /** Replaces the name of a role outright; the prefix does not apply to an override. */
  overrides?: Partial<Topics>;
}

export interface TopicSpecOptions extends TopicNameOptions {
  /** The shared partition count of the co-partitioned topics (DESIGN §1). */
  partitions?: number;
  /** Further telemetry input topics (the config's `inputs`), provisioned and co-partitioned like telemetry. */
  extraTelemetry?: readonly string[];
}

/** The topics under a prefix, from the defaults table (processor/config/defaults.ts), with overrides. */
export function topicNames(options: TopicNameOptions = {}): Required<Topics> {
  const prefix = options.prefix ?? '';
  const names = {} as Required<Topics>;
  for (const key of TOPIC_KEYS) names[key] = options.overrides?.[key] ?? `${prefix}${DEFAULT_TOPIC_NAMES[key]}`;
  return names;
}

export function topicSpecs(options: TopicSpecOptions = {}): TopicSpec[] {
  const partitions = options.partitions ?? DEFAULT_PARTITIONS;
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new RangeError(`partition count must be a positive integer, got ${partitions}`);
  }
  const names = topicNames(options);
  const spec = (role: TopicKey, count: number, cleanupPolicy: CleanupPolicy, maxMessageBytes: number | null, extra: Record<string, string> = {}): TopicSpec => ({
    role,
    name: names[role],
    partitions: count,
    cleanupPolicy,
    configs: { 'cleanup.policy': cleanupPolicy, ...(maxMessageBytes === null ? {} : { 'max.message.bytes': String(maxMessageBytes) }), ...extra },
    minMaxMessageBytes: maxMessageBytes,
  });
  const telemetry = spec('telemetry', partitions, 'delete', INPUT_MAX_MESSAGE_BYTES);
  return [
    telemetry,
    ...(options.extraTelemetry ?? []).map((name) => ({ ...telemetry, name })),
    spec('operator_actions', partitions, 'delete', INPUT_MAX_MESSAGE_BYTES),
    // One partition: config snapshots are few, keyed by hash, and read whole by replay.
    spec('config', 1, 'compact', null),
    // The audit trail never expires by default: it is the record a cold reviewer replays.
    spec('audit', partitions, 'delete', OUTPUT_MAX_MESSAGE_BYTES, { 'retention.ms': '-1' }),
    spec('execute', partitions, 'delete', OUTPUT_MAX_MESSAGE_BYTES),
    spec('state', partitions, 'compact', OUTPUT_MAX_MESSAGE_BYTES),
    spec('dlq', partitions, 'delete', OUTPUT_MAX_MESSAGE_BYTES),
    // Actuators write each result to its intent's partition: a co-partitioned input of the processor.
    spec('results', partitions, 'delete', INPUT_MAX_MESSAGE_BYTES),
    // The actuator's dedupe state, one entry per intent, restored like the processor's state.
    spec('actuator_state', partitions, 'compact', OUTPUT_MAX_MESSAGE_BYTES),
  ];
}

/**
 * The signed-checkpoint topic (config `checkpoints.topic`, only when a checkpoint key is
 * configured): co-partitioned with the audit topic, compacted, keyed by partition, so its latest
 * record per partition is that partition's newest signed tree head.
 */
export function checkpointTopicSpec(name: string, partitions: number): TopicSpec {
  return {
    role: 'checkpoints',
    name,
    partitions,
    cleanupPolicy: 'compact',
    configs: { 'cleanup.policy': 'compact', 'max.message.bytes': String(OUTPUT_MAX_MESSAGE_BYTES) },
    minMaxMessageBytes: OUTPUT_MAX_MESSAGE_BYTES,
  };
}

export interface EnsureTopicsReport {
  created: string[];
  unchanged: string[];
}

const TOPIC_RESOURCE = 2; // kafkajs ConfigResourceTypes.TOPIC

/**
 * Creates every missing topic, then checks every topic of `specs` against the broker.
 * Equal topics are left alone; the first drift found throws a TopicDriftError naming it.
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<EnsureTopicsReport> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.name));
  if (missing.length > 0) {
    // createTopics treats "already exists" as success, so a concurrent ensure is harmless;
    // the check below then judges whatever the other creator made.
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((spec) => ({
        topic: spec.name,
        numPartitions: spec.partitions,
        configEntries: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
      })),
    });
  }
  await waitForTopics(
    admin,
    specs.map((spec) => spec.name),
  );
  await checkTopics(admin, specs);
  const created = missing.map((spec) => spec.name);
  return { created, unchanged: specs.map((spec) => spec.name).filter((name) => !created.includes(name)) };
}

/**
 * Waits until every partition of `names` has a leader in the metadata AND that leader serves it
 * (ListOffsets answers). kafkajs's own waitForLeaders gives up on UNKNOWN_TOPIC_OR_PARTITION, which a
 * KRaft broker answers for a moment after CreateTopics returns; on a loaded 3-node cluster the
 * metadata already names a leader that still answers "This server does not host this
 * topic-partition" (seen at a soak's start), so this polls through both.
 */
export async function waitForTopics(admin: Admin, names: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [...names] });
      const ready = names.every((name) => {
        const partitions = topics.find((topic) => topic.name === name)?.partitions ?? [];
        return partitions.length > 0 && partitions.every((partition) => partition.leader >= 0);
      });
      if (ready) {
        for (const name of names) await admin.fetchTopicOffsets(name);
        return;
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new ExoArmurError('TOPICS_NOT_READY', `topics ${names.join(', ')} have no leader serving them after ${timeoutMs} ms: check the broker's log`, {
        retriable: true,
        cause: lastError,
      });
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
  }
}

/**
 * Throws a TopicDriftError for the first topic whose partitions or cleanup.policy differ from its
 * spec, or whose max.message.bytes is below the spec's (a larger limit is harmless).
 */
export async function checkTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<void> {
  if (specs.length === 0) return;
  const names = specs.map((spec) => spec.name);
  const metadata = await admin.fetchTopicMetadata({ topics: names });
  const partitionCounts = new Map(metadata.topics.map((topic) => [topic.name, topic.partitions.length]));
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: names.map((name) => ({ type: TOPIC_RESOURCE, name, configNames: ['cleanup.policy', 'max.message.bytes'] })),
  });
  const configOf = (name: string, configName: string): string =>
    described.resources.find((resource) => resource.resourceName === name)?.configEntries.find((entry) => entry.configName === configName)?.configValue ?? '';
  for (const spec of specs) {
    const partitions = partitionCounts.get(spec.name);
    if (partitions !== spec.partitions) {
      throw new TopicDriftError(spec.name, 'partitions', String(spec.partitions), String(partitions ?? 'missing'));
    }
    const policy = configOf(spec.name, 'cleanup.policy');
    if (policy !== spec.cleanupPolicy) {
      throw new TopicDriftError(spec.name, 'cleanup.policy', spec.cleanupPolicy, policy);
    }
    const maxMessageBytes = configOf(spec.name, 'max.message.bytes');
    if (spec.minMaxMessageBytes !== null && !(Number(maxMessageBytes) >= spec.minMaxMessageBytes)) {
      throw new TopicDriftError(spec.name, 'max.message.bytes', `>=${spec.minMaxMessageBytes}`, maxMessageBytes || 'unknown', {
        fix: `raise it with kafka-configs.sh --alter --entity-type topics --entity-name ${spec.name} --add-config max.message.bytes=${spec.minMaxMessageBytes}`,
      });
    }
  }
}

/** What the broker says about one topic: partitions, the storage configs that matter, offsets. */
export interface TopicFacts {
  partitions: number;
  configs: Record<string, string>;
  offsets: Array<{ partition: number; log_start: string; log_end: string }>;
}

export interface StorageFacts {
  topics: Record<string, TopicFacts>;
  committed: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
}

const STORAGE_CONFIGS = ['cleanup.policy', 'retention.ms', 'min.insync.replicas'];

/** The storage facts of `names` and the group's committed offsets on `inputs` (the bundle's storage_state.json). */
export async function topicStorage(kafka: Kafka, names: string[], groupId: string, inputs: string[]): Promise<StorageFacts> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: names });
    const configs = await admin.describeConfigs({ includeSynonyms: false, resources: names.map((name) => ({ type: 2, name })) });
    // The one reader of group offsets (offsets.ts): an answer short of a partition is asked again, never reported short.
    const progress = await groupProgressVia(admin, groupId, inputs);
    const committed = inputs.map((topic) => ({
      topic,
      partitions: progress.filter((row) => row.topic === topic).map((row) => ({ partition: row.partition, offset: row.committed === null ? '-1' : String(row.committed) })),
    }));
    const topics: Record<string, TopicFacts> = {};
    for (const name of names) {
      // An input topic's watermarks came with the group's progress; only the other topics are asked.
      const offsets = inputs.includes(name)
        ? progress.filter((row) => row.topic === name).map((row) => ({ partition: row.partition, low: String(row.low), high: String(row.high) }))
        : await admin.fetchTopicOffsets(name);
      const described = configs.resources.find((r) => r.resourceName === name);
      topics[name] = {
        partitions: metadata.topics.find((t) => t.name === name)?.partitions.length ?? 0,
        configs: Object.fromEntries((described?.configEntries ?? []).filter((e) => STORAGE_CONFIGS.includes(e.configName)).map((e) => [e.configName, e.configValue])),
        offsets: offsets.sort((a, b) => a.partition - b.partition).map((o) => ({ partition: o.partition, log_start: o.low, log_end: o.high })),
      };
    }
    return { topics, committed };
  } finally {
    await admin.disconnect();
  }
}

/** One partition's replication as the cluster reports it: its leader, its replicas and the in-sync ones. */
export interface PartitionReplicas {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
}

/** Which broker leads a topic-partition, as the cluster said when asked; undefined when not known. */
export type LeaderOf = (topic: string, partition: number) => number | undefined;

/** The leaders of every partition of `names`, as one lookup (a writer groups its sends by them). */
export async function partitionLeaders(kafka: Kafka, names: string[]): Promise<LeaderOf> {
  const leaders = new Map<string, number>();
  for (const { topic, partition, leader } of await partitionReplicas(kafka, names)) if (leader >= 0) leaders.set(`${topic}/${partition}`, leader);
  return (topic, partition) => leaders.get(`${topic}/${partition}`);
}

/** The replication of every partition of `names` (a cluster's leaders and in-sync replicas). */
export async function partitionReplicas(kafka: Kafka, names: string[]): Promise<PartitionReplicas[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: names });
    return metadata.topics.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId, leader: p.leader, replicas: [...p.replicas].sort(), isr: [...p.isr].sort() })),
    );
  } finally {
    await admin.disconnect();
  }
}
