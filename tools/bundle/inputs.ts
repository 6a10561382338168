/**
 * The bundle's inputs.jsonl (docs/contracts.md "Evidence bundle files"): every input record a
 * receipt of the run points at, exactly as the broker returned it, so `exoarmur whatif --bundle`
 * can drive the run's inputs through the core offline. A line is the recorded-run input line
 * (tools/record/format.ts) plus `value_sha256`. The check here ties the file to the audit trail:
 * one line per consumed input, each value hashing to its line's sha256, each rejected input's
 * hash equal to its receipt's `value_sha256`, and each input identifying itself, as the core does,
 * with its receipt's idempotency key; so an input edited, added or dropped is named.
 */
import { toCoreInput, type ConsumedMessage } from '../../processor/codec/index.js';
import type { InputSpec } from '../../processor/config/types.js';
import type { InputSource } from '../../processor/core/api.js';
import { identifyInput } from '../../processor/core/identity.js';
import type { AuditRecordV1, InputRejectedPayload } from '../../processor/core/types.js';
import { nodePrimitives } from '../../processor/primitives.js';
import { compareInputs, consumedMessage, inputLine, type InputLine } from '../record/format.js';
import { canonicalJson } from '../../processor/core/canonical.js';
import type { ConfigSnapshotV1 } from '../../processor/core/types.js';
import { diffLeaves } from '../replay/compare.js';
import { driveReplay, emptyOutputs, RECEIPT_KINDS, type PartitionOutputs, type RecordedRun } from '../replay/drive.js';
import { BUNDLE_FILES, type Bundle, type BundleConfigSnapshot } from './files.js';

/** One consumed input: the recorded-run input line and the SHA-256 of its value bytes (null for a null value). */
export interface BundleInputLine extends InputLine {
  value_sha256: string | null;
}

export function bundleInputLine(message: ConsumedMessage): BundleInputLine {
  return { ...inputLine(message), value_sha256: message.value === null ? null : nodePrimitives.sha256Hex(message.value) };
}

/** inputs.jsonl: every input of `inputs` (topic -> partition -> offset), ordered by topic, partition and offset. */
export function bundleInputsText(inputs: ReadonlyMap<string, ReadonlyMap<number, ReadonlyMap<string, ConsumedMessage>>>): string {
  const lines = [...inputs.values()].flatMap((byPartition) => [...byPartition.values()].flatMap((byOffset) => [...byOffset.values()].map(bundleInputLine)));
  lines.sort(compareInputs);
  return lines.map((l) => `${JSON.stringify(l)}\n`).join('');
}

const REJECTED = new Set(['telemetry_rejected', 'action_rejected', 'result_rejected']);

function sourceOf(kind: string): InputSource {
  return kind.startsWith('telemetry_') ? 'telemetry' : kind.startsWith('action_') ? 'operator' : 'result';
}

const where = (l: { topic: string; partition: number; offset: string }) => `${l.topic}/${l.partition}@${l.offset}`;

function isLine(v: unknown): v is BundleInputLine {
  const o = v as Record<string, unknown>;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof o['topic'] === 'string' &&
    typeof o['partition'] === 'number' &&
    typeof o['offset'] === 'string' &&
    typeof o['timestamp'] === 'string' &&
    (o['value_base64'] === null || typeof o['value_base64'] === 'string') &&
    (o['key_base64'] === null || typeof o['key_base64'] === 'string') &&
    (o['value_sha256'] === null || typeof o['value_sha256'] === 'string') &&
    typeof o['headers'] === 'object' &&
    o['headers'] !== null
  );
}

/** The lines of inputs.jsonl, or the first problem that stops reading them. */
export function parseBundleInputs(bundle: Bundle): { ok: true; lines: BundleInputLine[] } | { ok: false; problem: string } {
  const bytes = bundle.files.get(BUNDLE_FILES.inputs);
  if (bytes === undefined) return { ok: false, problem: `${BUNDLE_FILES.inputs} is missing from the bundle` };
  const lines: BundleInputLine[] = [];
  const text = bytes.toString('utf8').split('\n');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text[i]!);
    } catch (error) {
      return { ok: false, problem: `${BUNDLE_FILES.inputs} line ${i + 1} is not JSON: ${(error as Error).message}` };
    }
    if (!isLine(value))
      return {
        ok: false,
        problem: `${BUNDLE_FILES.inputs} line ${i + 1} is not an input line (topic, partition, offset, timestamp, key_base64, value_base64, value_sha256, headers)`,
      };
    lines.push(value);
  }
  return { ok: true, lines };
}

