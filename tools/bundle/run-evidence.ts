/**
 * The seven gates' evidence, rebuilt from a bundle's files alone. The reality harness judges its
 * gates through this after writing the files, and `verify` re-judges a bundle through it, so a
 * PASS_FAIL.txt can only hold what the evidence files imply. What only the harness could see (the
 * faults it injected, the inputs it sent, whether docker-compose ran) is in run_facts.json, the
 * compose run's in the compose_* files (tools/bundle/compose-facts.ts); every
 * derived report (time model, idempotency counts, exactly-once) is recomputed from the exports.
 */
import type { AuditRecordV1, ExecutionIntentV1, InputCoordinates, OperatorActionV1 } from '../../processor/core/types.js';
import { exactlyOnceViolations, summarizeOutcomes } from '../process/outcomes.js';
import { outcomeSummary, replayFollowedRecordedOrder, timeModel, type TimeModel } from '../reality/analysis.js';
import type { DurabilityEvidence, ReplayFacts, RunEvidence } from '../reality/gates.js';
import { deploymentFromBundle, type DeploymentFacts } from './compose-facts.js';
import { runCounts, type RunCounts } from './counts.js';
import { BUNDLE_FILES, type Bundle, type BundleConfigSnapshot } from './files.js';

/** run_facts.json: what the harness did and saw that no other file records. */
export interface RunFacts {
  run_id: string;
  /** The run's topic names by config key. */
  topics: Record<string, string>;
  /** `disabled`: the run was asked for no faults (--no-faults), so gate 2 is UNPROVEN, not FAIL. */
  faults: { processor_kills: number; broker_kills: number; processor_starts: number; notes: string[]; disabled: boolean };
  /** The run started its broker, so killing it was required (an external --brokers one is not the run's to kill). */
  broker_owned: boolean;
  /** `topic/partition/offset` of every record written to an input topic: the harness's in send order, the actuator's results by partition and offset. */
  inputs_sent: { telemetry: string[]; operator_actions: string[]; results?: string[] };
  /** Audit records read back a second time, after the bundle's trail was read. */
  audit_read_back_again: number;
  /** Whether docker-compose ran (its evidence: the compose_* files) or why not. */
  deployment: DeploymentFacts;
  expectations: { lines: number; unmet: string[] };
  /** The kill_processor burst's tenant, told apart in the out-of-order count. */
  filler_tenant: string | null;
  /** Outcome digest and counts after the first inject (tools/reality/analysis outcomeSummary), before the double inject. */
  outcomes_before: { digest: string; counts: Record<string, number> };
}

/** The integrity verdict gate 7 reads (verify's checks other than the gate re-derivation itself). */
export interface IntegrityVerdict {
  ok: boolean;
  checks: ReadonlyArray<{ name: string; ok: boolean; detail: string }>;
}

export type Rebuilt = { ok: true; evidence: RunEvidence; counts: RunCounts; time: TimeModel } | { ok: false; problems: string[] };

function operatorKeys(snapshots: readonly BundleConfigSnapshot[]): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const s of snapshots) {
    const operators = (s.config['operators'] ?? {}) as Record<string, { public_key?: string }>;
    for (const [actor, entry] of Object.entries(operators)) if (typeof entry.public_key === 'string') keys[actor] = entry.public_key;
  }
  return keys;
}

