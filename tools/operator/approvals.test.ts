import test from 'ava';
import type { ApprovalState } from '../../processor/core/types.js';
import { killSwitchText, killSwitchViews } from './kill-switches.js';
import { durationText, pendingTable, pendingViews, requirementText, timeLeft, type ExpiryContext } from './approvals.js';

const before: ExpiryContext = { streamTimes: new Map([[1, '2026-01-02T03:10:00.000Z']]), now: new Date('2026-01-02T03:10:00.000Z') };

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
    pendingViews(all, undefined, before).map((v) => v.approval_id),
    ['A', 'X', 'B'],
  );
  t.deepEqual(
    pendingViews(all, 'globex', before).map((v) => v.approval_id),
    ['X'],
  );
  t.deepEqual(pendingViews(all, 'nobody', before), []);
});

test('the view carries everything approve/deny and a person need', (t) => {
  const [view] = pendingViews(new Map([['A', approval('A', { votes: [{ actor_id: 'alice', action_id: 'x', decided_at: '2026-01-02T03:05:00.000Z' }] })]]), undefined, before);
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
    stream_time: '2026-01-02T03:10:00.000Z',
    time_left: '9m 05s',
    past_expiry_by_clock: false,
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
      undefined,
      before,
    ),
  )
    .trimEnd()
    .split('\n');
  t.is(lines.length, 3);
  t.regex(lines[0]!, /^APPROVAL_ID\s+P\s+TENANT\s+CLASS\s+RULE\s+REQUIREMENT\s+EXPIRES_AT \(event time\)\s+LEFT \(stream time\)\s+INTENT$/);
  t.is(lines[1]!.indexOf('SG-'), lines[2]!.indexOf('SG-'));
  t.regex(lines[1]!, /quorum 0 of 2/);
  t.regex(lines[2]!, /SG-301\s+human\s/);
});

test('time left is stream time to expiry; past it, or before any stream time, says so', (t) => {
  t.is(timeLeft('2026-01-02T03:19:05.678Z', '2026-01-02T03:04:05.678Z'), '15m 00s');
  t.is(timeLeft('2026-01-02T03:19:05.678Z', '2026-01-02T03:19:05.679Z'), 'expired');
  t.is(timeLeft('2026-01-02T03:19:05.678Z', null), 'unknown');
  t.deepEqual([durationText(9_999), durationText(3_723_000)], ['9s', '1h 02m']);
});

test('approvals whose expiry the operator clock has passed are flagged and explained under the table', (t) => {
  const late: ExpiryContext = { streamTimes: new Map(), now: new Date('2026-06-01T00:00:00.000Z') };
  const views = pendingViews(new Map([['A', approval('A')]]), undefined, late);
  t.like(views[0], { stream_time: null, time_left: 'unknown', past_expiry_by_clock: true });
  t.is(
    pendingTable(views).split('\n').at(-2),
    'note: your clock is past the expiry of 1 of these; an approve or deny signed now is rejected (after_expiry), so they can only expire',
  );
});

test('kill switches: one line per scope ever set, a partition split named, none ever set says all off', (t) => {
  const rec = (partition: number, on: boolean, decided_at: string, tenant_id: string | null = null) => ({
    partition,
    on,
    decided_at,
    tenant_id,
    scope: tenant_id === null ? ('global' as const) : ('tenant' as const),
    actor_id: 'alice',
    action_id: `A${decided_at}`,
    reason: 'drill',
  });
  t.is(killSwitchText([]), 'kill switches: none ever set (all off)\n');
  const views = killSwitchViews([rec(0, true, '2026-01-02T03:00:00.000Z'), rec(1, false, '2026-01-01T03:00:00.000Z'), rec(0, false, '2026-01-02T04:00:00.000Z', 'acme')]);
  t.deepEqual(views[0], {
    scope: 'global',
    on_partitions: [0],
    off_partitions: [1],
    last: { on: true, actor_id: 'alice', reason: 'drill', decided_at: '2026-01-02T03:00:00.000Z', action_id: 'A2026-01-02T03:00:00.000Z' },
  });
  t.is(
    killSwitchText(views),
    'kill switch global: ON in 1 of 2 partitions (not yet applied everywhere) — last on by alice at 2026-01-02T03:00:00.000Z: "drill"\n' +
      'kill switch tenant acme: OFF — last off by alice at 2026-01-02T04:00:00.000Z: "drill"\n',
  );
});
