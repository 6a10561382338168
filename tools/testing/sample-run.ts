/**
 * Test support: a small but complete run of the real core over two partitions — releases,
 * denials, a duplicate, a malformed record, a human approval granted by a signed operator
 * action, a quorum approval left pending — for the pure tests of verify and replay.
 */
import { at, configWith, makeOperator, newUlid, telemetry } from '../../processor/testing/harness.js';
import { signAction } from '../../processor/operator-signing.js';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { CoreRun } from './core-run.js';

export function sampleCoreRun(): CoreRun {
  const alice = makeOperator('alice');
  const config = configWith({ policy: { trust: { 'cell-low': 0.3 } } }, [alice]);
  const run = new CoreRun(config, 2);

  const first = telemetry({ severity: 'critical', cell_id: 'cell-a', correlation_id: 'corr-1', observed_at: at(0) });
  run.telemetry(0, first);
  run.telemetry(0, telemetry({ severity: 'low', cell_id: 'cell-b', correlation_id: 'corr-1', observed_at: at(5) }));
  run.telemetry(0, first); // a duplicate delivery
  run.telemetry(0, '{"schema_version":"1", this is not json');
  run.telemetry(0, telemetry({ severity: 'high', cell_id: 'cell-low', correlation_id: 'corr-2', observed_at: at(10) }));
  const requested = run.outputs.get(0)!.audit.find((r) => r.event_kind === 'approval_requested') as AuditRecordV1<'approval_requested'>;
  run.action(
    0,
    signAction(
      {
        schema_version: '1',
        action_id: newUlid(),
        action: 'approve',
        tenant_id: 'acme',
        correlation_id: 'corr-2',
        approval_id: requested.payload.approval_id,
        intent_hash: requested.payload.intent_hash,
        scope: null,
        actor_id: 'alice',
        decided_at: at(60),
        reason: null,
      },
      alice.privateKey,
    ),
  );
  run.telemetry(0, telemetry({ severity: 'medium', cell_id: 'cell-a', correlation_id: 'corr-3', observed_at: at(20) }));

  run.telemetry(1, telemetry({ severity: 'high', cell_id: 'cell-a', correlation_id: 'corr-9', entity_refs: { host: 'host-9' }, observed_at: at(3) }));
  run.telemetry(1, telemetry({ severity: 'critical', cell_id: 'cell-c', correlation_id: 'corr-9', entity_refs: { host: 'host-9' }, observed_at: at(4) }));
  run.telemetry(1, telemetry({ severity: 'medium', cell_id: 'cell-b', correlation_id: 'corr-8', entity_refs: { user: 'bob' }, observed_at: at(2) }));
  return run;
}
