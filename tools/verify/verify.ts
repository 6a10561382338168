/**
 * `verifyBundle`: the offline re-check of an evidence bundle. The integrity checks
 * (./integrity.ts), then the derived reports recomputed from the exports, then every gate verdict
 * re-judged from the evidence files by the same pure gates the harness used
 * (tools/reality/gates.ts, through tools/bundle/run-evidence.ts): a PASS_FAIL.txt that says
 * anything else fails, naming the gate. Verification holds only if every check holds.
 */
import { canonicalJson } from '../../processor/core/canonical.js';
import { ExoArmurError } from '../../processor/errors.js';
import { runEvidenceFromBundle, type Rebuilt } from '../bundle/run-evidence.js';
import { BUNDLE_FILES, readBundle, type Bundle } from '../bundle/files.js';
import { judgeRun, overall, parsePassFail, type Gate } from '../reality/gates.js';
import { check, CHECK_NAMES, integrityChecks, type VerifyCheck } from './integrity.js';
import { checkOrigin, type Origin } from '../bundle/origin.js';

export { CHECK_NAMES, type VerifyCheck } from './integrity.js';

export interface VerifyResult {
  /** Every check holds and the origin is verified against a trusted key. */
  ok: boolean;
  checks: VerifyCheck[];
  origin: Origin;
}

/** time_model.json and the idempotency report's counts and after-digest, against what the exports give. */
function checkDerived(bundle: Bundle, rebuilt: Rebuilt): VerifyCheck {
  if (!rebuilt.ok) return check(CHECK_NAMES.derived, rebuilt.problems, '');
  const problems: string[] = [];
  const time = bundle.json(BUNDLE_FILES.timeModel);
  if (!time.ok) problems.push(time.problem);
  else if (canonicalJson(time.value) !== canonicalJson(rebuilt.time)) {
    const differs = Object.keys(rebuilt.time).filter(
      (k) => canonicalJson((time.value as Record<string, unknown>)[k]) !== canonicalJson((rebuilt.time as unknown as Record<string, unknown>)[k]),
    );
    problems.push(`${BUNDLE_FILES.timeModel} differs from the time model of ${BUNDLE_FILES.auditExport} in ${differs.join(', ')}`);
  }
  const idem = bundle.json(BUNDLE_FILES.idempotencyReport);
  const derived = rebuilt.evidence.idempotency.report;
  if (!idem.ok) problems.push(idem.problem);
  else {
    for (const key of ['deliveries', 'rejected_deliveries', 'unique_keys', 'duplicates_suppressed', 'digest_after', 'equal'] as const) {
      if (idem.value[key] !== derived[key])
        problems.push(`${BUNDLE_FILES.idempotencyReport} ${key} ${JSON.stringify(idem.value[key])} ≠ ${JSON.stringify(derived[key])} from the exports`);
    }
  }
  const c = rebuilt.counts;
  return check(
    CHECK_NAMES.derived,
    problems,
    `recomputed from the exports: ${c.deliveries} deliveries, ${c.receipts} receipts, ${c.valid} valid, ${c.duplicates} duplicates, ${c.rejected} rejected, ${c.actions_applied} actions applied, ${c.actions_rejected} rejected, ${c.out_of_order} out of order`,
  );
}

/** The gates re-judged from the files; none computable when the evidence is unreadable. */
export function rejudge(rebuilt: Rebuilt): Gate[] | null {
  return rebuilt.ok ? judgeRun(rebuilt.evidence) : null;
}

function checkGates(bundle: Bundle, gates: Gate[] | null, rebuilt: Rebuilt): VerifyCheck {
  if (!bundle.passFail.ok) return check(CHECK_NAMES.gates, [bundle.passFail.problem], '');
  const claimed = parsePassFail(bundle.passFail.value);
  if (claimed === null) return check(CHECK_NAMES.gates, [`${BUNDLE_FILES.passFail} does not follow the RUN / GATE 1..7 / OVERALL format`], '');
  if (gates === null) return check(CHECK_NAMES.gates, rebuilt.ok ? [] : rebuilt.problems.map((p) => `cannot re-judge: ${p}`), '');
  const problems: string[] = [];
  for (const g of gates) {
    const said = claimed.gates.find((c) => c.n === g.n)!;
    if (said.status !== g.status) problems.push(`gate ${g.n} ${g.name}: ${BUNDLE_FILES.passFail} says ${said.status}, the evidence gives ${g.status} (${g.evidence})`);
  }
  if (claimed.overall !== overall(gates)) problems.push(`OVERALL: ${BUNDLE_FILES.passFail} says ${claimed.overall}, the evidence gives ${overall(gates)}`);
  return check(
    CHECK_NAMES.gates,
    problems,
    `all 7 gate verdicts re-judged from the evidence files equal ${BUNDLE_FILES.passFail}: ${gates.map((g) => `${g.n} ${g.status}`).join(', ')}; OVERALL ${overall(gates)}`,
  );
}

/** The integrity checks and the derived reports: what gate 7 reads as "verify" (PASS_FAIL.txt plays no part). */
function integrityAndDerived(bundle: Bundle): { checks: VerifyCheck[]; rebuilt: Rebuilt } {
  const integrity = integrityChecks(bundle);
  const rebuiltForDerived = runEvidenceFromBundle(bundle, { ok: integrity.every((c) => c.ok), checks: integrity });
  const checks = [...integrity, checkDerived(bundle, rebuiltForDerived)];
  const rebuilt = runEvidenceFromBundle(bundle, { ok: checks.every((c) => c.ok), checks });
  return { checks, rebuilt };
}

/** The seven gates as the evidence files of `bundle` imply them (the harness writes PASS_FAIL.txt from this). */
export function judgeBundle(bundle: Bundle): Gate[] {
  const { rebuilt } = integrityAndDerived(bundle);
  if (!rebuilt.ok) throw new ExoArmurError('BUNDLE_UNJUDGEABLE', `the bundle's evidence cannot be judged: ${rebuilt.problems.join('; ')}`);
  return judgeRun(rebuilt.evidence);
}

/**
 * Runs every check over the bundle in `dir`, and its origin against `trusted` (base64 SPKI; null:
 * none given, so the bundle can never verify). Throws only when `dir` is not a bundle at all.
 */
export async function verifyBundle(dir: string, trusted: string | null): Promise<VerifyResult> {
  const bundle = await readBundle(dir);
  const { checks, rebuilt } = integrityAndDerived(bundle);
  checks.push(checkGates(bundle, rejudge(rebuilt), rebuilt));
  const origin = checkOrigin(bundle, trusted);
  return { ok: checks.every((c) => c.ok) && origin.status === 'verified', checks, origin };
}

/** The ✔/✘ lines and the final line `exoarmur verify` prints. */
export function formatVerifyResult(dir: string, result: VerifyResult): string {
  const lines = result.checks.map((c) => `${c.ok ? '✔' : '✘'} ${c.name}: ${c.detail}`);
  const failed = result.checks.filter((c) => !c.ok).map((c) => c.name);
  const origin = result.origin;
  lines.push(`${origin.status === 'verified' ? '✔' : '✘'} origin ${origin.status.toUpperCase()}: ${origin.detail}`);
  const checks = failed.length === 0 ? `all ${result.checks.length} checks hold` : `${failed.length} of ${result.checks.length} checks failed (${failed.join(', ')})`;
  lines.push(result.ok ? `VERIFIED ${dir}: ${checks}; origin verified against the trusted key` : `NOT VERIFIED ${dir}: ${checks}; origin ${origin.status}`);
  return `${lines.join('\n')}\n`;
}
