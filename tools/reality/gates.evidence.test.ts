/**
 * Gates 1, 2 and 4–7 from evidence objects as the builders produce them: the PASS line of a passing
 * run word for word, each FAIL naming what broke, and gate 4 UNPROVEN where no Docker engine answers.
 */
import test from 'ava';
import { canonicalJson } from '../../processor/core/canonical.js';
import { nodePrimitives } from '../../processor/primitives.js';
import { buildAction, generateOperatorKey } from '../operator/sign.js';
import { signAction } from '../../processor/operator-signing.js';
import { exactlyOnceViolations, type RunOutcomes } from '../process/outcomes.js';
import { actuationOf, executionResult, receiverLine } from '../testing/actuation-records.js';
import { decided, OPS, rec, TEL } from '../testing/audit-records.js';
import { brokerKillSurvival, timeModel } from './analysis.js';
import {
  configAndHumanTruthGate,
  durabilityGate,
  idempotencyGate,
  judgeRun,
  overall,
  passFailText,
  restartSurvivalGate,
  timeTruthGate,
  type ConfigAndHumanEvidence,
  type DurabilityEvidence,
  type IdempotencyEvidence,
  type RestartEvidence,
  type RunEvidence,
} from './gates.js';

const RUN = '01M8DRRZYME34R3SN25BTW6S2T';

const durable: DurabilityEvidence = {
  storage: {
    broker: { data_dir: '/data' },
    data_files: [
      { path: 'r.audit-0/00000000000000000000.log', bytes: 700 },
      { path: 'r.audit-0/00000000000000000000.index', bytes: 10_485_760 },
      { path: 'r.audit-1/00000000000000000000.log', bytes: 300 },
      { path: 'r.state-0/00000000000000000000.log', bytes: 50 },
    ],
    record_counts_read_back: { audit: 12, execute: 1 },
    counts_across_broker_kills: [brokerKillSurvival({ counts: { audit: 2 }, auditIds: ['a', 'b'] }, { counts: { audit: 3 }, auditIds: ['a', 'b', 'c'] })],
  },
  topics: { audit: 'r.audit', state: 'r.state' },
  audit_read_back_again: 12,
  broker_kills: 1,
};

test('gate 1 PASSes: .log segment bytes of audit and state on disk, counts read back twice, nothing lost across the kill', (t) => {
  t.deepEqual(durabilityGate(durable), {
    n: 1,
    name: 'DURABLE_PERSISTENCE',
    status: 'PASS',
    evidence:
      'audit 1000 B and state 50 B of .log segments (4 files) under /data; 12 audit records read back; 1 broker kill(s), all 2 audit records committed before it read back after (3 then)',
  });
  const external = durabilityGate({ ...durable, storage: { ...durable.storage, broker: { data_dir: null }, counts_across_broker_kills: [] }, broker_kills: 0 });
  t.is(external.status, 'PASS');
  t.regex(external.evidence, /under \?; 12 audit records read back; 0 broker kill\(s\) \(no broker kill in this run\)$/);
});

