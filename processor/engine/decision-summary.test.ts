import test from 'ava';
import type { OutputRecord } from '../core/api.js';
import { summarizeDecisions } from './decision-summary.js';

const audit = (event_kind: string, payload: Record<string, unknown> = {}): OutputRecord => ({ role: 'audit', key: 'k', value: { event_kind, payload } });

test('a batch summary counts receipts by kind, verdicts by rule, dead letters, approvals, and takes the last pending count', (t) => {
  const records: OutputRecord[] = [
    audit('telemetry_received'),
    audit('safety_evaluated', { rule: 'SG-403', verdict: 'allow' }),
    audit('telemetry_received'),
    audit('safety_evaluated', { rule: 'SG-301', verdict: 'require_human' }),
    audit('approval_requested'),
    { role: 'state', key: 'meta/0', value: { kind: 'meta', meta: { pending_count: 1 } } },
    audit('telemetry_rejected'),
    { role: 'dlq', key: null, value: {} },
    audit('approval_expired'),
    { role: 'state', key: 'meta/0', value: { kind: 'meta', meta: { pending_count: 0 } } },
    { role: 'state', key: 'idem/t/x', value: { kind: 'idempotency', meta: null } },
    { role: 'execute', key: 'h1', value: {} },
  ];
  t.deepEqual(summarizeDecisions(records), {
    receipts: { telemetry_received: 2, telemetry_rejected: 1 },
    verdicts: { 'SG-403:allow': 1, 'SG-301:require_human': 1 },
    dead_letters: 1,
    approvals_requested: 1,
    approvals_expired: 1,
    pending_approvals: 0,
  });
  t.deepEqual(summarizeDecisions([]), { receipts: {}, verdicts: {}, dead_letters: 0, approvals_requested: 0, approvals_expired: 0, pending_approvals: null });
});

test('every receipt kind of every input topic is counted as a receipt; other audit kinds are not', (t) => {
  const kinds = [
    'telemetry_received',
    'telemetry_duplicate',
    'telemetry_rejected',
    'action_received',
    'action_duplicate',
    'action_rejected',
    'result_received',
    'result_duplicate',
    'result_rejected',
  ];
  const records = [...kinds, 'operator_action_rejected', 'execution_failed', 'intent_released'].map((kind) => audit(kind));
  t.deepEqual(summarizeDecisions(records).receipts, {
    telemetry_received: 1,
    telemetry_duplicate: 1,
    telemetry_rejected: 1,
    action_received: 1,
    action_duplicate: 1,
    action_rejected: 1,
    result_received: 1,
    result_duplicate: 1,
    result_rejected: 1,
  });
});
