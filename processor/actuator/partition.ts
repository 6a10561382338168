/**
 * One execute partition of the reference actuator: its own transactional producer (fencing any
 * previous owner), its dedupe state restored from the compacted actuator-state topic, and the
 * intents of the partition performed in chunks. Before a chunk's requests start, their `in_flight`
 * entries commit in one transaction, together with the previous chunk's results, final entries and
 * the consumer offset past it (the last chunk of a fetch commits those alone). So after a kill -9
 * every record whose result did not commit is redelivered, its entry says how many attempts were
 * begun (an interrupted one counts), a final entry makes every later redelivery a skip, and a
 * repeated request carries the same Idempotency-Key: at most one completed performance per group,
 * no result lost or doubled.
 */
import type { Logger } from 'pino';
import { decodeRecord, encodeRecord } from '../codec/index.js';
import type { ActuatorStateV1, ExecutionIntentV1, ExecutionOutcome, ExecutionResultV1 } from '../core/types.js';
import type { Kafka, KafkaMessage } from '../io/client.js';
import { groupProgress, resumeOffset } from '../io/offsets.js';
import { topicWatermarks } from '../io/offsets.js';
import { readPartitions } from '../io/read.js';
import { ExoArmurError } from '../errors.js';
import type { TopicMessages } from '../kafka/send-plan.js';
import { TransactionalWriter } from '../kafka/transactions.js';
import { logEvent } from '../log-events.js';
import type { AttemptResult, Driver } from './drivers.js';
import { backoffMs, chunkLength, nextChunkLimit, nextStep, type ChunkCandidate, type NextStep } from './policy.js';

export interface ActuatorDeps {
  kafka: Kafka;
  groupId: string;
  topics: { execute: string; results: string; state: string };
  driver: Driver;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** The most intents of a partition attempted at once (the largest chunk). */
  maxInFlight: number;
  now: () => Date;
}

export type Handled = { outcome: ExecutionOutcome; attempts: number; skipped: boolean } | { unreadable: string };

/** A fetched record decoded, with what its durable state says to do. */
type Planned =
  | { message: KafkaMessage; unreadable: string; candidate: null }
  | { message: KafkaMessage; intent: ExecutionIntentV1; step: NextStep; known: ActuatorStateV1 | undefined; candidate: ChunkCandidate };

/** An attempt about to start; `slot` is its record's index among those handled. */
interface Attempt {
  intent: ExecutionIntentV1;
  message: KafkaMessage;
  attempt: number;
  startedAt: string;
  slot: number;
}

type OutputRecord = { topic: string; message: TopicMessages['messages'][number]; entry?: ActuatorStateV1 };

/** A finished intent's records, waiting for the next commit. */
interface Pending {
  result: ExecutionResultV1;
  entry: ActuatorStateV1;
  slot: number;
  records: OutputRecord[];
}

export class ActuatorPartition {
  /** Slow start (policy.ts nextChunkLimit): one intent first, doubling per committed chunk. */
  private limit = 1;

  private constructor(
    readonly partition: number,
    private readonly deps: ActuatorDeps,
    private readonly writer: TransactionalWriter,
    private readonly state: Map<string, ActuatorStateV1>,
    private next: string,
    private readonly logger: Logger,
  ) {}

  static async start(deps: ActuatorDeps, partition: number, logger: Logger, heartbeat: () => Promise<void>): Promise<ActuatorPartition> {
    const writer = new TransactionalWriter({
      kafka: deps.kafka,
      transactionalId: `${deps.groupId}.actuator.${partition}`,
      guarantee: 'exactly_once',
      logger,
      commitOffsets: async () => undefined,
    });
    await writer.open();
    try {
      const state = new Map<string, ActuatorStateV1>();
      const prefix = `${deps.groupId}/`;
      // The whole compacted partition up to its end offset, read after the fence so it is stable.
      const marks = (await topicWatermarks(deps.kafka, deps.topics.state)).get(partition);
      if (marks === undefined) {
        throw new ExoArmurError('PARTITION_MISSING', `topic ${deps.topics.state} has no partition ${partition}`, { context: { topic: deps.topics.state, partition } });
      }
      await readPartitions(deps.kafka, {
        topic: deps.topics.state,
        ranges: new Map([[partition, { from: marks.low, to: marks.high }]]),
        purpose: `actuator state restore of ${deps.topics.state}[${partition}]`,
        groupPrefix: `${deps.groupId}.restore.${partition}`,
        heartbeat,
        onBatch: (_partition: number, messages: KafkaMessage[]) => {
          for (const m of messages) {
            const key = m.key?.toString('utf8');
            // Several actuator groups may share the topic; each reads only its own entries.
            if (key === undefined || !key.startsWith(prefix)) continue;
            if (m.value === null) {
              state.delete(key.slice(prefix.length));
              continue;
            }
            const decoded = decodeRecord('actuator_state', m.value, m.headers);
            if (decoded.ok) state.set(key.slice(prefix.length), decoded.value as ActuatorStateV1);
          }
        },
      });
      const row = (await groupProgress(deps.kafka, deps.groupId, [deps.topics.execute])).find((r) => r.partition === partition);
      const next = row === undefined ? '0' : resumeOffset(row).toString();
      // As for a processor task (DESIGN §3): nothing a previous transaction left hanging may ride on this partition's first commit.
      await writer.abortLeftovers(
        [
          { topic: deps.topics.results, partition },
          { topic: deps.topics.state, partition },
        ],
        { consumerGroupId: deps.groupId, partition, next: { [deps.topics.execute]: next } },
      );
      logger.info({ ...logEvent('actuator_partition_ready'), partition, next_offset: next, intents_known: state.size }, 'actuator partition ready');
      return new ActuatorPartition(partition, deps, writer, state, next, logger);
    } catch (error) {
      await writer.close();
      throw error;
    }
  }

