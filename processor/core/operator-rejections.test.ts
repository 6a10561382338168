/**
 * Every reason stage 8 (operator.ts) refuses an operator action for, as the whole
 * operator_action_rejected payload: the code and the precise sentence an operator reads. Boundaries
 * with their twins: decided_at exactly at the expiry is in time, one millisecond later is not.
 */
import test from 'ava';
import { at, configWith, makeOperator, payloadOf, Run, signedAction, telemetry } from '../testing/harness.js';
import type { OutputRecord } from './api.js';
import { msOf } from './time.js';
import type { AuditEventKind, OperatorActionV1 } from './types.js';

const alice = makeOperator('alice');
const bob = makeOperator('bob');
const mallory = makeOperator('mallory'); // never registered

/** A run with one pending human approval (cell trust 0.3: SG-301). */
function pendingHuman() {
  const run = new Run(configWith({ policy: { trust: { 'cell-low': 0.3 } } }, [alice, bob]));
  const req = payloadOf(run.telemetry(telemetry({ cell_id: 'cell-low' })), 'approval_requested');
  return { run, req };
}

function rejected(records: readonly OutputRecord[]) {
  return payloadOf(records, 'operator_action_rejected');
}

function expectedOf(action: OperatorActionV1, reason_code: string, reason: string) {
  return { action: action.action, action_id: action.action_id, actor_id: action.actor_id, approval_id: action.approval_id, reason, reason_code };
}

// [name, the action given the pending approval's id and hash, reason code, reason given the approval's id and expiry]
type Row = [string, (id: string, hash: string, expires: string) => OperatorActionV1, string, (id: string, expires: string) => string];
const rows: Row[] = [
  ['unknown actor', (id, hash) => signedAction(mallory, { approval_id: id, intent_hash: hash }), 'unknown_actor', () => `actor "mallory" is not in the config's operator registry`],
  [
    'signature of another key',
    (id, hash) => ({ ...signedAction(mallory, { approval_id: id, intent_hash: hash }), actor_id: 'alice' }),
    'bad_signature',
    () => 'the Ed25519 signature does not verify against the registered key of "alice"',
  ],
  [
    'kill switch without a reason',
    () => signedAction(alice, { action: 'kill_switch_on', scope: 'global', reason: '  ' }),
    'reason_required',
    () => 'kill_switch_on needs a non-empty reason',
  ],
  [
    'kill switch without a scope',
    () => signedAction(alice, { action: 'kill_switch_off', scope: null, reason: 'incident 7' }),
    'scope_required',
    () => 'kill_switch_off needs scope "global" or "tenant"',
  ],
  ['deny without a reason', (id, hash) => signedAction(alice, { action: 'deny', approval_id: id, intent_hash: hash }), 'reason_required', () => 'deny needs a non-empty reason'],
  ['no approval named', (_id, hash) => signedAction(alice, { intent_hash: hash }), 'unknown_approval', () => 'no approval "(none given)" on partition 0'],
  [
    'an approval this partition never saw',
    (_id, hash) => signedAction(alice, { approval_id: '01KJMZV0000000000000000000', intent_hash: hash }),
    'unknown_approval',
    () => 'no approval "01KJMZV0000000000000000000" on partition 0',
  ],
  [
    "another tenant's approval",
    (id, hash) => signedAction(alice, { approval_id: id, intent_hash: hash, tenant_id: 'globex' }),
    'tenant_mismatch',
    (id) => `approval ${id} belongs to tenant "acme", not "globex"`,
  ],
  [
    'another intent hash',
    (id) => signedAction(alice, { approval_id: id, intent_hash: 'a'.repeat(64) }),
    'intent_hash_mismatch',
    (id) => `intent_hash ${'a'.repeat(64)} is not the hash bound to approval ${id}`,
  ],
  ['no intent hash', (id) => signedAction(alice, { approval_id: id }), 'intent_hash_mismatch', (id) => `intent_hash null is not the hash bound to approval ${id}`],
  [
    'decided one millisecond after the expiry',
    (id, hash, expires) => signedAction(alice, { approval_id: id, intent_hash: hash, decided_at: new Date(msOf(expires) + 1).toISOString() }),
    'after_expiry',
    (_id, expires) => `decided_at ${new Date(msOf(expires) + 1).toISOString()} is after the approval's expiry ${expires}`,
  ],
  [
    'deny decided one millisecond after the expiry',
    (id, hash, expires) => signedAction(alice, { action: 'deny', reason: 'noise', approval_id: id, intent_hash: hash, decided_at: new Date(msOf(expires) + 1).toISOString() }),
    'after_expiry',
    (_id, expires) => `decided_at ${new Date(msOf(expires) + 1).toISOString()} is after the approval's expiry ${expires}`,
  ],
];

for (const [name, actionFor, reasonCode, reasonFor] of rows) {
  test(`operator action refused: ${name}`, (t) => {
    const { run, req } = pendingHuman();
    const action = actionFor(req.approval_id, req.intent_hash, req.expires_at);
    t.deepEqual(rejected(run.actionRecords(action)), expectedOf(action, reasonCode, reasonFor(req.approval_id, req.expires_at)));
  });
}

test('operator action refused: a second approve by the same actor of a quorum', (t) => {
  const run = new Run(configWith({}, [alice, bob]));
  const req = payloadOf(run.telemetry(telemetry({ cell_id: 'cell-a' })), 'approval_requested');
  run.actionRecords(signedAction(alice, { approval_id: req.approval_id, intent_hash: req.intent_hash }));
  const again = signedAction(alice, { approval_id: req.approval_id, intent_hash: req.intent_hash });
  t.deepEqual(rejected(run.actionRecords(again)), expectedOf(again, 'duplicate_vote', `actor "alice" has already approved ${req.approval_id}; a quorum needs distinct actors`));
});

const kinds = (records: readonly OutputRecord[]): AuditEventKind[] => records.filter((r) => r.role === 'audit').map((r) => (r.value as { event_kind: AuditEventKind }).event_kind);

test('an approve or a deny decided exactly at the expiry is in time (its twin one millisecond later: rows above)', (t) => {
  for (const [over, last] of [
    [{}, 'intent_released'],
    [{ action: 'deny', reason: 'noise' }, 'approval_denied'],
  ] as const) {
    const { run, req } = pendingHuman();
    const action = signedAction(alice, { approval_id: req.approval_id, intent_hash: req.intent_hash, decided_at: req.expires_at, ...over });
    t.is(kinds(run.actionRecords(action)).at(-1), last);
  }
});

test('an action decided at an offset is normalised to UTC; the receipt shows it so', (t) => {
  const { run, req } = pendingHuman();
  const action = signedAction(bob, { approval_id: req.approval_id, intent_hash: req.intent_hash, decided_at: '2026-03-01T13:01:00.000+01:00' });
  t.deepEqual(payloadOf(run.actionRecords(action), 'action_received'), {
    action: 'approve',
    action_id: action.action_id,
    actor_id: 'bob',
    approval_id: req.approval_id,
    decided_at: at(60),
  });
});
