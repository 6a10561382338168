/**
 * A task owns input partition p of both input topics, its local state store and its transactional
 * producer. Its life: fence the previous owner, bring p's store up to the end of the changelog
 * (from its checkpoint, or in full), read the group's committed offsets for p — only then process.
 * A chunk's state changes reach the store only after its Kafka transaction committed. Any failure
 * while processing discards the whole task (the cache may hold applied-but-uncommitted changes);
 * the runner builds a new one, which re-fences, re-restores and re-seeks, so what the core reads
 * is always exactly the committed changelog.
 */
import type { Kafka, KafkaMessage, Message } from 'kafkajs';
import type { Logger } from 'pino';
import type { InputTopic } from '../config/inputs.js';
import type { InputSpec } from '../config/types.js';
import type { InputSource, OutputRole, Primitives } from '../core/api.js';
import type { CheckpointSigner } from '../core/checkpoint.js';
import type { MerkleFrontier } from '../core/merkle.js';
import { driveBatch } from '../engine/batch.js';
import { summarizeDecisions, type DecisionSummary } from '../engine/decision-summary.js';
import { restoreTree } from './checkpoint-tree.js';
import type { CoreConfig, Topics } from '../config/index.js';
import { InvariantError } from '../errors.js';
import { restoreStore } from './restore.js';
import { groupProgress } from '../io/offsets.js';
import { partitionLeaders } from '../io/topics.js';
import { encodeRecord } from '../codec/index.js';
import { stateKeys, stateRecord } from '../core/index.js';
import { resumePoint } from './resume.js';
import { StoreStateCache } from './state-cache.js';
import { taskStoreDir, type StoreEntry, type TaskStore } from './state-store.js';
import { positionKey, type TopicMessages } from './send-plan.js';
import { TransactionalWriter, type InputOffsets, type ProcessingGuarantee } from './transactions.js';
import { toShellError } from '../io/kafka-errors.js';
import { logEvent } from '../log-events.js';

export interface TaskDeps {
  kafka: Kafka;
  /** What the core decides with (never the deployment config: brokers and secrets stay in the shell). */
  core: CoreConfig;
  primitives: Primitives;
  appId: string;
  groupId: string;
  topics: Topics;
  /** Every input topic with its source (config/inputs.ts): each is seeked and committed. */
  inputTopics: readonly InputTopic[];
  /** The telemetry input table (config `inputs`): how each telemetry topic's records decode. */
  inputSpecs: Readonly<Record<string, InputSpec>> | undefined;
  guarantee: ProcessingGuarantee;
  /** The shell's clock: `process_time` of each consumed record. */
  now: () => Date;
  commitOffsets: (offsets: InputOffsets) => Promise<void>;
  /** Root of the local state stores (`<stateDir>/<app id>/<partition>`); default DEFAULT_STATE_DIR. */
  stateDir?: string;
  /** With a checkpoint key: where each transaction's signed checkpoint goes, and the signer. */
  checkpoints: { topic: string; signer: CheckpointSigner } | null;
}

/** Where state stores live unless `--state-dir` says otherwise (relative to the working directory). */
export const DEFAULT_STATE_DIR = '.exoarmur/state';

/**
 * kafkajs encodes a string header with Buffer.byteLength and a utf8 write per record; the schema
 * headers are the same few objects (one per schema, codec/avro.ts), so their Buffer form is made once.
 */
const headerBuffers = new WeakMap<Record<string, string>, Record<string, Buffer>>();

function asBuffers(headers: Record<string, string>): Record<string, Buffer> {
  let buffers = headerBuffers.get(headers);
  if (buffers === undefined) {
    buffers = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Buffer.from(value, 'utf8')]));
    headerBuffers.set(headers, buffers);
  }
  return buffers;
}

export interface ChunkStats {
  inputs: number;
  outputs: Record<OutputRole, number>;
  firstOffset: string;
  lastOffset: string;
  transactionMs: number;
  /** What the batch decided (receipts, verdicts, dead letters, approvals), for the batch_committed log line. */
  decisions: DecisionSummary;
}

/**
 * The next offset per input topic for one partition: the later of the group's committed offset
 * (or the log start, when it never committed) and the task's changelog position (resume.ts).
 */