const durabilityFailures: Array<[string, DurabilityEvidence, RegExp]> = [
  [
    'a record committed before the broker kill is not read back after it',
    {
      ...durable,
      storage: {
        ...durable.storage,
        counts_across_broker_kills: [brokerKillSurvival({ counts: { audit: 2 }, auditIds: ['a', 'b'] }, { counts: { audit: 2 }, auditIds: ['a', 'c'] })],
      },
    },
    /records committed before a broker kill missing after it: \[\{"after":\{"audit":2\},"audit_ids_lost":1/,
  ],
  [
    'no audit .log segment on disk (index files do not count)',
    { ...durable, storage: { ...durable.storage, data_files: durable.storage.data_files.filter((f) => !f.path.endsWith('.log') || f.path.startsWith('r.state')) } },
    /^failed: audit data files on disk \(/,
  ],
  [
    'no state data on disk',
    { ...durable, storage: { ...durable.storage, data_files: durable.storage.data_files.filter((f) => !f.path.startsWith('r.state')) } },
    /^failed: state data files on disk \(/,
  ],
  ['the second read-back sees a different audit count', { ...durable, audit_read_back_again: 11 }, /^failed: audit count read back twice equal \(/],
];
for (const [name, evidence, reason] of durabilityFailures) {
  test(`gate 1 FAILs: ${name}`, (t) => {
    const gate = durabilityGate(evidence);
    t.is(gate.status, 'FAIL');
    t.regex(gate.evidence, reason);
  });
}

const restarted: RestartEvidence = {
  processor_kills: 1,
  broker_kills: 1,
  processor_starts: 4,
  fault_notes: ['kill_processor at 82/322 committed (burst in flight)'],
  receipts: 10,
  deliveries: 10,
  violations: [],
  faults_disabled: false,
  broker_owned: true,
};

/** Outcomes as tools/process/outcomes reads them back, for a trail with verifying chains. */
function outcomesOf(audit: RunOutcomes['audit'], execute: RunOutcomes['execute'], receiptsPerInput: Array<[string, number]>): RunOutcomes {
  const receipts = receiptsPerInput.reduce((a, [, n]) => a + n, 0);
  return {
    audit,
    byPartition: new Map(),
    receiptsByKind: { telemetry_received: receipts },
    receiptsPerInput: new Map(receiptsPerInput),
    outcomeKindsByKey: new Map([['k0', ['facts_derived', 'intent_released']]]),
    chainBreaks: [],
    execute,
    dlqCount: 0,
  };
}

test('gate 2 PASSes: faults injected, one receipt per delivery, no exactly-once violation', (t) => {
  t.deepEqual(restartSurvivalGate(restarted), {
    n: 2,
    name: 'RESTART_SURVIVAL',
    status: 'PASS',
    evidence:
      'processor killed 1x, broker killed 1x, processor started 4x; 10 receipts == 10 deliveries, gapless chains, no doubled outcome; kill_processor at 82/322 committed (burst in flight)',
  });
});

test('gate 2 FAILs on a doubled outcome: the same audit record and execute record written twice', (t) => {
  const released = rec('intent_released', 0, 1, { offset: '0' }, { idempotency_key: 'k0', payload: { intent_id: 'I0' } as never });
  const intent = { intent_id: 'I0', intent_hash: 'x' } as RunOutcomes['execute'][number];
  const violations = exactlyOnceViolations(outcomesOf([released, released], [intent, intent], [[`${TEL}/0/0`, 1]]), { uniqueKeys: new Set(['k0']), inputs: [`${TEL}/0/0`] });
  const gate = restartSurvivalGate({ ...restarted, receipts: 1, deliveries: 1, violations });
  t.is(gate.status, 'FAIL');
  t.regex(gate.evidence, new RegExp(`^failed: exactly-once: audit_id ${released.audit_id} \\(intent_released\\) written twice, intent I0 on the execute topic twice \\(`));
});

test('gate 2 FAILs on a lost outcome: a delivery without its receipt', (t) => {
  const violations = exactlyOnceViolations(outcomesOf([], [], [[`${TEL}/0/0`, 1]]), { uniqueKeys: new Set(['k0']), inputs: [`${TEL}/0/0`, `${TEL}/0/1`] });
  const gate = restartSurvivalGate({ ...restarted, receipts: 1, deliveries: 2, violations });
  t.is(gate.status, 'FAIL');
  t.regex(gate.evidence, /^failed: exactly-once: input tel\/0\/1 has 0 receipts; receipts 1 != deliveries 2 \(/);
});

test('gate 2 FAILs when the run injected no fault (one start, no kill)', (t) => {
  const gate = restartSurvivalGate({ ...restarted, processor_kills: 0, broker_kills: 0, processor_starts: 1, fault_notes: [] });
  t.is(gate.status, 'FAIL');
  t.regex(
    gate.evidence,
    /^failed: the processor was never killed in this run; the run's broker was never killed in this run \(processor killed 0x, broker killed 0x, processor started 1x; .* no doubled outcome\)$/,
  );
});

test("gate 2 FAILs without a broker kill on the run's own broker, PASSes without one on an external broker", (t) => {
  const own = restartSurvivalGate({ ...restarted, broker_kills: 0 });
  t.is(own.status, 'FAIL');
  t.regex(own.evidence, /^failed: the run's broker was never killed in this run \(/);
  t.is(restartSurvivalGate({ ...restarted, broker_kills: 0, broker_owned: false }).status, 'PASS');
});

test('gate 2 is UNPROVEN for a --no-faults run that kept exactly-once, and still FAILs one that lost a receipt', (t) => {
  const quiet = { ...restarted, processor_kills: 0, broker_kills: 0, processor_starts: 1, fault_notes: [], faults_disabled: true };
  t.deepEqual(restartSurvivalGate(quiet), {
    n: 2,
    name: 'RESTART_SURVIVAL',
    status: 'UNPROVEN',
    evidence: 'run with --no-faults: no processor or broker kill injected; 10 receipts == 10 deliveries',
  });
  t.is(restartSurvivalGate({ ...quiet, receipts: 9 }).status, 'FAIL');
});

const at = (kind: string, seq: number, offset: string, eventTime: string, tenant = 't1') => rec(kind, 0, seq, { offset }, { event_time: eventTime, tenant_id: tenant });
const timed = [
  at('telemetry_received', 0, '0', '2026-03-01T10:05:00.000Z'),
  at('safety_evaluated', 1, '0', '2026-03-01T10:05:00.000Z'),
  at('telemetry_received', 2, '1', '2026-03-01T10:01:00.000Z'),
  at('telemetry_received', 3, '2', '2026-03-01T10:00:00.000Z', 'burst'),
];

test('gate 5 PASSes from time_model.json: every record timed, receipts gapless and ordered, replay in order, a late scenario event', (t) => {
  t.deepEqual(timeTruthGate(timeModel(timed, true, 'burst')), {
    n: 5,
    name: 'TIME_TRUTH',
    status: 'PASS',
    evidence:
      '4 records timed; receipts per partition 0:3 gapless and strictly ordered; replay followed the recorded order; 1 out-of-order scenario events (+1 burst filler) handled',
  });
});

const timeFailures: Array<[string, Parameters<typeof timeModel>, RegExp]> = [
  [
    'a record without event_time',
    [[...timed.slice(0, 3), { ...timed[3]!, event_time: undefined as never }], true, 'burst'],
    /^failed: a record lacks event_time or process_time \(/,
  ],
  ['a record without process_time', [[{ ...timed[0]!, process_time: '' }, ...timed.slice(1)], true, 'burst'], /^failed: a record lacks event_time or process_time \(/],
  ['a seq gap in a partition', [[timed[0]!, timed[1]!, { ...timed[2]!, seq: 5 }], true, 'burst'], /receipts not gapless and strictly ordered per partition/],
  ['replay off the recorded order', [timed, false, 'burst'], /^failed: replay did not follow the recorded order \(/],
  ['only the filler burst arrived late', [timed.map((r) => ({ ...r, tenant_id: 'burst' })), true, 'burst'], /no out-of-order scenario events in the run/],
];
for (const [name, args, reason] of timeFailures) {
  test(`gate 5 FAILs: ${name}`, (t) => {
    const gate = timeTruthGate(timeModel(...args));
    t.is(gate.status, 'FAIL');
    t.regex(gate.evidence, reason);
  });
}

const idempotent: IdempotencyEvidence = {
  report: { deliveries: 12, rejected_deliveries: 2, unique_keys: 4, duplicates_suppressed: 6, digest_after: 'a04f04b93797ffff', equal: true },
  released_intents: ['I1', 'I2'],
  execute_intents: ['I2', 'I1'],
  // I2's first answer was lost: the actuator sent it again with the same key.
  actuation: actuationOf(
    ['I2', 'I1'],
    [executionResult('I1'), executionResult('I2', 'succeeded', 2)],
    [receiverLine('I1', 'applied'), receiverLine('I2', 'applied'), receiverLine('I2', 'repeat', 2)],
  ),
};

test('gate 6 PASSes: equal digests, duplicates = valid deliveries - unique keys, one execute record per released intent', (t) => {
  t.deepEqual(idempotencyGate(idempotent), {
    n: 6,
    name: 'IDEMPOTENCY',
    status: 'PASS',
    evidence:
      'digest a04f04b93797 equal before/after re-injecting 6 deliveries; 6 duplicates suppressed = 10 valid deliveries - 4 unique keys; 2 execute records for 2 released intents; 2 actuator results for 2 execute records (2 succeeded); receiver: 3 requests over 2 Idempotency-Keys, each applied once, 1 repeats carried the same key',
  });
});

const idempotencyFailures: Array<[string, IdempotencyEvidence, RegExp]> = [
  ['the double-inject changed an outcome', { ...idempotent, report: { ...idempotent.report, equal: false } }, /^failed: double-inject digests differ \(/],
  [
    'a re-delivery decided again instead of suppressed',
    { ...idempotent, report: { ...idempotent.report, duplicates_suppressed: 5 } },
    /duplicates suppressed 5 != valid deliveries 10 - unique keys 4/,
  ],
  ['a doubled execute record', { ...idempotent, execute_intents: ['I1', 'I1'] }, /not exactly one execute record per released intent/],
  ['a released intent never executed', { ...idempotent, execute_intents: ['I1'] }, /not exactly one execute record per released intent/],
  [
    'an execute record the actuator never performed',
    { ...idempotent, actuation: actuationOf(['I2', 'I1'], [executionResult('I1')], [receiverLine('I1', 'applied')]) },
    /actuation: intent I2 has 0 results/,
  ],
];
for (const [name, evidence, reason] of idempotencyFailures) {
  test(`gate 6 FAILs: ${name}`, (t) => {
    const gate = idempotencyGate(evidence);
    t.is(gate.status, 'FAIL');
    t.regex(gate.evidence, reason);
  });
}

const alice = generateOperatorKey('alice');
const config = { policy: { quorum_size: 2 } };
const hash = nodePrimitives.sha256Hex(canonicalJson(config));
const approve = signAction(
  buildAction({
    action: 'approve',
    tenant_id: 't1',
    correlation_id: 'c',
    approval_id: 'ap-1',
    intent_hash: 'ih',
    actor_id: 'alice',
    decided_at: '2026-03-01T10:00:00.000Z',
    reason: null,
  }),
  alice.private_key_pem,
);
const applied = rec('operator_action_applied', 0, 3, { topic: OPS, offset: '0' }, { config_hash: hash });
const humanTruth: ConfigAndHumanEvidence = {
  snapshots: [{ config_hash: hash, config }],
  audit: [...decided(0, 0, '0', 'k0', 'SG-301', 'require_human', [['approval_requested', {}]]).map((r) => ({ ...r, config_hash: hash })), applied],
  actions: [approve],
  operator_keys: { alice: alice.public_key },
  published_actions: [`${OPS}/0/0`],
  receipts_per_input: new Map([
    [`${TEL}/0/0`, 1],
    [`${OPS}/0/0`, 1],
  ]),
  replay: {
    pass: true,
    replay_order: [
      { topic: TEL, partition: 0, offset: '0' },
      { topic: OPS, partition: 0, offset: '0' },
    ],
  },
  expectations: { lines: 3, unmet: [] },
  verify: {
    ok: true,
    checks: [
      { name: 'manifest', ok: true, detail: '' },
      { name: 'chains', ok: true, detail: '' },
    ],
  },
};

test('gate 7 PASSes: snapshots hash right, every record hash known, actions signed, durable, received once and replayed', (t) => {
  t.deepEqual(configAndHumanTruthGate(humanTruth), {
    n: 7,
    name: 'CONFIG_AND_HUMAN_TRUTH',
    status: 'PASS',
    evidence:
      '1 config snapshot(s) hash right, 1 hash(es) on records all known; 1 operator records signed, verified, durable, each with one receipt (1 applied, 0 rejected); 3 expect lines met; verify: 2 integrity checks hold (the gate-verdict check follows on the finished bundle)',
  });
});

const humanFailures: Array<[string, Partial<ConfigAndHumanEvidence>, RegExp]> = [
  ['a snapshot edited after hashing', { snapshots: [{ config_hash: hash, config: { policy: { quorum_size: 3 } } }] }, /a config snapshot does not hash to its config_hash/],
  ['a record whose config hash is missing', { audit: [...humanTruth.audit, { ...applied, config_hash: undefined as never }] }, /a record names a config_hash with no snapshot/],
  ['a record naming a config hash no snapshot has', { audit: [...humanTruth.audit, { ...applied, config_hash: 'f'.repeat(64) }] }, /a record names a config_hash with no snapshot/],
  ['an action signed by another key', { operator_keys: { alice: generateOperatorKey('alice').public_key } }, /an operator action signature does not verify/],
  ['an action edited after signing', { actions: [{ ...approve, action: 'deny' }] }, /an operator action signature does not verify/],
  [
    'a published action not read back',
    { published_actions: [`${OPS}/0/0`, `${OPS}/1/0`] },
    /operator actions read back != published; an operator action has no receipt; operator actions not consumed by replay: ops\/1\/0/,
  ],
  ['an action received twice', { receipts_per_input: new Map([[`${OPS}/0/0`, 2]]) }, /^failed: an operator action has no receipt \(/],
  ['a failing replay', { replay: { ...humanTruth.replay, pass: false } }, /^failed: operator actions not consumed by a passing replay \(/],
  [
    'an operator action not consumed by replay',
    { replay: { pass: true, replay_order: [{ topic: TEL, partition: 0, offset: '0' }] } },
    /^failed: operator actions not consumed by replay: ops\/0\/0 \(/,
  ],
  [
    'an unmet expect line',
    { expectations: { lines: 3, unmet: ['E1: final expected RELEASED, got DENIED'] } },
    /^failed: expectations unmet: E1: final expected RELEASED, got DENIED \(.*3 expect lines checked;/,
  ],
  [
    'verify failing on the bundle',
    { verify: { ok: false, checks: [{ name: 'chains', ok: false, detail: 'partition 0 seq 4' }] } },
    /^failed: verify: chains \(partition 0 seq 4\) \(/,
  ],
];
for (const [name, change, reason] of humanFailures) {
  test(`gate 7 FAILs: ${name}`, (t) => {
    const gate = configAndHumanTruthGate({ ...humanTruth, ...change });
    t.is(gate.status, 'FAIL');
    t.regex(gate.evidence, reason);
  });
}

const replayed: RunEvidence['replay'] = {
  report: { compared: 4, matched: 4, mismatched: 0, mismatches: [], pass: true, config_overridden: false, inputs_replayed: 2, events_per_second: 900 },
  exported: 4,
  followed_order: true,
};
const run: RunEvidence = {
  durability: durable,
  restart: restarted,
  replay: replayed,
  deployment: { engine: 'unavailable', reason: 'no docker CLI on this machine', enable: 'as root: make deps' },
  time: timeModel(timed, true, 'burst'),
  idempotency: idempotent,
  configAndHuman: humanTruth,
};

test('judgeRun: the seven gates in order; gate 4 UNPROVEN leaves OVERALL PASS; any FAIL fails it', (t) => {
  const gates = judgeRun(run);
  t.deepEqual(
    gates.map((g) => `${g.n} ${g.name} ${g.status}`),
    [
      '1 DURABLE_PERSISTENCE PASS',
      '2 RESTART_SURVIVAL PASS',
      '3 REPLAY_EQUIVALENCE PASS',
      '4 DEPLOYMENT UNPROVEN',
      '5 TIME_TRUTH PASS',
      '6 IDEMPOTENCY PASS',
      '7 CONFIG_AND_HUMAN_TRUTH PASS',
    ],
  );
  t.true(passFailText(RUN, gates).endsWith('OVERALL: PASS\n'));
  t.is(overall(judgeRun({ ...run, idempotency: { ...idempotent, execute_intents: ['I1', 'I1'] } })), 'FAIL');
  t.is(overall(judgeRun({ ...run, replay: { ...replayed, followed_order: false } })), 'FAIL');
});
