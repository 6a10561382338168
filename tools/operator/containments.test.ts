/** `exoarmur operator contained` as a pure view over the state changelog's containments. */
import test from 'ava';
import type { Intent } from '../../processor/core/types.js';
import type { PartitionContainment } from './approvals.js';
import { containmentText, containmentViews } from './containments.js';

const intent = (tenant: string, subject: string): Intent =>
  ({ tenant_id: tenant, correlation_id: `c-${subject}`, subject, subject_kind: 'host', action_class: 'A2_hard_containment', intent_type: 'isolate_host' }) as Intent;
const at = (hhmm: string) => `2026-03-01T${hhmm}:00.000Z`;

const containments = new Map<string, PartitionContainment>([
  ['I-late', { partition: 0, status: 'scheduled', ends_at: at('12:00'), intent: intent('acme', 'web-2') }],
  ['I-soon', { partition: 1, status: 'scheduled', ends_at: at('11:00'), intent: intent('acme', 'web-1') }],
  ['I-kept', { partition: 0, status: 'kept', ends_at: null, intent: intent('acme', 'db-1') }],
  ['I-gone', { partition: 0, status: 'reverted', ends_at: at('09:00'), intent: intent('acme', 'old-1') }],
  ['I-other', { partition: 1, status: 'scheduled', ends_at: at('10:30'), intent: intent('globex', 'x-1') }],
]);
const streamTimes = new Map<number, string | null>([
  [0, at('10:00')],
  [1, null],
]);

test('contained: scheduled soonest first (stream time left, unknown without one), then kept; reverted only with all; one tenant', (t) => {
  const views = containmentViews(containments, streamTimes, { tenant: 'acme', all: false });
  t.deepEqual(
    views.map((v) => [v.intent_id, v.status, v.ends_at, v.reverts_in, v.partition, v.subject]),
    [
      ['I-soon', 'scheduled', at('11:00'), 'unknown', 1, 'host web-1'],
      ['I-late', 'scheduled', at('12:00'), '2h 00m', 0, 'host web-2'],
      ['I-kept', 'kept', null, '', 0, 'host db-1'],
    ],
  );
  t.deepEqual(
    containmentViews(containments, streamTimes, { all: true }).map((v) => v.intent_id),
    ['I-other', 'I-soon', 'I-late', 'I-kept', 'I-gone'],
  );
  t.is(
    containmentText(views),
    [
      `I-soon  p1  acme  isolate_host host web-1 (A2_hard_containment)  reverts at ${at('11:00')} (stream time unknown)`,
      `I-late  p0  acme  isolate_host host web-2 (A2_hard_containment)  reverts at ${at('12:00')} (in 2h 00m of stream time)`,
      'I-kept  p0  acme  isolate_host host db-1 (A2_hard_containment)  kept by an operator, no end',
      '',
    ].join('\n'),
  );
  t.regex(containmentText([]), /^no containment with a self-revert/);
});
