/** A gate verdict and the one way a gate is judged from its checks (tools/reality/gates.ts, tools/reality/deployment-gate.ts). Pure. */
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
