/** traceStory over audit records alone (what a bundle holds): a rejected input is found by the ids its value carried. */
import test from 'ava';
import { configWith, makeOperator, Run, signedAction, telemetry } from '../../processor/testing/harness.js';
import { encodeOperatorAction } from '../../processor/codec/index.js';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { traceStory } from './story.js';

const auditOf = (run: Run): AuditRecordV1[] => run.all.filter((r) => r.role === 'audit').map((r) => r.value as AuditRecordV1);

test('a rejected event is found by its event id, and a rejected action by its action id, with no dead letter at hand', (t) => {
  const run = new Run(configWith());
  const event = telemetry({ severity: 'urgent', correlation_id: 'corr-r' });
  run.telemetry(event, null);
  run.telemetry(telemetry({ correlation_id: 'corr-ok' }));
  const action = signedAction(makeOperator('alice'), { schema_version: '9' as '1' });
  const enc = encodeOperatorAction(action);
  run.rawAction(enc.value as Buffer, enc.headers, null);

  const byEvent = traceStory(auditOf(run), event['event_id'] as string);
  t.deepEqual(
    byEvent?.inputs.map((i) => [i.final, i.records.map((r) => r.event_kind)]),
    [['REJECTED', ['telemetry_rejected']]],
  );
  const byAction = traceStory(auditOf(run), action.action_id);
  t.deepEqual(
    byAction?.inputs.map((i) => i.records.map((r) => [r.event_kind, (r.payload as { reason_code?: string }).reason_code])),
    [[['action_rejected', 'bad_schema_version']]],
  );
  // The control: the same records with the identifiers a pre-change receipt lacks no longer name the event.
  const older = auditOf(run).map((r) => (r.event_kind === 'telemetry_rejected' ? ({ ...r, payload: { ...r.payload, identifiers: null } } as AuditRecordV1) : r));
  t.is(traceStory(older, event['event_id'] as string), null);
});
