/**
 * The integrity checks of `verify`: each named, each reporting what it found. They judge the
 * evidence's integrity and internal consistency; tools/verify/verify.ts adds the derived reports
 * and the re-judged gate verdicts. The viewer runs the same list (evidence-viewer/checks.js), written
 * separately on purpose; tools/verify/check-list.test.ts holds the two lists equal.
 */
import { canonicalJson } from '../../processor/core/canonical.js';
import { verifyChain } from '../../processor/core/chain.js';
import { actionSigningBytes } from '../../processor/core/signing.js';
import type { AuditRecordV1, InputCoordinates, OperatorActionV1 } from '../../processor/core/types.js';
import { nodePrimitives } from '../../processor/primitives.js';
import { BUNDLE_FILES, sha256OfBytes, UNMANIFESTED, type Bundle, type BundleConfigSnapshot } from '../bundle/files.js';
import { RECEIPT_KINDS } from '../replay/drive.js';
import { inputsProblems, parseBundleInputs, replayProblems } from '../bundle/inputs.js';

export interface VerifyCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** Every check verify runs, in order; the viewer runs the same names in the same order. */
export const CHECK_NAMES = {
  manifest: 'manifest',
  configHash: 'config hash',
  configRefs: 'config references',
  chains: 'audit hash chains',
  ids: 'id uniqueness',
  receipts: 'receipts gapless',
  inputs: 'recorded inputs',
  signatures: 'operator signatures',
  replay: 'replay report consistency',
  derived: 'derived reports',
  gates: 'gate verdicts',
} as const;

/** At most this many problems are spelled out per check. */
const MAX_DETAILS = 5;

export function check(name: string, problems: string[], okDetail: string): VerifyCheck {
  if (problems.length === 0) return { name, ok: true, detail: okDetail };
  const shown = problems.slice(0, MAX_DETAILS).join('; ');
  return { name, ok: false, detail: problems.length > MAX_DETAILS ? `${shown}; and ${problems.length - MAX_DETAILS} more` : shown };
}

function checkManifest(bundle: Bundle): VerifyCheck {
  if (!bundle.manifest.ok) return check(CHECK_NAMES.manifest, [bundle.manifest.problem], '');
  const manifest = bundle.manifest.value;
  const problems: string[] = [];
  if (manifest.algorithm !== 'sha256') problems.push(`algorithm is ${JSON.stringify(manifest.algorithm)}, only "sha256" is defined`);
  for (const [name, expected] of Object.entries(manifest.files)) {
    const bytes = bundle.files.get(name);
    if (bytes === undefined) problems.push(`${name} is listed but missing on disk`);
    else if (sha256OfBytes(bytes) !== expected) problems.push(`${name} SHA-256 ${sha256OfBytes(bytes).slice(0, 12)}… ≠ manifest ${expected.slice(0, 12)}…`);
  }
  for (const name of bundle.files.keys()) {
    if (!UNMANIFESTED.includes(name) && !(name in manifest.files)) problems.push(`${name} is in the bundle but not listed in manifest.json`);
  }
  return check(CHECK_NAMES.manifest, problems, `${Object.keys(manifest.files).length} files listed, every hash matches`);
}

function checkConfigHash(bundle: Bundle): VerifyCheck {
  const problems: string[] = [];
  if (!bundle.snapshots.ok) return check(CHECK_NAMES.configHash, [bundle.snapshots.problem], '');
  const snapshots = bundle.snapshots.value;
  snapshots.forEach((s, i) => {
    const computed = nodePrimitives.sha256Hex(canonicalJson(s.config));
    if (computed !== s.config_hash) problems.push(`snapshot ${i}: sha256(canonicalJson(config)) ${computed.slice(0, 12)}… ≠ its config_hash ${s.config_hash.slice(0, 12)}…`);
  });
  const runHash = bundle.configHash;
  if (!runHash.ok) problems.push(runHash.problem);
  else if (!snapshots.some((s) => s.config_hash === runHash.value)) problems.push(`${BUNDLE_FILES.configHash} names ${runHash.value}, which no snapshot holds`);
  return check(CHECK_NAMES.configHash, problems, `${snapshots.length} snapshot(s) hash to their config_hash; ${BUNDLE_FILES.configHash} is among them`);
}

