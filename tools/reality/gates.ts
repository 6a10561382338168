/**
 * The seven gates (DESIGN §5) and PASS_FAIL.txt. Pure: each gate is a function from the evidence
 * the builders produced (plain data, mostly the bundle files' own content) to one PASS_FAIL line.
 */
import { actuationProblems, actuationSummary, type ActuationEvidence } from '../bundle/actuation-evidence.js';
import { canonicalJson } from '../../processor/core/canonical.js';
import { actionSigningBytes } from '../../processor/core/signing.js';
import type { AuditRecordV1, InputCoordinates, OperatorActionV1 } from '../../processor/core/types.js';
import { nodePrimitives } from '../../processor/primitives.js';
import { survived, type KillSurvival, type TimeModel } from './analysis.js';
import { deploymentGate, type DeploymentEvidence } from './deployment-gate.js';
import { judge, type Gate, type GateStatus } from './gate-judge.js';

export { GATE_NAMES, judge, type Gate, type GateStatus } from './gate-judge.js';

/** Gate 1 reads storage_state.json, the second (exactly-once) read-back and the fault log. */
export interface DurabilityEvidence {
  storage: {
    broker: { data_dir: string | null };
    data_files: ReadonlyArray<{ path: string; bytes: number }>;
    record_counts_read_back: Readonly<Record<string, number>>;
    counts_across_broker_kills: readonly KillSurvival[];
  };
  topics: { audit: string; state: string };
  audit_read_back_again: number;
  broker_kills: number;
}

export function durabilityGate(e: DurabilityEvidence): Gate {
  const files = e.storage.data_files;
  // Index files are preallocated (10 MiB each): the honest size of what was written is the .log segments.
  const segmentBytes = (topic: string) => files.filter((f) => f.path.startsWith(`${topic}-`) && f.path.endsWith('.log')).reduce((a, f) => a + f.bytes, 0);
  const auditBytes = segmentBytes(e.topics.audit);
  const stateBytes = segmentBytes(e.topics.state);
  const kills = e.storage.counts_across_broker_kills;
  const audit = e.storage.record_counts_read_back['audit'] ?? 0;
  return judge(
    1,
    [
      [auditBytes > 0, 'audit data files on disk'],
      [stateBytes > 0, 'state data files on disk'],
      [kills.every(survived), `records committed before a broker kill missing after it: ${canonicalJson(kills)}`],
      [audit === e.audit_read_back_again, 'audit count read back twice equal'],
    ],
    `audit ${auditBytes} B and state ${stateBytes} B of .log segments (${files.length} files) under ${e.storage.broker.data_dir ?? '?'}; ${audit} audit records read back; ${e.broker_kills} broker kill(s)${kills.map((c) => `, all ${c.before['audit']} audit records committed before it read back after (${c.after['audit']} then)`).join('')}${e.broker_kills === 0 ? ' (no broker kill in this run)' : ''}`,
  );
}

/** Gate 2 reads the fault log and the exactly-once read-back of every input delivery. */
export interface RestartEvidence {
  processor_kills: number;
  broker_kills: number;
  processor_starts: number;
  fault_notes: readonly string[];
  /** Receipts read back, over both input topics. */
  receipts: number;
  /** Deliveries sent, over both input topics. */
  deliveries: number;
  /** tools/process/outcomes `exactlyOnceViolations` of the read-back (empty = exactly-once holds). */
  violations: readonly string[];
  /** The run was asked for no faults (`--no-faults`): restart survival is then not exercised. */
  faults_disabled: boolean;
  /** The run started its broker, so killing it was possible (an external --brokers one is not ours to kill). */
  broker_owned: boolean;
}

/** PASS needs a processor SIGKILL, and a broker SIGKILL where the broker is the run's, survived exactly once. */
export function restartSurvivalGate(e: RestartEvidence): Gate {
  if (e.faults_disabled && e.processor_kills + e.broker_kills === 0 && e.violations.length === 0 && e.receipts === e.deliveries)
    return {
      n: 2,
      name: 'RESTART_SURVIVAL',
      status: 'UNPROVEN',
      evidence: `run with --no-faults: no processor or broker kill injected; ${e.receipts} receipts == ${e.deliveries} deliveries`,
    };
  return judge(
    2,
    [
      [e.violations.length === 0, `exactly-once: ${e.violations.slice(0, 3).join(', ')}`],
      [e.receipts === e.deliveries, `receipts ${e.receipts} != deliveries ${e.deliveries}`],
      [e.processor_kills > 0, 'the processor was never killed in this run'],
      [e.broker_kills > 0 || !e.broker_owned, "the run's broker was never killed in this run"],
    ],
    `processor killed ${e.processor_kills}x, broker killed ${e.broker_kills}x, processor started ${e.processor_starts}x; ${e.receipts} receipts == ${e.deliveries} deliveries, gapless chains, no doubled outcome${e.fault_notes.length ? `; ${e.fault_notes.join('; ')}` : ''}`,
  );
}

