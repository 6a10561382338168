/** The seven gates (DESIGN §5) as values, and PASS_FAIL.txt. Pure: evidence in, lines out. */
export type GateStatus = 'PASS' | 'FAIL' | 'UNPROVEN';

export interface Gate {
  n: number;
  name: string;
  status: GateStatus;
  evidence: string;
}

export const GATE_NAMES = ['DURABLE_PERSISTENCE', 'RESTART_SURVIVAL', 'REPLAY_EQUIVALENCE', 'DEPLOYMENT', 'TIME_TRUTH', 'IDEMPOTENCY', 'CONFIG_AND_HUMAN_TRUTH'] as const;

/** PASS when every check holds; otherwise FAIL naming the checks that did not. */
export function judge(n: number, checks: ReadonlyArray<[ok: boolean, what: string]>, facts: string): Gate {
  const failed = checks.filter(([ok]) => !ok).map(([, what]) => what);
  return {
    n,
    name: GATE_NAMES[n - 1]!,
    status: failed.length === 0 ? 'PASS' : 'FAIL',
    evidence: failed.length === 0 ? facts : `failed: ${failed.join('; ')} (${facts})`,
  };
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
  const named = report.mismatches.slice(0, 3).map((m) => `${m.field} at partition ${m.partition} seq ${m.seq ?? '-'}`).join(', ');
  return judge(3, [
    [!report.config_overridden, 'replay used a config other than the recorded snapshots'],
    [report.pass && report.mismatched === 0, `${report.mismatched} mismatches${named ? ` (${named})` : ''}`],
    [report.compared === exported, `replay compared ${report.compared} records, the run exported ${exported}`],
    [followedOrder, 'replay did not follow the recorded receipt order'],
  ], `replay of ${report.inputs_replayed} inputs from the broker alone compared ${report.compared} audit records: ${report.matched} matched, ${report.mismatched} mismatched; intent hashes, verdicts, approvals, trace structure, execute and dead letters equal; recorded receipt order followed (${report.events_per_second} events/s)`);
}
