/** Gate 4's evidence re-derived from a bundle's compose files: what they must show, and each way they can fail to. */
import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import type { Decision } from '../reality/decisions.js';
import { decided, rec, TEL } from '../testing/audit-records.js';
import { deploymentFromBundle, type ComposeSummary, type EmbeddedRun } from './compose-facts.js';
import { readBundle } from './files.js';

/** The event id on the receipt, and the intent id on the safety verdict (the fate matches the outcome to its intent). */
const received = (records: AuditRecordV1[], eventId: string) =>
  records.map((r) =>
    r.event_kind === 'telemetry_received'
      ? ({ ...r, payload: { event_id: eventId } } as AuditRecordV1)
      : r.event_kind === 'safety_evaluated'
        ? ({ ...r, payload: { ...(r.payload as object), intent_id: `I-${eventId}` } } as AuditRecordV1)
        : r,
  );
const audit = [
  ...received(decided(0, 0, '0', 't1:E1', 'SG-403', 'allow', [['intent_released', { intent_id: 'I-E1' }]]), 'E1'),
  rec('intent_proposed', 0, 3, { offset: '0' }, { idempotency_key: 't1:E1', payload: { intent_hash: 'c'.repeat(64) } as never }),
  ...received(decided(1, 0, '0', 't1:E2', 'SG-402', 'deny', [['intent_denied', { intent_id: 'I-E2' }]]), 'E2'),
];
const run: EmbeddedRun = { audit, telemetryTopic: TEL, sent: [`${TEL}/0/0`, `${TEL}/1/0`], fillerTenant: 'burst' };
const e1: Decision = { event_id: 'E1', input: `${TEL}/0/0`, intent_hash: 'c'.repeat(64), verdict: 'allow', rule: 'SG-403', approval: 'none', final: 'RELEASED' };
const e2: Decision = { event_id: 'E2', input: `${TEL}/1/0`, intent_hash: null, verdict: 'deny', rule: 'SG-402', approval: 'none', final: 'DENIED' };
const composeFile = 'services: {}\n';
const summary: Partial<ComposeSummary> = {
  flavour: 'airgap-kafka',
  compose_file: 'docker-compose.airgap.yml',
  compose_file_sha256: createHash('sha256').update(composeFile).digest('hex'),
  logs: ['compose_kafka.log'],
  services: [{ service: 'kafka', status: 'running' }],
  faults: { processor_kills: 1, broker_kills: 1, notes: [] },
  faults_required: true,
  down: { ok: true, output: '' },
  failure: null,
};

/** A bundle directory holding the compose files given (and a manifest, so it reads as a bundle). */
async function bundleWith(t: { teardown: (f: () => void) => void }, files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'exoarmur-compose-facts-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'manifest.json'), '{}');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return readBundle(dir);
}

const honest = (change: { summary?: Partial<ComposeSummary>; embedded?: Decision[]; compose?: Decision[]; file?: string } = {}) => ({
  'compose_evidence.json': JSON.stringify({ ...summary, ...change.summary }),
  'compose_decisions.json': JSON.stringify({
    embedded: change.embedded ?? [e1, e2],
    compose: change.compose ?? [
      { ...e2, input: 'other/1/7' },
      { ...e1, input: 'other/0/3' },
    ],
  }),
  'docker-compose.airgap.yml': change.file ?? composeFile,
  'compose_kafka.log': 'started\n',
});

test('compose did not run: the run facts pass through as they are (unavailable with the enabling command, or skipped)', async (t) => {
  const bundle = await bundleWith(t, {});
  const unavailable = { engine: 'unavailable', reason: 'no docker CLI on this machine', enable: 'as root: make deps' } as const;
  t.deepEqual(deploymentFromBundle(bundle, unavailable, run), unavailable);
  t.deepEqual(deploymentFromBundle(bundle, { engine: 'skipped', reason: '--no-compose' }, run), { engine: 'skipped', reason: '--no-compose' });
});

test('honest compose files: every decision compared by event id, no problem, no mismatch (each run has its own inputs)', async (t) => {
  t.deepEqual(deploymentFromBundle(await bundleWith(t, honest()), { engine: 'ran' }, run), {
    engine: 'ran',
    flavour: 'airgap-kafka',
    compose_file: 'docker-compose.airgap.yml',
    compose_file_sha256: summary.compose_file_sha256!,
    failure: null,
    events_compared: 2,
    mismatches: [],
    evidence_problems: [],
    processor_kills: 1,
    broker_kills: 1,
    faults_required: true,
    down: true,
  });
});

const broken: Array<[string, Record<string, string | undefined>, { mismatches?: string[]; problems?: string[] }]> = [
  ['compose_evidence.json missing', { 'compose_evidence.json': undefined }, { problems: ['compose_evidence.json is missing from the bundle'] }],
  ['the compose file edited', { 'docker-compose.airgap.yml': 'services: {x: {}}\n' }, { problems: ['docker-compose.airgap.yml does not hash to compose_file_sha256'] }],
  ['a container log missing', { 'compose_kafka.log': undefined }, { problems: ['the container log compose_kafka.log is missing from the bundle'] }],
  [
    'a stack that ran with no state or log',
    { 'compose_evidence.json': honest({ summary: { logs: [], services: [] } })['compose_evidence.json'] },
    { problems: ['no service state or container log recorded for a stack that ran'] },
  ],
  [
    'a compose decision differs',
    { 'compose_decisions.json': honest({ compose: [e1, { ...e2, verdict: 'allow' }] })['compose_decisions.json'] },
    { mismatches: ['E2 verdict allow != embedded deny'] },
  ],
  [
    'an embedded decision the audit export contradicts',
    { 'compose_decisions.json': honest({ embedded: [e1, { ...e2, rule: 'SG-403' }], compose: [e1, { ...e2, rule: 'SG-403' }] })['compose_decisions.json'] },
    { problems: ['E2: rule differ from audit_export.jsonl at tel/1/0'] },
  ],
  [
    'a received scenario event left out of both lists',
    { 'compose_decisions.json': honest({ embedded: [e1], compose: [e1] })['compose_decisions.json'] },
    { problems: ['E2: received in the embedded run but not among the decisions compared'] },
  ],
  [
    'an embedded decision at a delivery never sent',
    { 'compose_decisions.json': honest({ embedded: [e1, e2, { ...e2, event_id: 'E9', input: `${TEL}/2/5` }], compose: [e1, e2] })['compose_decisions.json'] },
    { problems: ['E9: tel/2/5 is not a telemetry delivery of the run'], mismatches: ['E9 decided only in the embedded run'] },
  ],
];
for (const [name, change, expected] of broken) {
  test(`compose files that do not hold: ${name}`, async (t) => {
    const files = Object.fromEntries(Object.entries({ ...honest(), ...change }).filter((e): e is [string, string] => e[1] !== undefined));
    const e = deploymentFromBundle(await bundleWith(t, files), { engine: 'ran' }, run);
    if (e.engine !== 'ran') return t.fail('compose ran');
    t.deepEqual(e.evidence_problems, expected.problems ?? []);
    t.deepEqual(e.mismatches, expected.mismatches ?? []);
  });
}
