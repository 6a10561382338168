/**
 * Gate 4's evidence as a bundle holds it, and its re-derivation from the bundle's files alone (the
 * harness judges through this after writing them, `verify` re-judges through it). run_facts.json says
 * whether compose was tried; when it was, compose_evidence.json (what ran, images, services, kills,
 * `down -v`), compose_decisions.json (each scenario event's decision in both runs) and the compose file
 * as run are in the bundle, all covered by the manifest. The mismatches are recomputed from the two
 * decision lists, and each embedded decision is recomputed from audit_export.jsonl at its delivery, so
 * a bundle cannot claim a deployment its files do not show.
 */
import { createHash } from 'node:crypto';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { compareDecisions, decisionAt, DECISION_FIELDS, type Decision } from '../reality/decisions.js';
import type { DeploymentEvidence } from '../reality/deployment-gate.js';
import type { Bundle } from './files.js';

export const COMPOSE_BUNDLE_FILES = { evidence: 'compose_evidence.json', decisions: 'compose_decisions.json' } as const;

export type ComposeFlavour = 'redpanda' | 'airgap-kafka';

/** run_facts.json `deployment`: why compose did not run, or that it ran (its evidence is in the compose files). */
export type DeploymentFacts = { engine: 'unavailable'; reason: string; enable: string } | { engine: 'skipped'; reason: string } | { engine: 'ran' };

export interface ImageRecord {
  tag: string;
  id: string;
  input_hash: string;
  built: boolean;
  seconds: number;
  how: string;
}

/** compose_evidence.json. */
export interface ComposeSummary {
  flavour: ComposeFlavour;
  project: string;
  engine: { host: string; started_pid: number | null; stopped: string };
  /** The compose file as run: a plain file of the bundle, and its SHA-256. */
  compose_file: string;
  compose_file_sha256: string;
  images: ImageRecord[];
  ports: Record<string, number>;
  services: ReadonlyArray<Record<string, unknown>>;
  /** Each container's log: a plain file of the bundle per service. */
  logs: string[];
  faults: { processor_kills: number; broker_kills: number; notes: string[] };
  /** False for a --no-faults run: the kills are then not required. */
  faults_required: boolean;
  down: { ok: boolean; output: string };
  /** Why the compose phase stopped before its comparison; null when it played to the end. */
  failure: string | null;
  seconds: Record<string, number>;
}

/** compose_decisions.json: one decision per scenario event id in each run. */
export interface ComposeDecisions {
  embedded: Decision[];
  compose: Decision[];
}

const byEvent = (ds: readonly Decision[]) => new Map(ds.map((d) => [d.event_id, d]));

/** Where the embedded run's telemetry went and whose it was: what its decisions are re-derived against. */
export interface EmbeddedRun {
  audit: readonly AuditRecordV1[];
  telemetryTopic: string;
  /** `topic/partition/offset` of every telemetry delivery sent (run_facts.json). */
  sent: readonly string[];
  /** The harness's burst tenant, whose events are not the scenario's. */
  fillerTenant: string | null;
}

/**
 * Every way the embedded decisions differ from what the audit export implies: a decision not what its
 * delivery's records say (or at a delivery never sent), or a scenario event received but left out.
 */
export function embeddedDecisionProblems(run: EmbeddedRun, decisions: readonly Decision[]): string[] {
  const { audit, telemetryTopic } = run;
  const sentSet = new Set(run.sent);
  const listed = new Set(decisions.map((d) => d.event_id));
  const problems: string[] = [];
  for (const r of audit) {
    if (r.event_kind !== 'telemetry_received' || r.tenant_id === run.fillerTenant || r.input.topic !== telemetryTopic) continue;
    const id = (r as AuditRecordV1<'telemetry_received'>).payload.event_id;
    if (!listed.has(id)) problems.push(`${id}: received in the embedded run but not among the decisions compared`);
  }
  for (const d of decisions) {
    const cut = d.input.lastIndexOf('/');
    const head = d.input.slice(0, cut);
    const topic = head.slice(0, head.lastIndexOf('/'));
    const partition = Number(head.slice(head.lastIndexOf('/') + 1));
    if (!sentSet.has(d.input) || topic !== telemetryTopic) {
      problems.push(`${d.event_id}: ${d.input} is not a telemetry delivery of the run`);
      continue;
    }
    const again = decisionAt(audit, telemetryTopic, partition, d.input.slice(cut + 1), d.event_id);
    const differs = DECISION_FIELDS.filter((f) => again[f] !== d[f]);
    if (differs.length > 0) problems.push(`${d.event_id}: ${differs.join(', ')} differ from audit_export.jsonl at ${d.input}`);
  }
  return problems;
}

/** Gate 4's evidence from `bundle`: the run facts' reason where compose did not run, else the compose files re-checked. */
export function deploymentFromBundle(bundle: Bundle, facts: DeploymentFacts, run: EmbeddedRun): DeploymentEvidence {
  if (facts.engine !== 'ran') return facts;
  const summaryFile = bundle.json(COMPOSE_BUNDLE_FILES.evidence);
  const decisionsFile = bundle.json(COMPOSE_BUNDLE_FILES.decisions);
  if (!summaryFile.ok || !decisionsFile.ok) {
    const missing = [summaryFile, decisionsFile].flatMap((p) => (p.ok ? [] : [p.problem]));
    return {
      engine: 'ran',
      flavour: 'airgap-kafka',
      compose_file: '?',
      compose_file_sha256: '',
      failure: null,
      events_compared: 0,
      mismatches: [],
      evidence_problems: missing,
      processor_kills: 0,
      broker_kills: 0,
      faults_required: true,
      down: false,
    };
  }
  const s = summaryFile.value as unknown as ComposeSummary;
  const d = decisionsFile.value as unknown as ComposeDecisions;
  const problems: string[] = [];
  const copy = bundle.files.get(s.compose_file);
  if (copy === undefined) problems.push(`the compose file ${s.compose_file} is missing from the bundle`);
  else if (createHash('sha256').update(copy).digest('hex') !== s.compose_file_sha256) problems.push(`${s.compose_file} does not hash to compose_file_sha256`);
  for (const log of s.logs ?? []) if (!bundle.files.has(log)) problems.push(`the container log ${log} is missing from the bundle`);
  if (s.failure === null && ((s.logs ?? []).length === 0 || (s.services ?? []).length === 0)) problems.push('no service state or container log recorded for a stack that ran');
  const embedded = Array.isArray(d.embedded) ? d.embedded : [];
  const compose = Array.isArray(d.compose) ? d.compose : [];
  problems.push(...embeddedDecisionProblems(run, embedded));
  return {
    engine: 'ran',
    flavour: s.flavour,
    compose_file: s.compose_file,
    compose_file_sha256: s.compose_file_sha256,
    failure: s.failure,
    events_compared: compose.length,
    mismatches: compareDecisions(byEvent(embedded), byEvent(compose)),
    evidence_problems: problems,
    processor_kills: s.faults?.processor_kills ?? 0,
    broker_kills: s.faults?.broker_kills ?? 0,
    faults_required: s.faults_required !== false,
    down: s.down?.ok === true,
  };
}
