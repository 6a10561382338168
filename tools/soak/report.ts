/**
 * The soak's report, pure: recovery times per fault (p50, max), throughput over time, and the
 * end checks read from the run's evidence as the gates and verify judged it (no second checker):
 * each check names the first offending record when it fails.
 */
import type { Rebuilt } from '../bundle/run-evidence.js';
import type { Gate } from '../reality/gates.js';
import type { VerifyResult } from '../verify/verify.js';

/** One fault as it happened; a join-and-leave records its two rebalances as `join` and `leave`. */
export interface FaultRecord {
  kind: string;
  plannedAtMs: number;
  atMs: number;
  /** From the fault until everything offered before it was committed. */
  recoveryMs: number;
  detail: string;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface FaultSummary {
  count: number;
  recovery_ms: { p50: number; max: number };
}

export function summarizeFaults(records: readonly FaultRecord[]): Record<string, FaultSummary> {
  const byKind = new Map<string, number[]>();
  for (const r of records) byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r.recoveryMs]);
  const out: Record<string, FaultSummary> = {};
  for (const [kind, times] of [...byKind].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...times].sort((a, b) => a - b);
    out[kind] = { count: sorted.length, recovery_ms: { p50: percentile(sorted, 50), max: sorted.at(-1) ?? 0 } };
  }
  return out;
}

export interface ProgressSample {
  atMs: number;
  /** Inputs offered so far (telemetry lines sent). */
  offered: number;
  /** Inputs committed by the group so far; null when the cluster did not answer. */
  committed: number | null;
}

export interface ThroughputPoint {
  t_s: number;
  offered_per_s: number;
  /** null while the cluster did not answer. */
  committed_per_s: number | null;
}

/** Rates between consecutive samples (committed rate between the last two answered samples). */
export function throughputSeries(samples: readonly ProgressSample[]): ThroughputPoint[] {
  const out: ThroughputPoint[] = [];
  let lastAnswered: ProgressSample | undefined = samples[0]?.committed === null ? undefined : samples[0];
  for (let i = 1; i < samples.length; i += 1) {
    const s = samples[i]!;
    const previous = samples[i - 1]!;
    const seconds = (s.atMs - previous.atMs) / 1000;
    let committed: number | null = null;
    if (s.committed !== null && lastAnswered !== undefined && lastAnswered.committed !== null) {
      committed = round1((s.committed - lastAnswered.committed) / ((s.atMs - lastAnswered.atMs) / 1000));
    }
    if (s.committed !== null) lastAnswered = s;
    out.push({ t_s: round1(s.atMs / 1000), offered_per_s: seconds > 0 ? round1((s.offered - previous.offered) / seconds) : 0, committed_per_s: committed });
  }
  return out;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

export interface SoakCheck {
  name: string;
  pass: boolean;
  detail: string;
  /** The first offending record (null when the check holds). */
  first_offending: string | null;
}

function soakCheck(name: string, offending: readonly string[], detail: string): SoakCheck {
  return { name, pass: offending.length === 0, detail, first_offending: offending[0] ?? null };
}

export interface CheckInputs {
  rebuilt: Rebuilt;
  verify: VerifyResult;
  /** Acknowledged deliveries (`topic/partition/offset`) not found in the input topic read back. */
  lostAcknowledged: readonly string[];
}

/** The end checks, each from the evidence the gates and verify read. */
export function soakChecks(input: CheckInputs): SoakCheck[] {
  const { rebuilt, verify } = input;
  if (!rebuilt.ok) return [soakCheck('evidence readable', rebuilt.problems, '')];
  const e = rebuilt.evidence;
  const violations = e.restart.violations;
  const receiptProblems = violations.filter((v) => v.startsWith('input ') || v.startsWith('receipt for'));
  const doubled = violations.filter((v) => v.includes('twice') || v.includes('facts_derived') || v.includes('execute records') || v.includes('dead letters'));
  const chains = violations.filter((v) => v.startsWith('chain break'));
  const receiptOrder = Object.entries(e.time.receipts)
    .filter(([, r]) => !r.gapless || !r.strictly_ordered)
    .map(([p, r]) => `partition ${p}: receipts ${r.gapless ? '' : 'not gapless '}${r.strictly_ordered ? '' : 'not strictly ordered'}`.trim());
  const replay = e.replay.report;
  const mismatches = replay.mismatches.map((m) => `replay mismatch: ${m.field} at partition ${m.partition} seq ${m.seq ?? '-'}`);
  if (!(replay.pass && replay.mismatched === 0) && mismatches.length === 0) mismatches.push(`replay did not pass (${replay.mismatched} mismatched)`);
  const released = e.idempotency.released_intents.length;
  const executed = e.idempotency.execute_intents.length;
  return [
    soakCheck('acknowledged deliveries durable', input.lostAcknowledged, 'every delivery the cluster acknowledged is in the input topic read back'),
    soakCheck(
      'receipts == deliveries',
      e.restart.receipts === e.restart.deliveries ? receiptProblems : [`receipts ${e.restart.receipts} != deliveries ${e.restart.deliveries}`, ...receiptProblems],
      `${e.restart.receipts} receipts, ${e.restart.deliveries} deliveries`,
    ),
    soakCheck('no doubled outcome', doubled, `${executed} execute records for ${released} released intents; every audit id and intent id once`),
    soakCheck(
      'gapless chains and receipts',
      [...chains, ...receiptOrder],
      `hash chains verify and receipts are gapless per partition (${Object.keys(e.time.receipts).length} partitions)`,
    ),
    soakCheck('replay equal', mismatches, `${replay.compared} audit records compared, ${replay.matched} matched`),
    soakCheck(
      'verify holds',
      verify.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`),
      `${verify.checks.length} checks, origin ${verify.origin.status}`,
    ),
  ];
}

/** Failed gates, gate 4 (a docker compose deployment, which the soak never attempts) left out. */
export function failedGates(gates: readonly Gate[]): string[] {
  return gates.filter((g) => g.status === 'FAIL' && g.name !== 'DEPLOYMENT').map((g) => `gate ${g.n} ${g.name}: ${g.evidence}`);
}
