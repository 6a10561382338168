/**
 * Reads a run's committed outputs back (read_committed, as any downstream consumer would) and
 * checks the exactly-once properties: one receipt per input delivery, exactly one outcome set per
 * unique idempotency key, gapless receipts and verifying hash chains per partition, each released
 * intent on the execute topic exactly once, a dead letter per rejected input.
 */
import type { Kafka } from '../../processor/io/client.js';
import { decodeRecord, NOT_AN_ALERT, type RecordRole } from '../../processor/codec/index.js';
import { verifyChain, type AuditRecordV1, type ChainBreak, type ExecutionIntentV1 } from '../../processor/core/index.js';
import { nodePrimitives } from '../../processor/primitives.js';
import { readTopic } from '../../processor/io/read.js';
import { RECEIPT_KINDS } from '../../processor/core/types.js';
import { ExoArmurError } from '../../processor/errors.js';

export interface OutcomeTopics {
  audit: string;
  execute: string;
  dlq: string;
}

export interface RunOutcomes {
  audit: AuditRecordV1[];
  byPartition: Map<number, AuditRecordV1[]>;
  receiptsByKind: Record<string, number>;
  /** `topic/partition/offset` of each input that has a receipt → how many receipts it has. */
  receiptsPerInput: Map<string, number>;
  /** idempotency key → event kinds of its non-receipt audit records, in chain order. */
  outcomeKindsByKey: Map<string, string[]>;
  chainBreaks: ChainBreak[];
  execute: ExecutionIntentV1[];
  dlqCount: number;
}

/** Every committed record of one output topic, decoded (read_committed, from the log start to the end). */
export async function readDecoded<T>(kafka: Kafka, topic: string, role: RecordRole): Promise<T[]> {
  const out: T[] = [];
  await readTopic(kafka, {
    topic,
    onRecord: ({ message }) => {
      const decoded = decodeRecord(role, message.value, message.headers);
      if (!decoded.ok) throw new ExoArmurError('OUTCOME_RECORD_UNDECODABLE', `${topic}@${message.offset}: ${decoded.reason}`, { context: { topic, offset: message.offset } });
      out.push(decoded.value as T);
    },
  });
  return out;
}

export async function readRunOutcomes(kafka: Kafka, topics: OutcomeTopics): Promise<RunOutcomes> {
  const [audit, execute, dlq] = await Promise.all([
    readDecoded<AuditRecordV1>(kafka, topics.audit, 'audit'),
    readDecoded<ExecutionIntentV1>(kafka, topics.execute, 'execute'),
    readDecoded<unknown>(kafka, topics.dlq, 'dlq'),
  ]);
  return summarizeOutcomes(audit, execute, dlq.length);
}

/**
 * The exactly-once reading of a run's committed outputs, pure: the live read-back above and
 * `verify` (over a bundle's audit and execute exports) both judge through it.
 */
export function summarizeOutcomes(audit: AuditRecordV1[], execute: ExecutionIntentV1[], dlqCount: number): RunOutcomes {
  const byPartition = new Map<number, AuditRecordV1[]>();
  for (const record of audit) {
    const list = byPartition.get(record.input.partition) ?? [];
    list.push(record);
    byPartition.set(record.input.partition, list);
  }
  const chainBreaks: ChainBreak[] = [];
  for (const list of byPartition.values()) {
    list.sort((a, b) => a.seq - b.seq);
    const broken = verifyChain(nodePrimitives, list);
    if (broken) chainBreaks.push(broken);
  }
  const receiptsByKind: Record<string, number> = {};
  const receiptsPerInput = new Map<string, number>();
  const outcomeKindsByKey = new Map<string, string[]>();
  for (const list of byPartition.values()) {
    for (const record of list) {
      if (RECEIPT_KINDS.has(record.event_kind)) {
        receiptsByKind[record.event_kind] = (receiptsByKind[record.event_kind] ?? 0) + 1;
        const at = `${record.input.topic}/${record.input.partition}/${record.input.offset}`;
        receiptsPerInput.set(at, (receiptsPerInput.get(at) ?? 0) + 1);
      } else {
        const kinds = outcomeKindsByKey.get(record.idempotency_key) ?? [];
        kinds.push(record.event_kind);
        outcomeKindsByKey.set(record.idempotency_key, kinds);
      }
    }
  }
  return { audit, byPartition, receiptsByKind, receiptsPerInput, outcomeKindsByKey, chainBreaks, execute, dlqCount };
}

/** Total receipts (one per consumed delivery when exactly-once holds). */
export function receiptCount(outcomes: RunOutcomes): number {
  return Object.values(outcomes.receiptsByKind).reduce((a, b) => a + b, 0);
}

export interface ExpectedDeliveries {
  /** Idempotency keys (`tenant_id:event_id`) of the distinct valid events sent. */
  uniqueKeys: ReadonlySet<string>;
  /** Every delivery of the input topics: each must have exactly one receipt. */
  inputs: ReadonlyArray<string>;
}

/**
 * Every way the run's committed outputs break exactly-once, as readable strings (empty = holds).
 * Deterministic ids make doubling visible: a doubled outcome repeats its audit_id or intent_id.
 */
export function exactlyOnceViolations(outcomes: RunOutcomes, expected: ExpectedDeliveries): string[] {
  const problems: string[] = [];
  for (const broken of outcomes.chainBreaks) problems.push(`chain break in partition ${broken.partition} at seq ${broken.seq}: ${broken.kind} ${broken.detail}`);
  for (const input of expected.inputs) {
    const receipts = outcomes.receiptsPerInput.get(input) ?? 0;
    if (receipts !== 1) problems.push(`input ${input} has ${receipts} receipts`);
  }
  for (const input of outcomes.receiptsPerInput.keys()) if (!expected.inputs.includes(input)) problems.push(`receipt for an input never sent: ${input}`);
  const auditIds = new Set<string>();
  for (const record of outcomes.audit) {
    if (auditIds.has(record.audit_id)) problems.push(`audit_id ${record.audit_id} (${record.event_kind}) written twice`);
    auditIds.add(record.audit_id);
  }
  for (const key of expected.uniqueKeys) {
    const kinds = outcomes.outcomeKindsByKey.get(key) ?? [];
    const facts = kinds.filter((k) => k === 'facts_derived').length;
    if (facts !== 1) problems.push(`key ${key} has ${facts} facts_derived records`);
  }
  const intentIds = new Set<string>();
  for (const intent of outcomes.execute) {
    if (intentIds.has(intent.intent_id)) problems.push(`intent ${intent.intent_id} on the execute topic twice`);
    intentIds.add(intent.intent_id);
  }
  const released = outcomes.audit.filter((r) => r.event_kind === 'intent_released').length;
  if (released !== outcomes.execute.length) problems.push(`${released} intent_released records but ${outcomes.execute.length} execute records`);
  // A sensor record that is not an alert is rejected with a receipt and, by design, no dead letter.
  const notAlerts = outcomes.audit.filter((r) => r.event_kind === 'telemetry_rejected' && (r.payload as { reason_code?: string }).reason_code === NOT_AN_ALERT).length;
  const rejected = (outcomes.receiptsByKind['telemetry_rejected'] ?? 0) + (outcomes.receiptsByKind['action_rejected'] ?? 0) - notAlerts;
  if (rejected !== outcomes.dlqCount)
    problems.push(`${rejected} rejected receipts${notAlerts > 0 ? ` (besides ${notAlerts} not_an_alert)` : ''} but ${outcomes.dlqCount} dead letters`);
  return problems;
}
