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
