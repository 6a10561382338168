/**
 * One mixed input sequence that reaches every event kind: releases, denials, approvals by a human
 * and by a quorum, an operator deny, expiry, rejected actions, kill switches, duplicates and
 * malformed records, and the actuator's results (succeeded, duplicate, gave up, unreadable). Used by
 * the round-trip, determinism and chain tests.
 */
import { encodeUlid } from '../core/ids.js';
import type { ExecutionIntentV1, OperatorActionV1 } from '../core/types.js';
import { at, configWith, payloadOf, resultFor, Run, signedAction, telemetry, type Operator } from './harness.js';

/** Event ids derived from a label, so two runs of the scenario feed byte-identical inputs. */
function id(n: number): string {
  return encodeUlid(1_700_000_000_000 + n, n.toString(16).padStart(20, '0'));
}

export function playScenario(alice: Operator, bob: Operator, partition = 0): Run {
  const guards = {
    no_double_containment: true,
    containment_ttl_s: { A1_soft_containment: 60, A2_hard_containment: 3600 },
    revert_intent_types: { A1_soft_containment: 'unblock_host' },
    circuit_breaker: { classes: ['A1_soft_containment'], max_releases: 2, window_s: 600 },
  };
  const run = new Run(
    configWith({ policy: { trust: { 'cell-low': 0.3 }, action_overrides: { ransomware: 'A3_irreversible', port_scan: 'A1_soft_containment' }, ...guards } }, [alice, bob]),
    partition,
  );
  let n = 0;
  const act = (op: Operator, over: Partial<OperatorActionV1>): OperatorActionV1 => {
    const k = ++n;
    return run.action(signedAction(op, { action_id: id(1000 + k), decided_at: at(30 + k), ...over }));
  };

  run.telemetry(telemetry({ event_id: id(1), severity: 'low' }));
  const observe = telemetry({ event_id: id(2), severity: 'low', entity_refs: { ip: '10.1.1.1' } });
  run.telemetry(observe);
  run.telemetry(observe);
  run.telemetry(telemetry({ event_id: id(3), severity: 'medium' }));
  const human = payloadOf(run.telemetry(telemetry({ event_id: id(4), cell_id: 'cell-low', correlation_id: 'corr-h' })), 'approval_requested');
  const quorum = payloadOf(run.telemetry(telemetry({ event_id: id(5), correlation_id: 'corr-q' })), 'approval_requested');
  const denied = payloadOf(run.telemetry(telemetry({ event_id: id(6), correlation_id: 'corr-d' })), 'approval_requested');
  run.telemetry(telemetry({ event_id: id(7), correlation_id: 'corr-e', observed_at: at(5) }));
  run.telemetry(telemetry({ event_id: id(8), event_type: 'ransomware', attributes: { confidence: 0.99 }, correlation_id: 'corr-r' }));
  run.telemetry(Buffer.from('not json'), 'acme:corr-x');
  run.telemetry(telemetry({ event_id: id(9), entity_refs: {} }));

  act(alice, { approval_id: human.approval_id, intent_hash: human.intent_hash, correlation_id: 'corr-h' });
  act(alice, { approval_id: quorum.approval_id, intent_hash: quorum.intent_hash, correlation_id: 'corr-q' });
  act(alice, { approval_id: quorum.approval_id, intent_hash: quorum.intent_hash, correlation_id: 'corr-q' });
  act(bob, { approval_id: quorum.approval_id, intent_hash: quorum.intent_hash, correlation_id: 'corr-q' });
  act(bob, { action: 'deny', approval_id: denied.approval_id, intent_hash: denied.intent_hash, correlation_id: 'corr-d', reason: 'maintenance' });
  act(bob, { approval_id: denied.approval_id, intent_hash: 'b'.repeat(64), correlation_id: 'corr-d' });
  run.rawAction(Buffer.from('not avro'), {}, 'acme:corr-1');
  const kill = act(alice, { action: 'kill_switch_on', scope: 'tenant', reason: 'drill' });
  run.action(kill);
  run.telemetry(telemetry({ event_id: id(10), attributes: { confidence: 0.95 }, correlation_id: 'corr-k' }));
  act(alice, { action: 'kill_switch_off', scope: 'tenant', reason: 'drill over' });
  // Guards: web-1 contained (A1), a second A1 on it is denied by SG-160; web-2 is the breaker's
  // second A1 release within its window, so web-3's would be a third: the tenant's kill switch trips.
  const a1 = (n: number, host: string, s: number) =>
    telemetry({
      event_id: id(n),
      event_type: 'port_scan',
      attributes: { confidence: 0.9 },
      severity: 'medium',
      entity_refs: { host },
      correlation_id: `corr-${host}`,
      observed_at: at(s),
    });
  run.telemetry(a1(12, 'web-1', 100));
  run.telemetry(a1(13, 'web-1', 110));
  run.telemetry(a1(14, 'web-2', 120));
  run.telemetry(a1(15, 'web-3', 130));
  // Stream time jumps past every expiry: the remaining approvals (corr-e, corr-r) expire, and the
  // A1 containments of web-1 and web-2 (60 s) revert.
  run.telemetry(telemetry({ event_id: id(11), severity: 'low', observed_at: at(5000), correlation_id: 'corr-z' }));

  // The actuator's results: one succeeded (and delivered twice), one given up, one unreadable.
  const executed = run.all.filter((r) => r.role === 'execute').map((r) => r.value as ExecutionIntentV1);
  const done = resultFor(executed[0]!, 'succeeded');
  run.result(done);
  run.result(done);
  run.result(resultFor(executed[1]!, 'gave_up'));
  run.rawResult(Buffer.from('not avro'), {}, 'acme:corr-2');
  return run;
}