function checkConfigRefs(bundle: Bundle): VerifyCheck {
  if (!bundle.audit.ok) return check(CHECK_NAMES.configRefs, [bundle.audit.problem], '');
  if (!bundle.snapshots.ok) return check(CHECK_NAMES.configRefs, [bundle.snapshots.problem], '');
  const known = new Set(bundle.snapshots.value.map((s) => s.config_hash));
  const unknown = new Map<string, number>();
  for (const r of bundle.audit.value) if (!known.has(r.config_hash)) unknown.set(r.config_hash, (unknown.get(r.config_hash) ?? 0) + 1);
  const problems = [...unknown].map(([hash, n]) => `${n} audit record(s) stamped with config ${hash}, which no snapshot holds`);
  return check(CHECK_NAMES.configRefs, problems, `every audit record's config_hash is one of ${known.size} snapshot(s)`);
}

/** Audit records grouped by partition, in file order. */
export function byPartition(records: readonly AuditRecordV1[]): Map<number, AuditRecordV1[]> {
  const out = new Map<number, AuditRecordV1[]>();
  for (const r of records) {
    const p = r.input?.partition ?? -1;
    let list = out.get(p);
    if (list === undefined) out.set(p, (list = []));
    list.push(r);
  }
  return new Map([...out].sort((a, b) => a[0] - b[0]));
}

function checkChains(bundle: Bundle): VerifyCheck {
  if (!bundle.audit.ok) return check(CHECK_NAMES.chains, [bundle.audit.problem], '');
  const records = bundle.audit.value;
  const problems: string[] = [];
  const partitions = byPartition(records);
  for (const [partition, list] of partitions) {
    const broken = verifyChain(nodePrimitives, list);
    if (broken !== null) problems.push(`partition ${partition} at seq ${broken.seq} (audit_id ${broken.audit_id}): ${broken.kind} — ${broken.detail}`);
  }
  for (let i = 1; i < records.length; i++) {
    const a = records[i - 1]!;
    const b = records[i]!;
    if (a.input.partition > b.input.partition) {
      problems.push(`${BUNDLE_FILES.auditExport} line ${i + 1}: partition ${b.input.partition} after ${a.input.partition}; the export must be ordered by (partition, seq)`);
      break;
    }
  }
  return check(CHECK_NAMES.chains, problems, `${records.length} records in ${partitions.size} partition chain(s), each from seq 0 with every link and hash intact`);
}

function checkIds(bundle: Bundle): VerifyCheck {
  if (!bundle.audit.ok) return check(CHECK_NAMES.ids, [bundle.audit.problem], '');
  const problems: string[] = [];
  const seen = new Map<string, Set<string>>();
  const once = (kind: string, id: string, where: string) => {
    let set = seen.get(kind);
    if (set === undefined) seen.set(kind, (set = new Set()));
    if (set.has(id)) problems.push(`${kind} ${id} occurs twice (${where})`);
    set.add(id);
  };
  for (const r of bundle.audit.value) {
    const where = `partition ${r.input.partition} seq ${r.seq}`;
    once('audit_id', r.audit_id, where);
    const p = r.payload as unknown as Record<string, unknown>;
    if (r.event_kind === 'intent_proposed') once('intent_id', (p['intent'] as { intent_id: string }).intent_id, where);
    if (r.event_kind === 'approval_requested') once('approval_id', p['approval_id'] as string, where);
    // A kill switch is written to every partition, so an action id is unique per partition.
    if (r.event_kind === 'action_received') once(`action_id in partition ${r.input.partition}`, p['action_id'] as string, where);
    if (r.event_kind === 'telemetry_rejected' || r.event_kind === 'action_rejected') once('dead_letter_id', p['dead_letter_id'] as string, where);
  }
  const counts = [...seen]
    .map(([kind, set]) => `${set.size} ${kind}`)
    .filter((s) => !s.includes(' in partition '))
    .join(', ');
  return check(CHECK_NAMES.ids, problems, `all unique: ${counts}`);
}

const coordinate = (c: InputCoordinates) => `${c.topic}/${c.partition}@${c.offset}`;

/** The records a stream-time advance writes before the advancing input's receipt. */
const STREAM_TIME_OPENERS: ReadonlySet<string> = new Set(['approval_expired', 'containment_reverted']);