async function resumeOffsets(deps: TaskDeps, partition: number, state: StoreStateCache, logger: Logger): Promise<Record<string, string>> {
  const topics = deps.inputTopics.map((i) => i.topic);
  const rows = (await groupProgress(deps.kafka, deps.groupId, topics)).filter((row) => row.partition === partition);
  const next: Record<string, string> = {};
  for (const row of rows) {
    const stored = state.get(stateKeys.position(row.topic))?.position;
    const { offset, groupBehindBy } = resumePoint(row, stored === undefined || stored === null ? undefined : BigInt(stored.next_offset));
    if (groupBehindBy > 0n) {
      logger.warn(
        {
          ...logEvent('group_offset_behind_changelog'),
          topic: row.topic,
          group_committed: row.committed?.toString() ?? null,
          changelog_next: offset.toString(),
          records_not_reread: groupBehindBy.toString(),
        },
        'group offset behind the changelog position; resuming at the changelog position',
      );
    }
    next[row.topic] = offset.toString();
  }
  return next;
}

/** The changelog entry that records where this task stands on `topic` (written with the batch that moved it). */
function positionMessage(topic: string, partition: number, nextOffset: string): Message {
  const { value, headers } = encodeRecord('state', stateRecord('position', { topic, next_offset: Number(nextOffset) }));
  return { partition, key: stateKeys.position(topic), value, headers: asBuffers(headers) };
}

/** The offset after the chunk, or after the fetch when the chunk ends it (markers and aborted records follow). */
function nextInputOffset(messages: KafkaMessage[], fetchedThrough: string | undefined): string {
  const afterLast = BigInt(messages[messages.length - 1]!.offset) + 1n;
  const afterFetch = fetchedThrough === undefined ? afterLast : BigInt(fetchedThrough) + 1n;
  return (afterFetch > afterLast ? afterFetch : afterLast).toString();
}

export class Task {
  private constructor(
    readonly partition: number,
    private readonly deps: TaskDeps,
    private readonly writer: TransactionalWriter,
    /** The partition's state: exactly the committed changelog (plus, mid-chunk, that chunk's changes). */
    private readonly state: StoreStateCache,
    private readonly store: TaskStore,
    private readonly next: Record<string, string>,
    private readonly logger: Logger,
    /** The partition's Merkle tree so far (checkpoints only); like the cache, discarded with a failed task. */
    private readonly tree: { frontier: MerkleFrontier } | null,
  ) {}

  /** Fence, restore, read committed offsets, abort leftovers — in that order (DESIGN §3). */
  static async start(deps: TaskDeps, partition: number, logger: Logger, heartbeat: () => Promise<void>): Promise<Task> {
    // Its writer sends all of one broker's partitions together. A leader that moves later costs at worst a
    // redone batch (send-plan.ts, answerMismatches), and a failed batch rebuilds the task, which asks again.
    const { audit, execute, dlq, state } = deps.topics;
    const outputs = [...new Set([audit, execute, dlq, state, ...(deps.checkpoints === null ? [] : [deps.checkpoints.topic])])];
    const leaderOf = await partitionLeaders(deps.kafka, outputs).catch((error: unknown) => {
      throw toShellError(error, `reading the leaders of task ${partition}'s output partitions`, { partition });
    });
    const writer = new TransactionalWriter({
      kafka: deps.kafka,
      transactionalId: `${deps.appId}.${partition}`,
      guarantee: deps.guarantee,
      logger,
      commitOffsets: deps.commitOffsets,
      leaderOf,
    });
    await writer.open();
    try {
      const { store } = await restoreStore({
        kafka: deps.kafka,
        topic: deps.topics.state,
        partition,
        storeDir: taskStoreDir(deps.stateDir ?? DEFAULT_STATE_DIR, deps.appId, partition),
        groupPrefix: deps.appId,
        logger,
        heartbeat,
        nowMs: () => deps.now().getTime(),
      });
      try {
        const state = new StoreStateCache(store, deps.topics.state, partition);
        const tree =
          deps.checkpoints === null
            ? null
            : {
                frontier: await restoreTree({
                  kafka: deps.kafka,
                  checkpointTopic: deps.checkpoints.topic,
                  auditTopic: deps.topics.audit,
                  partition,
                  committedAuditRecords: state.get(stateKeys.meta(partition))?.meta?.next_seq ?? 0,
                  groupPrefix: deps.appId,
                  primitives: deps.primitives,
                  logger,
                  heartbeat,
                }),
              };
        const next = await resumeOffsets(deps, partition, state, logger);
        // Last before processing: what a previous transaction left hanging must not ride on this task's first commit.
        await writer.abortLeftovers(
          outputs.map((topic) => ({ topic, partition })),
          { consumerGroupId: deps.groupId, partition, next },
        );
        logger.info({ ...logEvent('task_ready'), next_offsets: next }, 'task ready');
        return new Task(partition, deps, writer, state, store, next, logger, tree);
      } catch (error) {
        await store.close();
        throw error;
      }
    } catch (error) {
      await writer.close();
      throw toShellError(error, `starting task ${partition}`, { partition });
    }
  }

