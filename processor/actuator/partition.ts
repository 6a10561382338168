/**
 * One execute partition of the reference actuator: its own transactional producer (fencing any
 * previous owner), its dedupe state restored from the compacted actuator-state topic, and the
 * intents of the partition performed one at a time. Before each attempt an `in_flight` entry is
 * committed; the result, the final entry and the consumer offset commit together. So after a
 * kill -9 the intent is redelivered, the entry says how many attempts were begun, and a final
 * entry makes every later redelivery a skip: at most one completed performance per group.
 */
import type { Logger } from 'pino';
import { decodeRecord, encodeRecord } from '../codec/index.js';
import type { ActuatorStateV1, ExecutionIntentV1, ExecutionOutcome, ExecutionResultV1 } from '../core/types.js';
import type { Kafka, KafkaMessage } from '../io/client.js';
import { groupProgress, resumeOffset } from '../io/offsets.js';
import { topicWatermarks } from '../io/offsets.js';
import { readPartitions } from '../io/read.js';
import { ExoArmurError } from '../errors.js';
import { TransactionalWriter, type TopicMessages } from '../kafka/transactions.js';
import { logEvent } from '../log-events.js';
import type { AttemptResult, Driver } from './drivers.js';
import { backoffMs, nextStep } from './policy.js';

export interface ActuatorDeps {
  kafka: Kafka;
  groupId: string;
  topics: { execute: string; results: string; state: string };
  driver: Driver;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  now: () => Date;
}

export type Handled = { outcome: ExecutionOutcome; attempts: number; skipped: boolean } | { unreadable: string };

export class ActuatorPartition {
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

  /** Performs (or skips) one intent and commits its outcome with the offset past it. */
  async handle(message: KafkaMessage, heartbeat: () => Promise<void>): Promise<Handled> {
    const { deps } = this;
    const after = (BigInt(message.offset) + 1n).toString();
    const decoded = decodeRecord('execute', message.value, message.headers);
    if (!decoded.ok) {
      this.logger.error({ ...logEvent('intent_unreadable'), offset: message.offset, reason: decoded.reason }, 'execute record is not an intent; skipped');
      await this.commit([], after);
      return { unreadable: decoded.reason };
    }
    const intent = decoded.value as ExecutionIntentV1;
    let step = nextStep(this.state.get(intent.intent_id), deps.maxAttempts);
    if (step.kind === 'skip') {
      await this.commit([], after);
      this.logger.info({ ...logEvent('intent_skipped'), intent_id: intent.intent_id, outcome: step.outcome, offset: message.offset }, 'intent already done');
      return { outcome: step.outcome, attempts: this.state.get(intent.intent_id)!.attempts, skipped: true };
    }
    const startedAt = this.state.get(intent.intent_id)?.started_at ?? deps.now().toISOString();
    let last: AttemptResult | null = null;
    while (step.kind === 'attempt') {
      const attempt = step.attempt;
      await this.commit([this.stateMessage(intent.intent_id, 'in_flight', attempt, startedAt)], message.offset);
      this.logger.info({ ...logEvent('intent_attempt'), intent_id: intent.intent_id, attempt, driver: deps.driver.name }, 'performing intent');
      last = await deps.driver.perform(intent, attempt);
      if (last.verdict !== 'retry') return this.finish(intent, message, last.verdict, attempt, last, startedAt);
      step = nextStep(this.state.get(intent.intent_id), deps.maxAttempts);
      if (step.kind === 'attempt') {
        await heartbeat();
        await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt, deps.backoffBaseMs, deps.backoffCapMs)));
      }
    }
    return this.finish(intent, message, 'gave_up', step.kind === 'give_up' ? step.attempts : deps.maxAttempts, last, startedAt);
  }

  private async finish(
    intent: ExecutionIntentV1,
    message: KafkaMessage,
    outcome: ExecutionOutcome,
    attempts: number,
    last: AttemptResult | null,
    startedAt: string,
  ): Promise<Handled> {
    const finishedAt = this.deps.now().toISOString();
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
      finished_at: finishedAt,
      actuator_group: this.deps.groupId,
      source_partition: this.partition,
      source_offset: message.offset,
    };
    const encoded = encodeRecord('result', result);
    const resultMessage = { partition: this.partition, key: `${intent.tenant_id}:${intent.correlation_id}`, value: encoded.value, headers: encoded.headers };
    await this.commit(
      [this.stateMessage(intent.intent_id, outcome, attempts, startedAt), { topic: this.deps.topics.results, message: resultMessage }],
      (BigInt(message.offset) + 1n).toString(),
    );
    this.logger.info({ ...logEvent('intent_finished'), intent_id: intent.intent_id, outcome, attempts, status: result.response_status }, 'intent finished');
    return { outcome, attempts, skipped: false };
  }

  private stateMessage(
    intentId: string,
    status: ActuatorStateV1['status'],
    attempts: number,
    startedAt: string,
  ): { topic: string; message: TopicMessages['messages'][number]; entry: ActuatorStateV1 } {
    const entry: ActuatorStateV1 = { intent_id: intentId, status, attempts, started_at: startedAt, updated_at: this.deps.now().toISOString() };
    const encoded = encodeRecord('actuator_state', entry);
    return {
      topic: this.deps.topics.state,
      message: { partition: this.partition, key: `${this.deps.groupId}/${intentId}`, value: encoded.value, headers: encoded.headers },
      entry,
    };
  }

  /** One transaction: the given records and the execute offset `next`; the cache changes only after it commits. */
  private async commit(records: { topic: string; message: TopicMessages['messages'][number]; entry?: ActuatorStateV1 }[], next: string): Promise<void> {
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
