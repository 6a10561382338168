/**
 * Checks a recorded-run directory and replays it offline through the real core. Each kind of
 * damage has its own named problem, and every check runs even when SHA256SUMS already fails, so
 * a recording whose sums were regenerated after an edit is still caught by what the edit broke:
 * the counts in run.json, a config snapshot's own hash, the audit hash chains, or the replay.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '../../processor/core/canonical.js';
import { verifyChain } from '../../processor/core/chain.js';
import { ExoArmurError } from '../../processor/errors.js';
import { nodePrimitives } from '../../processor/primitives.js';
import { sha256OfBytes } from '../bundle/files.js';
import { replayRecorded } from '../replay/offline.js';
import type { ReplayReport } from '../replay/report.js';
import { parseSums, RECORDED_FILES, SUMMED_FILES, type RunMeta } from './format.js';
import { loadRecordedRun } from './load.js';
import { countsOf } from './write.js';

export type ProblemCode =
  'SUMS_MISMATCH' | 'SUMS_UNREADABLE' | 'LOAD_FAILED' | 'COUNT_MISMATCH' | 'CONFIG_HASH_MISMATCH' | 'AUDIT_CHAIN_BROKEN' | 'REPLAY_FAILED' | 'REPLAY_MISMATCH';

export interface Problem {
  code: ProblemCode;
  detail: string;
}

export interface RecordedCheck {
  ok: boolean;
  problems: Problem[];
  meta: RunMeta | null;
  /** Null when the directory could not be loaded or replay stopped with an error. */
  report: ReplayReport | null;
}

/** How many mismatches a REPLAY_MISMATCH problem spells out. */
const LISTED_MISMATCHES = 5;

async function checkSums(dir: string, problems: Problem[]): Promise<void> {
  let listed: Map<string, string> | null = null;
  try {
    listed = parseSums(await readFile(join(dir, RECORDED_FILES.sums), 'utf8'));
  } catch {
    listed = null;
  }
  if (listed === null) {
    problems.push({ code: 'SUMS_UNREADABLE', detail: `${RECORDED_FILES.sums} is missing or not in sha256sum format` });
    return;
  }
  for (const name of SUMMED_FILES) {
    const expected = listed.get(name);
    let actual: string | null;
    try {
      actual = sha256OfBytes(await readFile(join(dir, name)));
    } catch {
      actual = null;
    }
    if (expected === undefined) problems.push({ code: 'SUMS_MISMATCH', detail: `${name} is not listed in ${RECORDED_FILES.sums}` });
    else if (actual === null) problems.push({ code: 'SUMS_MISMATCH', detail: `${name} is listed in ${RECORDED_FILES.sums} but missing` });
    else if (actual !== expected)
      problems.push({ code: 'SUMS_MISMATCH', detail: `${name}: sha256 ${actual.slice(0, 12)}… differs from ${RECORDED_FILES.sums} ${expected.slice(0, 12)}…` });
  }
}

function countProblems(recorded: unknown, loaded: unknown, path: string, problems: Problem[]): void {
  if (canonicalJson(recorded) === canonicalJson(loaded)) return;
  if (typeof recorded === 'object' && recorded !== null && typeof loaded === 'object' && loaded !== null && !Array.isArray(recorded)) {
    const keys = [...new Set([...Object.keys(recorded), ...Object.keys(loaded)])].sort();
    for (const k of keys) countProblems((recorded as Record<string, unknown>)[k], (loaded as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`, problems);
    return;
  }
  problems.push({
    code: 'COUNT_MISMATCH',
    detail: `counts.${path}: ${RECORDED_FILES.run} says ${canonicalJson(recorded ?? null)}, the files hold ${canonicalJson(loaded ?? null)}`,
  });
}

export async function checkRecordedRun(dir: string): Promise<RecordedCheck> {
  const problems: Problem[] = [];
  await checkSums(dir, problems);

  let loaded: Awaited<ReturnType<typeof loadRecordedRun>>;
  try {
    loaded = await loadRecordedRun(dir);
  } catch (error) {
    if (!(error instanceof ExoArmurError)) throw error;
    problems.push({ code: 'LOAD_FAILED', detail: `${error.code}: ${error.message}` });
    return { ok: false, problems, meta: null, report: null };
  }
  const { meta, recorded } = loaded;

  countProblems(meta.counts, countsOf(recorded, meta.topics), '', problems);

  for (const snapshot of recorded.snapshots.values()) {
    const actual = nodePrimitives.sha256Hex(snapshot.config);
    if (actual !== snapshot.config_hash) {
      problems.push({ code: 'CONFIG_HASH_MISMATCH', detail: `config snapshot ${snapshot.config_hash.slice(0, 12)}… hashes to ${actual.slice(0, 12)}…: its config was edited` });
    }
  }

  for (const [partition, outputs] of [...recorded.outputs].sort((a, b) => a[0] - b[0])) {
    const broken = verifyChain(nodePrimitives, outputs.audit);
    if (broken !== null) {
      problems.push({
        code: 'AUDIT_CHAIN_BROKEN',
        detail: `partition ${partition} line ${broken.index + 1} of its records (seq ${broken.seq}, ${broken.audit_id}): ${broken.kind}, ${broken.detail}`,
      });
    }
  }

  let report: ReplayReport | null = null;
  try {
    report = replayRecorded(recorded, { runId: meta.run_id, telemetryTopic: meta.topics.telemetry, operatorTopic: meta.topics.operator_actions });
  } catch (error) {
    if (!(error instanceof ExoArmurError)) throw error;
    problems.push({ code: 'REPLAY_FAILED', detail: `${error.code}: ${error.message}` });
  }
  if (report !== null) {
    if (!report.pass) {
      const listed = report.mismatches
        .slice(0, LISTED_MISMATCHES)
        .map((m) => `partition ${m.partition} seq ${m.seq ?? '-'} ${m.audit_id ?? ''} ${m.field}: recorded ${canonicalJson(m.recorded)} replayed ${canonicalJson(m.replayed)}`);
      problems.push({ code: 'REPLAY_MISMATCH', detail: `${report.mismatched} of ${report.compared} records differ from what the core decides now; ${listed.join('; ')}` });
    }
    if (report.compared !== meta.counts.audit || report.inputs_replayed !== meta.counts.receipts) {
      problems.push({
        code: 'COUNT_MISMATCH',
        detail: `replay compared ${report.compared} audit records over ${report.inputs_replayed} inputs, ${RECORDED_FILES.run} records ${meta.counts.audit} over ${meta.counts.receipts} receipts`,
      });
    }
  }
  return { ok: problems.length === 0, problems, meta, report };
}

/** One line per problem, or the PASS summary. */
export function formatRecordedCheck(dir: string, check: RecordedCheck): string {
  if (check.ok && check.report !== null) {
    const r = check.report;
    return `recorded run ${dir}: PASS — ${r.inputs_replayed} inputs replayed, ${r.matched}/${r.compared} audit records matched, execute and dead letters equal\n`;
  }
  return [`recorded run ${dir}: FAIL`, ...check.problems.map((p) => `  ${p.code}: ${p.detail}`)].join('\n') + '\n';
}
