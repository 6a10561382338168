/**
 * Compares a replay with the recorded run, partition by partition: every audit field except
 * process_time and the chain hashes that cover it (the chain itself is verify's job), plus the
 * execute-topic intents and dead letters. Each difference is named down to its leaf field.
 */
import { canonicalJson } from '../../processor/core/canonical.js';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import type { PartitionOutputs } from './drive.js';
import { MAX_LISTED_MISMATCHES, type Comparison, type Mismatch } from './report.js';

/** Fields that depend on when the processor ran (or hash them); never compared. */
const AUDIT_SKIPPED: ReadonlySet<string> = new Set(['process_time', 'prev_hash', 'record_hash']);
const DLQ_SKIPPED: ReadonlySet<string> = new Set(['process_time']);
const NOTHING: ReadonlySet<string> = new Set();

function plain(v: unknown): unknown {
  return v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex') : v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** Leaf-level differences between two values as [path, recorded, replayed]. */
export function diffLeaves(a: unknown, b: unknown, path: string, skip: ReadonlySet<string> = NOTHING, out: [string, unknown, unknown][] = []): [string, unknown, unknown][] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      if (path === '' && skip.has(k)) continue;
      diffLeaves(a[k], b[k], path === '' ? k : `${path}.${k}`, NOTHING, out);
    }
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => diffLeaves(x, b[i], `${path}[${i}]`, NOTHING, out));
    return out;
  }
  const pa = plain(a);
  const pb = plain(b);
  if (pa === pb) return out;
  if (pa !== undefined && pb !== undefined && typeof pa === 'object' && typeof pb === 'object' && canonicalJson(pa) === canonicalJson(pb)) return out;
  out.push([path, pa ?? null, pb ?? null]);
  return out;
}

/** Structural equality of JSON-like values (bytes by content); the fast path before a leaf diff. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** Equal in every compared field (all but process_time and the chain hashes). */
function sameComparedFields(a: AuditRecordV1, b: AuditRecordV1): boolean {
  const { process_time: _pa, prev_hash: _ha, record_hash: _ra, ...restA } = a;
  const { process_time: _pb, prev_hash: _hb, record_hash: _rb, ...restB } = b;
  return deepEqual(restA, restB);
}

/** What a property of the trail looks like as one comparable string per record that has it. */
function projection(records: readonly AuditRecordV1[], pick: (r: AuditRecordV1) => unknown | undefined): string {
  const parts: string[] = [];
  for (const r of records) {
    const v = pick(r);
    if (v !== undefined) parts.push(canonicalJson(v));
  }
  return parts.join('\n');
}

const intentHashOf = (r: AuditRecordV1): unknown | undefined => (r.event_kind === 'intent_proposed' ? (r.payload as { intent_hash: string }).intent_hash : undefined);
const verdictOf = (r: AuditRecordV1): unknown | undefined => {
  if (r.event_kind !== 'safety_evaluated') return undefined;
  const p = r.payload as { verdict: string; rule: string };
  return [p.verdict, p.rule];
};
const approvalOf = (r: AuditRecordV1): unknown | undefined => {
  if (r.event_kind === 'approval_requested') {
    const p = r.payload as { approval_id: string; requirement: string; required_votes: number; expires_at: string };
    return [r.event_kind, p.approval_id, p.requirement, p.required_votes, p.expires_at];
  }
  if (r.event_kind.startsWith('approval_')) return [r.event_kind, (r.payload as { approval_id: string }).approval_id];
  return undefined;
};

/** The sequence of event kinds per input coordinate. */
function traceStructure(records: readonly AuditRecordV1[]): string {
  const traces = new Map<string, string[]>();
  for (const r of records) {
    const key = `${r.input.topic}/${r.input.partition}@${r.input.offset}`;
    let list = traces.get(key);
    if (list === undefined) traces.set(key, (list = []));
    list.push(r.event_kind);
  }
  return canonicalJson([...traces.entries()]);
}