function checkReceipts(bundle: Bundle): VerifyCheck {
  if (!bundle.audit.ok) return check(CHECK_NAMES.receipts, [bundle.audit.problem], '');
  const problems: string[] = [];
  let receipts = 0;
  for (const [partition, list] of byPartition(bundle.audit.value)) {
    list.forEach((r, i) => {
      if (r.seq !== i) problems.push(`partition ${partition}: record ${i} has seq ${r.seq}, expected ${i}`);
    });
    const lastOffset = new Map<string, { offset: bigint; telemetry: boolean }>();
    const seenInputs = new Set<string>();
    let current: string | null = null;
    let received = false;
    const closeInput = (last: AuditRecordV1 | undefined) => {
      if (current !== null && !received) problems.push(`partition ${partition} seq ${last?.seq ?? '?'}: records of ${current} have no receipt`);
    };
    let previousRecord: AuditRecordV1 | undefined;
    for (const r of list) {
      const at = coordinate(r.input);
      if (at !== current) {
        closeInput(previousRecord);
        current = at;
        received = false;
        // The core expires the approvals and reverts the containments an input's event time has
        // passed before that input's own records (processor/core/telemetry.ts), so an input may open
        // with approval_expired or containment_reverted.
        if (!RECEIPT_KINDS.has(r.event_kind) && !STREAM_TIME_OPENERS.has(r.event_kind)) {
          problems.push(`partition ${partition} seq ${r.seq}: records of ${at} do not start with a receipt (${r.event_kind})`);
          received = true;
        }
      }
      previousRecord = r;
      if (!RECEIPT_KINDS.has(r.event_kind)) continue;
      if (received) {
        problems.push(`partition ${partition} seq ${r.seq}: a second receipt for ${at}`);
        continue;
      }
      received = true;
      receipts += 1;
      if (seenInputs.has(at)) problems.push(`partition ${partition} seq ${r.seq}: ${at} consumed twice`);
      seenInputs.add(at);
      const offset = BigInt(r.input.offset);
      const telemetry = r.event_kind.startsWith('telemetry_');
      const previous = lastOffset.get(r.input.topic);
      if (previous !== undefined) {
        if (offset <= previous.offset) problems.push(`partition ${partition} seq ${r.seq}: ${at} consumed after offset ${previous.offset}`);
        // Telemetry producers are not transactional, so consumed offsets are consecutive; an
        // operator topic may hold transaction markers between actions, so gaps there are allowed.
        else if (telemetry && offset !== previous.offset + 1n)
          problems.push(`partition ${partition} seq ${r.seq}: ${at} follows offset ${previous.offset}; offsets ${previous.offset + 1n}..${offset - 1n} have no receipt`);
      }
      lastOffset.set(r.input.topic, { offset, telemetry });
    }
    closeInput(previousRecord);
  }
  return check(CHECK_NAMES.receipts, problems, `${receipts} receipts, one per consumed input, seq 0..n-1 and input offsets consecutive per partition`);
}

/** inputs.jsonl against itself and the receipts (tools/bundle/inputs.ts): what `whatif --bundle` drives is what the run consumed. */
function checkInputs(bundle: Bundle): VerifyCheck {
  if (!bundle.audit.ok) return check(CHECK_NAMES.inputs, [bundle.audit.problem], '');
  if (!bundle.snapshots.ok) return check(CHECK_NAMES.inputs, [bundle.snapshots.problem], '');
  const parsed = parseBundleInputs(bundle);
  if (!parsed.ok) return check(CHECK_NAMES.inputs, [parsed.problem], '');
  const problems = inputsProblems(parsed.lines, bundle.audit.value, bundle.snapshots.value);
  // Driving inputs that do not match the receipts would only repeat the problems above.
  if (problems.length === 0) problems.push(...replayProblems(parsed.lines, bundle.audit.value, bundle.snapshots.value));
  return check(
    CHECK_NAMES.inputs,
    problems,
    `${parsed.lines.length} inputs in ${BUNDLE_FILES.inputs}, one per receipt, each value hashing to its line and identifying as its receipt's idempotency key; driven through the core they give the trail`,
  );
}

