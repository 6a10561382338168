/**
 * Sensor admission (policy.unknown_cell) through the real core: default_trust (the default) keeps
 * today's decisions, observe_only denies an unknown cell anything above A0 by SG-105, reject refuses
 * its telemetry at receipt with reason unknown_cell; a cell in policy.trust is never affected.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { configWith, Run, telemetry } from '../testing/harness.js';
import type { AuditRecordV1, DeadLetterV1 } from './types.js';

function outcome(policy: Record<string, unknown>, cell: string): { kinds: string[]; rule: string | null; reject: string | null } {
  const run = new Run(configWith({ policy: { trust: { 'ids-known': 0.9 }, ...policy } }));
  const records = run.telemetry(telemetry({ cell_id: cell, severity: 'critical' }));
  const audits = records.filter((r) => r.role === 'audit').map((r) => r.value as AuditRecordV1);
  const gate = audits.find((a) => a.event_kind === 'safety_evaluated') as AuditRecordV1<'safety_evaluated'> | undefined;
  const rejected = audits.find((a) => a.event_kind === 'telemetry_rejected') as AuditRecordV1<'telemetry_rejected'> | undefined;
  return {
    kinds: records.filter((r) => r.role !== 'state').map((r) => (r.role === 'audit' ? (r.value as AuditRecordV1).event_kind : r.role)),
    rule: gate?.payload.rule ?? null,
    reject: rejected === undefined ? null : `${rejected.payload.reason_code}: ${rejected.payload.reason}`,
  };
}

const released = ['telemetry_received', 'facts_derived', 'belief_emitted', 'collective_updated', 'intent_proposed', 'safety_evaluated', 'intent_released', 'execute'];

test('table: unknown_cell policy x known/unknown cell', (t) => {
  const table: [Record<string, unknown>, string, { kinds: string[]; rule: string | null; reject: string | null }][] = [
    [{}, 'ids-unknown', { kinds: released, rule: 'SG-403', reject: null }],
    [{ unknown_cell: 'default_trust' }, 'ids-unknown', { kinds: released, rule: 'SG-403', reject: null }],
    [{ unknown_cell: 'observe_only' }, 'ids-known', { kinds: released, rule: 'SG-403', reject: null }],
    [
      { unknown_cell: 'observe_only' },
      'ids-unknown',
      {
        kinds: ['telemetry_received', 'facts_derived', 'belief_emitted', 'collective_updated', 'intent_proposed', 'safety_evaluated', 'intent_denied'],
        rule: 'SG-105',
        reject: null,
      },
    ],
    [{ unknown_cell: 'reject' }, 'ids-known', { kinds: released, rule: 'SG-403', reject: null }],
    [
      { unknown_cell: 'reject' },
      'ids-unknown',
      { kinds: ['telemetry_rejected', 'dlq'], rule: null, reject: 'unknown_cell: cell "ids-unknown" is not in policy.trust and policy.unknown_cell is reject' },
    ],
  ];
  for (const [policy, cell, expected] of table) t.deepEqual(outcome(policy, cell), expected, `${JSON.stringify(policy)} ${cell}`);
});

test('an observe_only unknown cell still gets A0 (observe) allowed', (t) => {
  t.is(outcome({ unknown_cell: 'observe_only', severity_confidence: { low: 0.2, medium: 0.5, high: 0.8, critical: 0.3 } }, 'ids-unknown').rule, 'SG-501');
});

test('default_trust is absent from the effective config unless set, so config and policy hashes keep', (t) => {
  t.false('unknown_cell' in configWith().config.policy);
  t.is(configWith({ policy: { unknown_cell: 'reject' } }).config.policy.unknown_cell, 'reject');
  t.throws(() => configWith({ policy: { unknown_cell: 'maybe' } }), { message: /config key "policy.unknown_cell" must be one of default_trust, observe_only, reject/ });
});

// A decoded event refused at receipt (unknown_cell here, no_subject in stage 2): the whole receipt, the SHA-256 of the
// delivered bytes computed here, and the event's own ids.
test('a refused decoded event: its whole receipt names its ids and the SHA-256 of the bytes delivered', (t) => {
  const cases: [Record<string, unknown>, Record<string, unknown>, string, string][] = [
    [{ unknown_cell: 'reject' }, { cell_id: 'ids-unknown' }, 'unknown_cell', 'cell "ids-unknown" is not in policy.trust and policy.unknown_cell is reject'],
    [{}, { cell_id: 'ids-known', entity_refs: {} }, 'no_subject', 'no subject: entity_refs names none of host, user, process, ip, service'],
  ];
  for (const [policy, over, reason_code, reason] of cases) {
    const run = new Run(configWith({ policy: { trust: { 'ids-known': 0.9 }, ...policy } }));
    const event = telemetry({ correlation_id: 'corr-r', ...over });
    const bytes = Buffer.from(JSON.stringify(event));
    const records = run.telemetry(event);
    const receipt = records.find((r) => r.role === 'audit' && (r.value as AuditRecordV1).event_kind === 'telemetry_rejected')!.value as AuditRecordV1<'telemetry_rejected'>;
    const deadLetter = records.find((r) => r.role === 'dlq')!.value as DeadLetterV1;
    t.deepEqual(receipt.payload, {
      dead_letter_id: deadLetter.dead_letter_id,
      identifiers: { action_id: null, cell_id: over['cell_id'] as string, correlation_id: 'corr-r', event_id: event['event_id'] as string, tenant_id: 'acme' },
      reason,
      reason_code,
      value_sha256: createHash('sha256').update(bytes).digest('hex'),
      value_size: bytes.length,
    });
  }
});
