import test from 'ava';
import type { ApprovalState } from '../../processor/core/types.js';
import { pendingTable, pendingViews, requirementText } from './approvals.js';

function approval(id: string, over: Partial<ApprovalState> & { tenant?: string } = {}): ApprovalState {
  const { tenant = 'acme', ...rest } = over;
  return {
    approval_id: id,
    status: 'pending',
    requirement: 'quorum',
    required_votes: 2,
    votes: [],
    rule: 'SG-404',
    expires_at: '2026-01-02T03:19:05.678Z',
    partition: 1,
    intent: {
      intent_id: `I${id}`,
      tenant_id: tenant,
      correlation_id: 'c1',
      trace_id: 't1',
      event_id: `E${id}`,
      subject: 'h1',
      subject_kind: 'host',
      claim_type: 'malware',
      action_class: 'A2_hard_containment',
      intent_type: 'isolate',
      classification: 'malicious',
      confidence: 0.85,
      event_time: '2026-01-02T03:04:05.678Z',
    },
    intent_hash: 'a'.repeat(64),
    decided_at: null,
    ...rest,
  };
}

test('only pending approvals are listed, filtered by tenant, soonest expiry first', (t) => {
  const all = new Map([
    ['B', approval('B', { expires_at: '2026-01-02T03:20:00.000Z' })],
    ['A', approval('A')],
    ['G', approval('G', { status: 'granted' })],
    ['X', approval('X', { tenant: 'globex' })],
  ]);
  t.deepEqual(
    pendingViews(all).map((v) => v.approval_id),
    ['A', 'X', 'B'],
  );
  t.deepEqual(
    pendingViews(all, 'globex').map((v) => v.approval_id),
    ['X'],
  );
  t.deepEqual(pendingViews(all, 'nobody'), []);
});

test('the view carries everything approve/deny and a person need', (t) => {
  const [view] = pendingViews(new Map([['A', approval('A', { votes: [{ actor_id: 'alice', action_id: 'x', decided_at: '2026-01-02T03:05:00.000Z' }] })]]));
  t.deepEqual(view, {
    approval_id: 'A',
    partition: 1,
    tenant_id: 'acme',
    correlation_id: 'c1',
    intent_summary: 'isolate host h1 (malware, malicious 0.85, event 2026-01-02T03:04:05.678Z)',
    action_class: 'A2_hard_containment',
    rule: 'SG-404',
    requirement: 'quorum',
    required_votes: 2,
    votes: ['alice'],
    expires_at: '2026-01-02T03:19:05.678Z',
    intent_hash: 'a'.repeat(64),
    event_id: 'EA',
  });
  t.is(requirementText(view!), 'quorum 1 of 2 (alice)');
  t.is(requirementText({ ...view!, requirement: 'human', required_votes: 1, votes: [] }), 'human');
});

test('the table has a header and one aligned row per approval; empty says so', (t) => {
  t.is(pendingTable([]), 'no pending approvals\n');
  const lines = pendingTable(
    pendingViews(
      new Map([
        ['A', approval('A')],
        ['B', approval('B', { requirement: 'human', required_votes: 1, rule: 'SG-301' })],
      ]),
    ),
  )
    .trimEnd()
    .split('\n');
  t.is(lines.length, 3);
  t.regex(lines[0]!, /^APPROVAL_ID\s+P\s+TENANT\s+CLASS\s+RULE\s+REQUIREMENT\s+EXPIRES_AT \(event time\)\s+INTENT$/);
  t.is(lines[1]!.indexOf('SG-'), lines[2]!.indexOf('SG-'));
  t.regex(lines[1]!, /quorum 0 of 2/);
  t.regex(lines[2]!, /SG-301\s+human\s/);
});