/** Rebuilds every gate's evidence from `bundle`; names each file it could not read instead. */
export function runEvidenceFromBundle(bundle: Bundle, integrity: IntegrityVerdict): Rebuilt {
  const factsFile = bundle.json(BUNDLE_FILES.runFacts);
  const storageFile = bundle.json(BUNDLE_FILES.storageState);
  const idempotencyFile = bundle.json(BUNDLE_FILES.idempotencyReport);
  const problems: string[] = [];
  const actuatorReportFile = bundle.json(BUNDLE_FILES.actuatorReport);
  for (const parsed of [
    factsFile,
    storageFile,
    idempotencyFile,
    bundle.audit,
    bundle.snapshots,
    bundle.operatorActions,
    bundle.replayReport,
    bundle.executeExport,
    bundle.executionResults,
    bundle.actuatorRequests,
    actuatorReportFile,
  ]) {
    if (!parsed.ok) problems.push(parsed.problem);
  }
  if (
    !factsFile.ok ||
    !storageFile.ok ||
    !idempotencyFile.ok ||
    !bundle.audit.ok ||
    !bundle.snapshots.ok ||
    !bundle.operatorActions.ok ||
    !bundle.replayReport.ok ||
    !bundle.executeExport.ok ||
    !bundle.executionResults.ok ||
    !bundle.actuatorRequests.ok ||
    !actuatorReportFile.ok
  ) {
    return { ok: false, problems };
  }
  const facts = factsFile.value as unknown as RunFacts;
  const audit: AuditRecordV1[] = bundle.audit.value;
  const execute: ExecutionIntentV1[] = bundle.executeExport.value;
  const actions: OperatorActionV1[] = bundle.operatorActions.value;
  const storage = storageFile.value as unknown as DurabilityEvidence['storage'];
  const report = bundle.replayReport.value as unknown as ReplayFacts & { replay_order: InputCoordinates[]; replay_order_length: number; replay_order_sha256: string };
  const telemetryTopic = facts.topics['telemetry']!;
  const counts = runCounts(audit, facts.inputs_sent, facts.filler_tenant);
  const followed = replayFollowedRecordedOrder(report, audit);
  const time = timeModel(audit, followed, facts.filler_tenant);
  const outcomes = summarizeOutcomes(
    audit.map((r) => r),
    execute,
    storage.record_counts_read_back['dlq'] ?? 0,
  );
  const receivedKeys = new Set(audit.filter((r) => r.input.topic === telemetryTopic && r.event_kind === 'telemetry_received').map((r) => r.idempotency_key));
  const inputs = [...facts.inputs_sent.telemetry, ...facts.inputs_sent.operator_actions, ...(facts.inputs_sent.results ?? [])];
  const after = outcomeSummary(audit, execute);
  const before = facts.outcomes_before;
  const evidence: RunEvidence = {
    durability: {
      storage,
      topics: { audit: facts.topics['audit']!, state: facts.topics['state']! },
      audit_read_back_again: facts.audit_read_back_again,
      broker_kills: facts.faults.broker_kills,
    },
    restart: {
      processor_kills: facts.faults.processor_kills,
      broker_kills: facts.faults.broker_kills,
      processor_starts: facts.faults.processor_starts,
      fault_notes: facts.faults.notes,
      receipts: counts.receipts,
      deliveries: counts.deliveries,
      violations: exactlyOnceViolations(outcomes, { uniqueKeys: receivedKeys, inputs }),
      faults_disabled: facts.faults.disabled === true,
      broker_owned: facts.broker_owned !== false,
    },
    replay: { report, exported: audit.length, followed_order: followed },
    deployment: deploymentFromBundle(bundle, facts.deployment, { audit, telemetryTopic, sent: facts.inputs_sent.telemetry, fillerTenant: facts.filler_tenant }),
    time,
    idempotency: {
      report: {
        deliveries: counts.telemetry_deliveries,
        rejected_deliveries: counts.rejected,
        unique_keys: counts.unique_keys,
        duplicates_suppressed: counts.duplicates,
        digest_after: after.digest,
        equal: before.digest === after.digest && JSON.stringify(before.counts) === JSON.stringify(after.counts),
      },
      released_intents: audit.filter((r) => r.event_kind === 'intent_released').map((r) => (r.payload as { intent_id: string }).intent_id),
      execute_intents: execute.map((e) => e.intent_id),
      actuation: {
        execute_intents: execute.map((e) => e.intent_id),
        results: bundle.executionResults.value,
        requests: bundle.actuatorRequests.value,
        report: actuatorReportFile.value,
      },
    },
    configAndHuman: {
      snapshots: bundle.snapshots.value,
      audit,
      actions,
      operator_keys: operatorKeys(bundle.snapshots.value),
      published_actions: facts.inputs_sent.operator_actions,
      receipts_per_input: outcomes.receiptsPerInput,
      replay: { pass: report.pass, replay_order: report.replay_order ?? [] },
      expectations: facts.expectations,
      verify: integrity,
    },
  };
  return { ok: true, evidence, counts, time };
}