/** Every way inputs.jsonl disagrees with itself or with the receipts of `audit` (empty = consistent). */
export function inputsProblems(lines: readonly BundleInputLine[], audit: readonly AuditRecordV1[], snapshots: readonly BundleConfigSnapshot[]): string[] {
  const problems: string[] = [];
  const byCoordinate = new Map<string, BundleInputLine>();
  for (const line of lines) {
    const at = where(line);
    if (byCoordinate.has(at)) problems.push(`${BUNDLE_FILES.inputs} holds ${at} twice`);
    byCoordinate.set(at, line);
    const bytes = line.value_base64 === null ? null : Buffer.from(line.value_base64, 'base64');
    const sha = bytes === null ? null : nodePrimitives.sha256Hex(bytes);
    if (sha !== line.value_sha256) problems.push(`${at}: the value hashes to ${sha?.slice(0, 12) ?? 'null'}…, its line says ${line.value_sha256?.slice(0, 12) ?? 'null'}…`);
  }
  const inputsOf = new Map(snapshots.map((s) => [s.config_hash, (s.config['inputs'] ?? {}) as Record<string, InputSpec>]));
  const received = new Set<string>();
  for (const r of audit) {
    if (!RECEIPT_KINDS.has(r.event_kind)) continue;
    const at = where(r.input);
    received.add(at);
    const line = byCoordinate.get(at);
    if (line === undefined) {
      problems.push(`${at}: a ${r.event_kind} receipt (partition ${r.input.partition} seq ${r.seq}) has no line in ${BUNDLE_FILES.inputs}`);
      continue;
    }
    if (REJECTED.has(r.event_kind)) {
      const recorded = (r.payload as InputRejectedPayload).value_sha256;
      if (recorded !== line.value_sha256)
        problems.push(`${at}: its ${r.event_kind} receipt names value_sha256 ${recorded?.slice(0, 12) ?? 'null'}…, the input line ${line.value_sha256?.slice(0, 12) ?? 'null'}…`);
    }
    const input = toCoreInput(sourceOf(r.event_kind), consumedMessage(line), r.process_time, inputsOf.get(r.config_hash));
    const key = identifyInput(input, nodePrimitives).idempotencyKey;
    if (key !== r.idempotency_key) problems.push(`${at}: the input identifies as ${key}, its receipt names ${r.idempotency_key}`);
  }
  for (const at of byCoordinate.keys()) if (!received.has(at)) problems.push(`${at}: in ${BUNDLE_FILES.inputs} but no receipt points at it`);
  return problems;
}

/** inputs.jsonl back to the form replay drives: topic -> partition -> offset -> message. */
export function inputsByCoordinate(lines: readonly BundleInputLine[]): Map<string, Map<number, Map<string, ConsumedMessage>>> {
  const out = new Map<string, Map<number, Map<string, ConsumedMessage>>>();
  for (const line of lines) {
    let byPartition = out.get(line.topic);
    if (byPartition === undefined) out.set(line.topic, (byPartition = new Map()));
    let byOffset = byPartition.get(line.partition);
    if (byOffset === undefined) byPartition.set(line.partition, (byOffset = new Map()));
    byOffset.set(line.offset, consumedMessage(line));
  }
  return out;
}

/** Fields of an audit record that depend on when the processor ran (or hash them): not compared. */
const TIME_BOUND: ReadonlySet<string> = new Set(['process_time', 'prev_hash', 'record_hash']);

/**
 * The inputs driven through the core with the recorded configs, against the audit export: the
 * first record that differs in each partition. Accepted receipts carry no hash of their value, so
 * this is what ties an accepted input's bytes to the trail: an edit that moves any decision is named.
 */
export function replayProblems(lines: readonly BundleInputLine[], audit: readonly AuditRecordV1[], snapshots: readonly BundleConfigSnapshot[]): string[] {
  const outputs = new Map<number, PartitionOutputs>();
  for (const r of audit) {
    let o = outputs.get(r.input.partition);
    if (o === undefined) outputs.set(r.input.partition, (o = emptyOutputs()));
    o.audit.push(r);
  }
  // The receipts name each input's role; a topic no receipt of that role names matches nothing.
  const topicOf = (prefix: string) => audit.find((r) => RECEIPT_KINDS.has(r.event_kind) && r.event_kind.startsWith(prefix))?.input.topic ?? `${prefix}none`;
  const recorded: RecordedRun = {
    outputs,
    inputs: inputsByCoordinate(lines),
    snapshots: new Map<string, ConfigSnapshotV1>(
      snapshots.map((s) => [s.config_hash, { config_hash: s.config_hash, config: canonicalJson(s.config), captured_at: s.captured_at }]),
    ),
  };
  let driven;
  try {
    driven = driveReplay(recorded, { telemetryTopic: topicOf('telemetry_'), operatorTopic: topicOf('action_'), resultsTopic: topicOf('result_'), primitives: nodePrimitives });
  } catch (error) {
    return [`driving ${BUNDLE_FILES.inputs} through the core failed: ${(error as Error).message}`];
  }
  const problems: string[] = [];
  for (const [partition, before] of outputs) {
    const after = driven.outputs.get(partition)?.audit ?? [];
    const i = before.audit.findIndex((r, n) => after[n] === undefined || diffLeaves(r, after[n], '', TIME_BOUND).length > 0);
    if (i >= 0) {
      const diff = after[i] === undefined ? 'no record' : diffLeaves(before.audit[i], after[i], '', TIME_BOUND)[0]![0];
      problems.push(
        `partition ${partition} seq ${before.audit[i]!.seq}: the inputs decide differently from the trail (${diff === 'no record' ? 'no record replayed' : `field ${diff}`})`,
      );
    } else if (after.length !== before.audit.length) problems.push(`partition ${partition}: the inputs give ${after.length} records, the trail holds ${before.audit.length}`);
  }
  return problems;
}