function checkSignatures(bundle: Bundle): VerifyCheck {
  if (!bundle.audit.ok) return check(CHECK_NAMES.signatures, [bundle.audit.problem], '');
  const applied = bundle.audit.value.filter((r) => r.event_kind === 'operator_action_applied');
  if (applied.length === 0 && !bundle.operatorActions.ok) return check(CHECK_NAMES.signatures, [], 'no operator action was applied in this run');
  if (!bundle.operatorActions.ok) return check(CHECK_NAMES.signatures, [bundle.operatorActions.problem], '');
  if (!bundle.snapshots.ok) return check(CHECK_NAMES.signatures, [bundle.snapshots.problem], '');
  const snapshots = new Map<string, BundleConfigSnapshot>(bundle.snapshots.value.map((s) => [s.config_hash, s]));
  const actions = new Map<string, OperatorActionV1>();
  for (const a of bundle.operatorActions.value) actions.set(a.action_id, a);
  const problems: string[] = [];
  const verified = new Set<string>();
  for (const r of applied) {
    const actionId = (r.payload as { action_id: string }).action_id;
    if (verified.has(actionId)) continue;
    const action = actions.get(actionId);
    if (action === undefined) {
      problems.push(`action ${actionId} was applied (partition ${r.input.partition} seq ${r.seq}) but is not in ${BUNDLE_FILES.operatorActions}`);
      continue;
    }
    const operators = (snapshots.get(r.config_hash)?.config['operators'] ?? {}) as Record<string, { public_key?: string }>;
    const key = operators[action.actor_id]?.public_key;
    if (key === undefined) problems.push(`action ${actionId}: actor ${action.actor_id} has no public key in config ${r.config_hash.slice(0, 12)}…`);
    else if (!nodePrimitives.verifyEd25519(key, actionSigningBytes(action), action.signature))
      problems.push(`action ${actionId} by ${action.actor_id}: Ed25519 signature does not verify`);
    else verified.add(actionId);
  }
  return check(
    CHECK_NAMES.signatures,
    problems,
    `${applied.length} actions applied (${verified.size} distinct, a kill switch applies per partition), every signature verifies against its config's operator registry`,
  );
}

function receiptOrder(records: readonly AuditRecordV1[]): InputCoordinates[] {
  const order: InputCoordinates[] = [];
  for (const list of byPartition(records).values()) {
    for (const r of list) if (RECEIPT_KINDS.has(r.event_kind)) order.push({ topic: r.input.topic, partition: r.input.partition, offset: r.input.offset });
  }
  return order;
}

function checkReplay(bundle: Bundle): VerifyCheck {
  if (!bundle.replayReport.ok) return check(CHECK_NAMES.replay, [bundle.replayReport.problem], '');
  if (!bundle.audit.ok) return check(CHECK_NAMES.replay, [bundle.audit.problem], '');
  const report = bundle.replayReport.value;
  const exported = bundle.audit.value.length;
  const problems: string[] = [];
  if (report['compared'] !== exported) problems.push(`report compared ${String(report['compared'])} records, the export holds ${exported}`);
  if (typeof report['mismatched'] !== 'number' || typeof report['pass'] !== 'boolean') problems.push('report lacks a numeric "mismatched" or a boolean "pass"');
  else if (report['pass'] !== (report['mismatched'] === 0)) problems.push(`report says pass=${report['pass']} with mismatched=${report['mismatched']}`);
  if (typeof report['matched'] === 'number' && typeof report['compared'] === 'number' && report['matched'] > report['compared'])
    problems.push(`report matched ${report['matched']} > compared ${report['compared']}`);
  if (typeof report['replay_order_sha256'] === 'string') {
    const order = receiptOrder(bundle.audit.value);
    if (report['replay_order_length'] !== order.length) problems.push(`replay used ${String(report['replay_order_length'])} inputs, the export has ${order.length} receipts`);
    else if (report['replay_order_sha256'] !== nodePrimitives.sha256Hex(canonicalJson(order))) problems.push('replay order differs from the recorded receipt order');
  }
  const verdict = report['pass'] === true ? 'replay passed' : `replay FAILED with ${String(report['mismatched'])} mismatches`;
  return check(CHECK_NAMES.replay, problems, `report covers all ${exported} exported records in recorded order; ${verdict}`);
}

/** The integrity checks in CHECK_NAMES order (the derived reports and the gate verdicts follow in verify.ts). */
export function integrityChecks(bundle: Bundle): VerifyCheck[] {
  return [checkManifest, checkConfigHash, checkConfigRefs, checkChains, checkIds, checkReceipts, checkInputs, checkSignatures, checkReplay].map((f) => f(bundle));
}
