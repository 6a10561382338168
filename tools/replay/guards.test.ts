/** Every guard's decisions replay identically from the recorded run (docs/guards.md). */
import test from 'ava';
import { buildEffectiveConfig } from '../../processor/config/index.js';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { at, configWith, telemetry } from '../../processor/testing/harness.js';
import { CORE_RUN_TOPICS, CoreRun } from '../testing/core-run.js';
import { replayRecorded } from './offline.js';

test('SG-150 decisions replay with 0 mismatches; replayed without the guard, the moved verdict is named', (t) => {
  const run = new CoreRun(configWith({ policy: { protected_subjects: ['prod-db-*'] } }), 1);
  run.telemetry(0, telemetry({ severity: 'critical', entity_refs: { host: 'prod-db-1' }, correlation_id: 'a', observed_at: at(0) }));
  run.telemetry(0, telemetry({ severity: 'critical', entity_refs: { host: 'web-1' }, correlation_id: 'b', observed_at: at(1) }));
  const gates = run.auditExport().filter((r): r is AuditRecordV1<'safety_evaluated'> => r.event_kind === 'safety_evaluated');
  t.deepEqual(
    gates.map((r) => r.payload.rule),
    ['SG-150', 'SG-403'],
  );
  t.like(run.replay('guards'), { mismatched: 0, verdicts_equal: true, pass: true });

  const unguarded = replayRecorded(run.recorded(), {
    runId: 'guards-off',
    telemetryTopic: CORE_RUN_TOPICS.telemetry,
    operatorTopic: CORE_RUN_TOPICS.operator_actions,
    configOverride: (recorded) => {
      const { protected_subjects: _removed, ...policy } = recorded.config.policy;
      return buildEffectiveConfig({ ...recorded.config, policy });
    },
  });
  t.false(unguarded.pass);
  const ruleMoves = unguarded.mismatches.filter((m) => m.field === 'payload.rule');
  t.deepEqual(
    ruleMoves.find((m) => m.audit_id === gates[0]!.audit_id),
    { partition: 0, seq: gates[0]!.seq, audit_id: gates[0]!.audit_id, field: 'payload.rule', recorded: 'SG-150', replayed: 'SG-403' },
  );
  t.false(
    unguarded.mismatches.some((m) => m.audit_id === gates[1]!.audit_id),
    'the unprotected host decides the same either way',
  );
});