  nextOffset(): string {
    return this.next;
  }

  /**
   * Performs `messages` chunk by chunk (policy.ts chunkLength: up to the slow-start limit, distinct
   * subjects, an interrupted intent alone) while `keepGoing()`; returns one Handled per record
   * handled, in log order (a prefix of `messages`). A round commits the `in_flight` entries of the
   * intents about to be attempted, with the results and final entries of those already finished
   * and the offset past every chunk already performed, and then starts all their requests at once;
   * intents that asked for a retry wait out the backoff and go round again. The last transaction
   * holds the remaining results and final entries and the offset past the last chunk. The execute
   * offset never passes a record before its result commits.
   */
  async handle(messages: readonly KafkaMessage[], heartbeat: () => Promise<void>, keepGoing: () => boolean): Promise<Handled[]> {
    const { deps } = this;
    const handled: Handled[] = [];
    const finals: Pending[] = [];
    let done = 0;
    while (done < messages.length && keepGoing()) {
      // A final not yet committed already decides a later record of its intent (a skip).
      const uncommitted = new Map(finals.map((f) => [f.result.intent_id, f.entry]));
      const planned = messages.slice(done, done + this.limit).map((message) => this.plan(message, uncommitted));
      const chunk = planned.slice(
        0,
        chunkLength(
          planned.map((p) => p.candidate),
          this.limit,
        ),
      );
      let round: Attempt[] = [];
      for (const p of chunk) {
        if ('unreadable' in p) {
          this.logger.error({ ...logEvent('intent_unreadable'), offset: p.message.offset, reason: p.unreadable }, 'execute record is not an intent; skipped');
          handled.push({ unreadable: p.unreadable });
        } else if (p.step.kind === 'skip') {
          this.logger.info({ ...logEvent('intent_skipped'), intent_id: p.intent.intent_id, outcome: p.step.outcome, offset: p.message.offset }, 'intent already done');
          handled.push({ outcome: p.step.outcome, attempts: p.known!.attempts, skipped: true });
        } else {
          const startedAt = p.known?.started_at ?? deps.now().toISOString();
          const slot = handled.push({ outcome: 'gave_up', attempts: 0, skipped: false }) - 1;
          if (p.step.kind === 'give_up') finals.push(this.finish(p.intent, p.message, 'gave_up', p.step.attempts, null, startedAt, slot));
          else round.push({ intent: p.intent, message: p.message, attempt: p.step.attempt, startedAt, slot });
        }
      }
      while (round.length > 0) {
        await this.commit(
          [...finals.flatMap((f) => f.records), ...round.map((a) => this.stateMessage(a.intent.intent_id, 'in_flight', a.attempt, a.startedAt))],
          chunk[0]!.message.offset,
        );
        this.announce(finals.splice(0), handled);
        for (const a of round)
          this.logger.info({ ...logEvent('intent_attempt'), intent_id: a.intent.intent_id, attempt: a.attempt, driver: deps.driver.name }, 'performing intent');
        const answers = await Promise.all(round.map((a) => deps.driver.perform(a.intent, a.attempt)));
        const again: Attempt[] = [];
        round.forEach((a, i) => {
          const answer = answers[i]!;
          const step = answer.verdict === 'retry' ? nextStep(this.state.get(a.intent.intent_id), deps.maxAttempts) : undefined;
          if (step?.kind === 'attempt') again.push({ ...a, attempt: step.attempt });
          else finals.push(this.finish(a.intent, a.message, answer.verdict === 'retry' ? 'gave_up' : answer.verdict, a.attempt, answer, a.startedAt, a.slot));
        });
        await heartbeat();
        if (again.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.max(...again.map((a) => backoffMs(a.attempt - 1, deps.backoffBaseMs, deps.backoffCapMs)))));
        round = again;
      }
      done += chunk.length;
      this.limit = nextChunkLimit(this.limit, deps.maxInFlight);
    }
    if (done > 0) {
      await this.commit(
        finals.flatMap((f) => f.records),
        (BigInt(messages[done - 1]!.offset) + 1n).toString(),
      );
      this.announce(finals, handled);
    }
    return handled;
  }

  private plan(message: KafkaMessage, uncommitted: ReadonlyMap<string, ActuatorStateV1>): Planned {
    const decoded = decodeRecord('execute', message.value, message.headers);
    if (!decoded.ok) return { message, unreadable: decoded.reason, candidate: null };
    const intent = decoded.value as ExecutionIntentV1;
    const known = uncommitted.get(intent.intent_id) ?? this.state.get(intent.intent_id);
    const step = nextStep(known, this.deps.maxAttempts);
    const candidate = step.kind === 'attempt' ? { intentId: intent.intent_id, subject: intent.subject, interrupted: known !== undefined } : null;
    return { message, intent, step, known, candidate };
  }

  /** Logs each committed result and fills in its record's Handled. */
  private announce(committed: readonly Pending[], handled: Handled[]): void {
    for (const { result, slot } of committed) {
      handled[slot] = { outcome: result.outcome, attempts: result.attempt, skipped: false };
      this.logger.info(
        { ...logEvent('intent_finished'), intent_id: result.intent_id, outcome: result.outcome, attempts: result.attempt, status: result.response_status },
        'intent finished',
      );
    }
  }

  /** The result of an intent and its final state entry, to commit. */
  private finish(
    intent: ExecutionIntentV1,
    message: KafkaMessage,
    outcome: ExecutionOutcome,
    attempts: number,
    last: AttemptResult | null,
    startedAt: string,
    slot: number,
  ): Pending {
    const result: ExecutionResultV1 = {
      schema_version: '1',
      intent_id: intent.intent_id,
      intent_hash: intent.intent_hash,
      tenant_id: intent.tenant_id,
      correlation_id: intent.correlation_id,
      trace_id: intent.trace_id,
      subject: intent.subject,
      intent_type: intent.intent_type,
      outcome,
      attempt: attempts,
      driver: this.deps.driver.name,
      response_status: last?.status ?? null,
      response_sha256: last?.sha256 ?? null,
      detail: last === null ? 'attempts were interrupted by restarts; none answered' : last.detail,
      started_at: startedAt,
      finished_at: this.deps.now().toISOString(),
      actuator_group: this.deps.groupId,
      source_partition: this.partition,
      source_offset: message.offset,
    };
    const encoded = encodeRecord('result', result);
    const resultMessage = { partition: this.partition, key: `${intent.tenant_id}:${intent.correlation_id}`, value: encoded.value, headers: encoded.headers };
    const final = this.stateMessage(intent.intent_id, outcome, attempts, startedAt);
    return { result, entry: final.entry, slot, records: [final, { topic: this.deps.topics.results, message: resultMessage }] };
  }

  private stateMessage(intentId: string, status: ActuatorStateV1['status'], attempts: number, startedAt: string): OutputRecord & { entry: ActuatorStateV1 } {
    const entry: ActuatorStateV1 = { intent_id: intentId, status, attempts, started_at: startedAt, updated_at: this.deps.now().toISOString() };
    const encoded = encodeRecord('actuator_state', entry);
    return {
      topic: this.deps.topics.state,
      message: { partition: this.partition, key: `${this.deps.groupId}/${intentId}`, value: encoded.value, headers: encoded.headers },
      entry,
    };
  }

  /** One transaction: the given records and the execute offset `next`; the cache changes only after it commits. */
  private async commit(records: readonly OutputRecord[], next: string): Promise<void> {
    const byTopic = new Map<string, TopicMessages['messages']>();
    for (const r of records) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r.message]);
    await this.writer.commitBatch(
      [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      { consumerGroupId: this.deps.groupId, partition: this.partition, next: { [this.deps.topics.execute]: next } },
    );
    for (const r of records) if (r.entry !== undefined) this.state.set(r.entry.intent_id, r.entry);
    this.next = next;
  }

  async close(): Promise<void> {
    await this.writer.close();
  }
}