/** What gate 3 reads from a replay report (tools/replay/report.ts). */
export interface ReplayFacts {
  compared: number;
  matched: number;
  mismatched: number;
  mismatches: ReadonlyArray<{ partition: number; seq: number | null; field: string }>;
  pass: boolean;
  config_overridden: boolean;
  inputs_replayed: number;
  events_per_second: number;
}

/**
 * Gate 3: replay from durable records decided exactly as the run did. A what-if replay (a config
 * other than the recorded snapshots) can never pass it, whatever it matched.
 */
export function replayGate(report: ReplayFacts, exported: number, followedOrder: boolean): Gate {
  const named = report.mismatches
    .slice(0, 3)
    .map((m) => `${m.field} at partition ${m.partition} seq ${m.seq ?? '-'}`)
    .join(', ');
  return judge(
    3,
    [
      [!report.config_overridden, 'replay used a config other than the recorded snapshots'],
      [report.pass && report.mismatched === 0, `${report.mismatched} mismatches${named ? ` (${named})` : ''}`],
      [report.compared === exported, `replay compared ${report.compared} records, the run exported ${exported}`],
      [followedOrder, 'replay did not follow the recorded receipt order'],
    ],
    `replay of ${report.inputs_replayed} inputs from the broker alone compared ${report.compared} audit records: ${report.matched} matched, ${report.mismatched} mismatched; intent hashes, verdicts, approvals, trace structure, execute and dead letters equal; recorded receipt order followed (${report.events_per_second} events/s)`,
  );
}

/** Gate 5 reads time_model.json alone (its per-kind counts add up to the records timed). */
export function timeTruthGate(time: TimeModel): Gate {
  const records = Object.values(time.per_kind).reduce((a, k) => a + k.count, 0);
  const scenarioLate = time.out_of_order_events - time.out_of_order_filler_events;
  return judge(
    5,
    [
      [time.every_record_timed, 'a record lacks event_time or process_time'],
      [Object.values(time.receipts).every((r) => r.gapless && r.strictly_ordered), 'receipts not gapless and strictly ordered per partition'],
      [time.replay_followed_recorded_order, 'replay did not follow the recorded order'],
      [scenarioLate > 0, 'no out-of-order scenario events in the run'],
    ],
    `${records} records timed; receipts per partition ${Object.entries(time.receipts)
      .map(([p, r]) => `${p}:${r.count}`)
      .join(
        ' ',
      )} gapless and strictly ordered; replay followed the recorded order; ${scenarioLate} out-of-order scenario events (+${time.out_of_order_filler_events} burst filler) handled`,
  );
}

/**
 * Gate 6 reads idempotency_report.json, the intent ids released (audit) and executed (execute
 * topic), and the actuation: one result and one effect per execute record (tools/bundle/actuation-evidence.ts).
 */
export interface IdempotencyEvidence {
  report: { deliveries: number; rejected_deliveries: number; unique_keys: number; duplicates_suppressed: number; digest_after: string; equal: boolean };
  released_intents: readonly string[];
  execute_intents: readonly string[];
  actuation: ActuationEvidence;
}

export function idempotencyGate(e: IdempotencyEvidence): Gate {
  const r = e.report;
  const executed = new Set(e.execute_intents);
  const onePerRelease = e.released_intents.length === e.execute_intents.length && executed.size === e.execute_intents.length && e.released_intents.every((id) => executed.has(id));
  const valid = r.deliveries - r.rejected_deliveries;
  const actuation = actuationProblems(e.actuation);
  return judge(
    6,
    [
      [r.equal, 'double-inject digests differ'],
      [r.duplicates_suppressed === valid - r.unique_keys, `duplicates suppressed ${r.duplicates_suppressed} != valid deliveries ${valid} - unique keys ${r.unique_keys}`],
      [onePerRelease, 'not exactly one execute record per released intent'],
      [actuation.length === 0, `actuation: ${actuation.slice(0, 3).join('; ')}${actuation.length > 3 ? ` (+${actuation.length - 3} more)` : ''}`],
    ],
    `digest ${r.digest_after.slice(0, 12)} equal before/after re-injecting ${r.deliveries / 2} deliveries; ${r.duplicates_suppressed} duplicates suppressed = ${valid} valid deliveries - ${r.unique_keys} unique keys; ${e.execute_intents.length} execute records for ${e.released_intents.length} released intents; ${actuationSummary(e.actuation)}`,
  );
}

/** Gate 7 reads the config snapshots, the records' hashes, the operator records, replay, the expect lines and verify. */
export interface ConfigAndHumanEvidence {
  snapshots: ReadonlyArray<{ config_hash: string; config: unknown }>;
  audit: ReadonlyArray<Pick<AuditRecordV1, 'config_hash' | 'event_kind'>>;
  /** operator_actions.jsonl: the operator records read back. */
  actions: readonly OperatorActionV1[];
  /** actor_id -> Ed25519 public key (PEM) of the run's operator registry. */
  operator_keys: Readonly<Record<string, string>>;
  /** `topic/partition/offset` of every operator record published. */
  published_actions: readonly string[];
  /** `topic/partition/offset` -> receipts read back for that input. */
  receipts_per_input: ReadonlyMap<string, number>;
  replay: { pass: boolean; replay_order: readonly InputCoordinates[] };
  expectations: { lines: number; unmet: readonly string[] };
  verify: { ok: boolean; checks: ReadonlyArray<{ name: string; ok: boolean; detail: string }> };
}