export function compareRun(recorded: Map<number, PartitionOutputs>, replayed: Map<number, PartitionOutputs>): Comparison {
  const mismatches: Mismatch[] = [];
  let total = 0;
  const push = (m: Mismatch) => {
    total += 1;
    if (mismatches.length < MAX_LISTED_MISMATCHES) mismatches.push(m);
  };
  let compared = 0;
  let matched = 0;
  let mismatchedUnits = 0;
  const equal = { intent: true, verdict: true, approval: true, trace: true, execute: true, dlq: true };
  const partitions = [...new Set([...recorded.keys(), ...replayed.keys()])].sort((a, b) => a - b);
  const none: PartitionOutputs = { audit: [], execute: [], dlq: [] };

  for (const partition of partitions) {
    const rec = recorded.get(partition) ?? none;
    const rep = replayed.get(partition) ?? none;

    const length = Math.max(rec.audit.length, rep.audit.length);
    for (let i = 0; i < length; i++) {
      const r = rec.audit[i];
      const x = rep.audit[i];
      if (r !== undefined) compared += 1;
      if (r === undefined || x === undefined) {
        mismatchedUnits += 1;
        const present = (r ?? x)!;
        push({ partition, seq: present.seq, audit_id: present.audit_id, field: 'record', recorded: r?.event_kind ?? null, replayed: x?.event_kind ?? null });
        continue;
      }
      const diffs = sameComparedFields(r, x) ? [] : diffLeaves(r, x, '', AUDIT_SKIPPED);
      if (diffs.length === 0) {
        matched += 1;
        continue;
      }
      mismatchedUnits += 1;
      for (const [field, a, b] of diffs) push({ partition, seq: r.seq, audit_id: r.audit_id, field, recorded: a, replayed: b });
    }

    if (projection(rec.audit, intentHashOf) !== projection(rep.audit, intentHashOf)) equal.intent = false;
    if (projection(rec.audit, verdictOf) !== projection(rep.audit, verdictOf)) equal.verdict = false;
    if (projection(rec.audit, approvalOf) !== projection(rep.audit, approvalOf)) equal.approval = false;
    if (traceStructure(rec.audit) !== traceStructure(rep.audit)) equal.trace = false;

    const executeLength = Math.max(rec.execute.length, rep.execute.length);
    for (let i = 0; i < executeLength; i++) {
      const r = rec.execute[i];
      const x = rep.execute[i];
      const diffs =
        r === undefined || x === undefined ? [['execute.intent_hash', r?.intent_hash ?? null, x?.intent_hash ?? null] as [string, unknown, unknown]] : diffLeaves(r, x, 'execute');
      if (diffs.length === 0) continue;
      equal.execute = false;
      mismatchedUnits += 1;
      for (const [field, a, b] of diffs) push({ partition, seq: null, audit_id: (r ?? x)!.source_audit_id, field, recorded: a, replayed: b });
    }

    const dlqLength = Math.max(rec.dlq.length, rep.dlq.length);
    for (let i = 0; i < dlqLength; i++) {
      const r = rec.dlq[i];
      const x = rep.dlq[i];
      const diffs =
        r === undefined || x === undefined
          ? [['dlq.dead_letter_id', r?.dead_letter_id ?? null, x?.dead_letter_id ?? null] as [string, unknown, unknown]]
          : diffLeaves(r, x, '', DLQ_SKIPPED).map(([f, a, b]) => [`dlq.${f}`, a, b] as [string, unknown, unknown]);
      if (diffs.length === 0) continue;
      equal.dlq = false;
      mismatchedUnits += 1;
      for (const [field, a, b] of diffs) push({ partition, seq: null, audit_id: (r ?? x)!.receipt_audit_id, field, recorded: a, replayed: b });
    }
  }

  return {
    compared,
    matched,
    mismatched: mismatchedUnits,
    mismatches,
    mismatches_truncated: total > mismatches.length,
    intent_hashes_equal: equal.intent,
    verdicts_equal: equal.verdict,
    approvals_equal: equal.approval,
    trace_structure_equal: equal.trace,
    execute_equal: equal.execute,
    dead_letters_equal: equal.dlq,
    pass: mismatchedUnits === 0,
  };
}