  nextOffset(topic: string): string {
    const offset = this.next[topic];
    if (offset === undefined)
      throw new InvariantError('UNKNOWN_INPUT_TOPIC', `task ${this.partition} does not consume ${topic}`, { context: { topic, partition: this.partition } });
    return offset;
  }

  /**
   * Runs the core over consecutive records of one input topic and commits all outputs plus the
   * next input offset in one transaction. Throws on any failure; the caller then discards the task.
   * `fetchedThrough`: the fetch's last offset when these are its last records; what follows them up
   * to it are transaction markers (and aborted records) of a transactional input (the actuators'
   * results), which read_committed never delivers, so the committed offset moves past them too.
   */
  async processChunk(source: InputSource, topic: string, messages: KafkaMessage[], fetchedThrough?: string): Promise<ChunkStats> {
    const p = this.partition;
    const { core, now, inputSpecs } = this.deps;
    // Applied in place: if the transaction fails the runner discards this task (cache included)
    // and the next one restores from the changelog, so uncommitted changes never survive.
    const { encoded, steps, checkpoint } = driveBatch(
      this.state,
      (function* () {
        for (const m of messages) {
          yield {
            source,
            message: { topic, partition: p, offset: m.offset, key: m.key, value: m.value, headers: m.headers, timestamp: m.timestamp },
            processTime: now().toISOString(),
            config: core,
            inputs: inputSpecs,
          };
        }
      })(),
      this.deps.primitives,
      this.tree === null || this.deps.checkpoints === null
        ? { encode: true }
        : { encode: true, checkpoint: { partition: p, tree: this.tree, signer: this.deps.checkpoints.signer } },
    );
    const byRole: Record<OutputRole, Message[]> = { audit: [], execute: [], dlq: [], state: [] };
    for (const output of encoded) byRole[output.role].push({ partition: p, key: output.key, value: output.value, headers: asBuffers(output.headers) });
    const nextOffset = nextInputOffset(messages, fetchedThrough);
    // Exactly-once only: where this input stands commits with the outputs; at_least_once keeps
    // its plain meaning (offsets committed after the produce), which its control run relies on.
    if (this.deps.guarantee === 'exactly_once') byRole.state.push(positionMessage(topic, p, nextOffset));
    const { topics } = this.deps;
    const outputs: TopicMessages[] = [
      { topic: topics.audit, messages: byRole.audit },
      { topic: topics.execute, messages: byRole.execute },
      { topic: topics.dlq, messages: byRole.dlq },
      { topic: topics.state, messages: byRole.state },
    ];
    // The checkpoint commits with the records it signs, keyed by partition on the compacted topic.
    if (checkpoint?.encoded && this.deps.checkpoints !== null) {
      outputs.push({
        topic: this.deps.checkpoints.topic,
        messages: [{ partition: p, key: String(p), value: checkpoint.encoded.value, headers: asBuffers(checkpoint.encoded.headers) }],
      });
    }
    const first = messages[0]!;
    const last = messages[messages.length - 1]!;
    const started = Date.now();
    // Only this topic's offset moves; the other input of the task keeps its committed offset.
    const written = await this.writer.commitBatch(outputs, { consumerGroupId: this.deps.groupId, partition: p, next: { [topic]: nextOffset } });
    this.next[topic] = nextOffset;
    // Committed: the store may now reflect the changelog up to the end of this transaction's state records.
    const changelogEnd = written.get(positionKey(topics.state, p));
    if (changelogEnd === undefined && byRole.state.length > 0) {
      // Without the position the store cannot be checkpointed; the task is discarded and the next one restores the delta.
      throw new InvariantError('TASK_STATE', `no produce position for ${topics.state}[${p}] after a committed batch`, { context: { topic: topics.state, partition: p } });
    }
    if (changelogEnd !== undefined) {
      const entries: StoreEntry[] = byRole.state.map((m) => ({ key: m.key as string, value: m.value as Buffer | null }));
      this.state.committed(entries, { topic: topics.state, partition: p, offset: changelogEnd.toString(), writtenAtMs: now().getTime() });
    }
    return {
      inputs: messages.length,
      outputs: { audit: byRole.audit.length, execute: byRole.execute.length, dlq: byRole.dlq.length, state: byRole.state.length },
      firstOffset: first.offset,
      lastOffset: last.offset,
      transactionMs: Date.now() - started,
      decisions: summarizeDecisions(steps.flatMap((s) => s.records)),
    };
  }

  async close(): Promise<void> {
    await this.writer.close();
    await this.store.close();
    this.logger.info('task closed');
  }
}