export function configAndHumanTruthGate(e: ConfigAndHumanEvidence): Gate {
  const known = new Set(e.snapshots.map((s) => s.config_hash));
  const replayed = new Set(e.replay.replay_order.map((c) => `${c.topic}/${c.partition}/${c.offset}`));
  const notReplayed = e.published_actions.filter((c) => !replayed.has(c));
  const signed = e.actions.every((a) => nodePrimitives.verifyEd25519(e.operator_keys[a.actor_id] ?? '', actionSigningBytes(a), a.signature));
  const kinds = (kind: string) => e.audit.filter((r) => r.event_kind === kind).length;
  const unmet = e.expectations.unmet;
  return judge(
    7,
    [
      [e.snapshots.every((s) => nodePrimitives.sha256Hex(canonicalJson(s.config)) === s.config_hash), 'a config snapshot does not hash to its config_hash'],
      [e.audit.every((r) => known.has(r.config_hash)), 'a record names a config_hash with no snapshot'],
      [signed, 'an operator action signature does not verify'],
      [e.actions.length === e.published_actions.length, 'operator actions read back != published'],
      [e.published_actions.every((c) => e.receipts_per_input.get(c) === 1), 'an operator action has no receipt'],
      [e.replay.pass, 'operator actions not consumed by a passing replay'],
      [notReplayed.length === 0, `operator actions not consumed by replay: ${notReplayed.slice(0, 3).join(', ')}`],
      [unmet.length === 0, `expectations unmet: ${unmet.slice(0, 5).join('; ')}`],
      [
        e.verify.ok,
        `verify: ${e.verify.checks
          .filter((c) => !c.ok)
          .map((c) => `${c.name} (${c.detail})`)
          .join('; ')}`,
      ],
    ],
    `${e.snapshots.length} config snapshot(s) hash right, ${new Set(e.audit.map((r) => r.config_hash)).size} hash(es) on records all known; ${e.actions.length} operator records signed, verified, durable, each with one receipt (${kinds('operator_action_applied')} applied, ${kinds('operator_action_rejected')} rejected); ${e.expectations.lines} expect lines ${unmet.length === 0 ? 'met' : 'checked'}; verify: ${e.verify.checks.length} integrity checks hold (the gate-verdict check follows on the finished bundle)`,
  );
}

/** Everything the seven gates read, one evidence object per gate. */
export interface RunEvidence {
  durability: DurabilityEvidence;
  restart: RestartEvidence;
  replay: { report: ReplayFacts; exported: number; followed_order: boolean };
  deployment: DeploymentEvidence;
  time: TimeModel;
  idempotency: IdempotencyEvidence;
  configAndHuman: ConfigAndHumanEvidence;
}

export function judgeRun(e: RunEvidence): Gate[] {
  return [
    durabilityGate(e.durability),
    restartSurvivalGate(e.restart),
    replayGate(e.replay.report, e.replay.exported, e.replay.followed_order),
    deploymentGate(e.deployment),
    timeTruthGate(e.time),
    idempotencyGate(e.idempotency),
    configAndHumanTruthGate(e.configAndHuman),
  ];
}

export function overall(gates: readonly Gate[]): 'PASS' | 'FAIL' {
  return gates.length === 7 && gates.every((g) => g.status !== 'FAIL') ? 'PASS' : 'FAIL';
}

export function passFailText(runId: string, gates: readonly Gate[]): string {
  const lines = [`RUN ${runId}`];
  for (const g of [...gates].sort((a, b) => a.n - b.n)) lines.push(`GATE ${g.n} ${g.name}: ${g.status} - ${g.evidence.replace(/\s*\n\s*/g, ' ')}`);
  lines.push(`OVERALL: ${overall(gates)}`);
  return `${lines.join('\n')}\n`;
}

const LINE = /^GATE ([1-7]) ([A-Z_]+): (PASS|FAIL|UNPROVEN) - (.+)$/;

/** Parses PASS_FAIL.txt back; null when it does not follow the format. */
export function parsePassFail(text: string): { runId: string; gates: Gate[]; overall: string } | null {
  const lines = text.replace(/\n$/, '').split('\n');
  if (lines.length !== 9) return null;
  const run = /^RUN ([0-9A-Z]{26})$/.exec(lines[0]!);
  const end = /^OVERALL: (PASS|FAIL)$/.exec(lines[8]!);
  if (!run || !end) return null;
  const gates: Gate[] = [];
  for (const [i, line] of lines.slice(1, 8).entries()) {
    const m = LINE.exec(line);
    if (!m || Number(m[1]) !== i + 1) return null;
    gates.push({ n: Number(m[1]), name: m[2]!, status: m[3] as GateStatus, evidence: m[4]! });
  }
  return { runId: run[1]!, gates, overall: end[1]! };
}
