/**
 * The final state of an intent whose approval was granted but whose release a guard then refused
 * (SG-160, the circuit breaker): DENIED, not APPROVED. Judged on records the real core wrote, by
 * both implementations: fateOf (trace, whatif, expectations, decisions) and the viewer's own
 * decisionAt (evidence-viewer/run-gates.js, loaded as the page loads it), which must agree.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { at, configWith, makeOperator, Run, signedAction, telemetry, TELEMETRY_TOPIC, type Operator } from '../../processor/testing/harness.js';
import { packageRoot } from '../viewer/embed.js';
import { decisionAt } from './decisions.js';

type ViewerDecision = { intent_hash: string | null; verdict: string | null; rule: string | null; approval: string; final: string | null };

function viewerDecisionAt(): (records: readonly unknown[], input: string) => ViewerDecision {
  const context: Record<string, unknown> = {};
  context['globalThis'] = context;
  for (const name of ['contracts.js', 'counts.js', 'run-gates.js'])
    runInNewContext(readFileSync(join(packageRoot(), 'evidence-viewer', name), 'utf8'), context, { filename: name });
  return (context['exoViewer'] as { decisionAt: (records: readonly unknown[], input: string) => ViewerDecision }).decisionAt;
}

let n = 0;
/** An A2 event on `host` at `second`; from cell-low (trust 0.3) it needs a human (SG-301), otherwise the gate releases it (SG-403). */
function a2(host: string, second: number, cell = 'cell-a') {
  n++;
  return telemetry({
    event_id: `01JF${String(n).padStart(22, '0')}`,
    cell_id: cell,
    attributes: { confidence: 0.95 },
    entity_refs: { host },
    correlation_id: `fate-${n}`,
    observed_at: at(second),
  });
}

/** Plays: a held A2 on h1 (telemetry offset 0), then `between`, then alice approves it. */
function heldThenGranted(policy: Record<string, unknown>, between: (run: Run) => void): { run: Run; alice: Operator } {
  const alice = makeOperator('alice');
  const run = new Run(configWith({ policy: { trust: { 'cell-low': 0.3 }, ...policy } }, [alice]));
  const held = run.telemetry(a2('h1', 0, 'cell-low')).map((r) => r.value as AuditRecordV1);
  const requested = held.find((r) => r?.event_kind === 'approval_requested') as AuditRecordV1<'approval_requested'>;
  between(run);
  run.action(
    signedAction(alice, {
      approval_id: requested.payload.approval_id,
      intent_hash: requested.payload.intent_hash,
      correlation_id: requested.correlation_id,
      decided_at: at(30),
    }),
  );
  return { run, alice };
}

const rows: [string, Record<string, unknown>, (run: Run) => void, string, string][] = [
  ['no guard in the way: APPROVED', {}, () => undefined, 'APPROVED', 'intent_released'],
  ['SG-160 refuses the release (another A2 on h1 went out first): DENIED', { no_double_containment: true }, (run) => run.telemetry(a2('h1', 5)), 'DENIED', 'containment_in_force'],
  [
    'the circuit breaker refuses the release (one A2 already released, max 1): DENIED',
    { circuit_breaker: { classes: ['A2_hard_containment'], max_releases: 1, window_s: 600 } },
    (run) => run.telemetry(a2('h2', 5)),
    'DENIED',
    'circuit_breaker_tripped',
  ],
];

for (const [name, policy, between, final, evidence] of rows) {
  test(`fate of a granted approval: ${name}`, (t) => {
    const { run } = heldThenGranted(policy, between);
    const audit = JSON.parse(JSON.stringify(run.audits())) as AuditRecordV1[];
    // The trail holds what makes it so: the grant, then the release or the guard's refusal.
    const kinds: string[] = audit.filter((r) => r.input.topic !== TELEMETRY_TOPIC).map((r) => r.event_kind);
    t.true(kinds.includes('approval_granted'));
    t.true(kinds.includes(evidence));
    const ours = decisionAt(audit, TELEMETRY_TOPIC, 0, '0', 'E');
    t.deepEqual({ verdict: ours.verdict, rule: ours.rule, approval: ours.approval, final: ours.final }, { verdict: 'require_human', rule: 'SG-301', approval: 'human', final });
    const { event_id: _e, input: _i, ...fields } = ours;
    t.deepEqual(viewerDecisionAt()(audit, `${TELEMETRY_TOPIC}/0/0`), fields);
  });
}
