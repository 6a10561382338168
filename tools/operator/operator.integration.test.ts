/**
 * Issue 5 "Must show", end to end on the real broker (KAFKA_BROKERS): the processor runs as a child
 * process from dist/ with a per-test app id, group and topic prefix and a config file registering
 * freshly generated operator keys; actions go through the real `exoarmur operator` CLI (or, for the
 * ones the CLI refuses to send, through publishAction with a real producer) and outcomes are read
 * back read_committed from the audit, execute, state and config topics.
 * Serial: each test runs a processor child, and the machine is shared.
 */
import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { ulid } from 'ulid';
import { decodeRecord } from '../../processor/codec/index.js';
import { actionSigningBytes } from '../../processor/core/signing.js';
import type { AuditEventKind, AuditPayloads, AuditRecordV1, ConfigSnapshotV1, OperatorActionV1 } from '../../processor/core/types.js';
import { nodePrimitives } from '../../processor/primitives.js';
import { readCommitted } from '../inspect/reader.js';
import { CliChild, runCli, type CliRun } from '../process/children.js';
import { pollUntil, testBrokers } from '../testing/broker.js';
import { injectViaCli, processorFixture, readFixtureOutcomes, startProcessorChild, waitAllCommitted, type ProcessorFixture } from '../testing/processor.js';
import type { PendingApprovalView } from './approvals.js';
import { publishAction } from './publish.js';
import { buildAction, generateOperatorKey, registryEntry, signAction, type OperatorKey } from './sign.js';

const { Partitioners } = kafkajs;
const brokers = () => testBrokers().join(',');

function track(t: ExecutionContext, child: CliChild): CliChild {
  t.teardown(async () => {
    if (child.running) await child.kill('SIGKILL');
  });
  return child;
}

async function stopCleanly(t: ExecutionContext, child: CliChild): Promise<void> {
  const exit = await child.kill('SIGTERM');
  t.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, exit.stderr);
}

interface TelemetryShape {
  tenant?: string;
  cell?: string;
  event_type?: string;
  confidence: number;
  host: string;
  observed_ms?: number;
}

/**
 * One TelemetryEventV1 line. observed_at is near the real clock by default, because the CLI signs
 * with the operator's real clock and an approval expires approval_ttl_s after the event time.
 */
function telemetry(shape: TelemetryShape): { line: string; event_id: string; correlation_id: string } {
  const observed = shape.observed_ms ?? Date.now();
  const event_id = ulid(observed);
  const correlation_id = `corr-${shape.host}`;
  const line = JSON.stringify({
    schema_version: '1',
    event_id,
    tenant_id: shape.tenant ?? 'acme',
    cell_id: shape.cell ?? 'cell-a',
    observed_at: new Date(observed).toISOString(),
    received_at: new Date(observed + 10).toISOString(),
    source: { kind: 'edr', name: 'operator-test', host: null, sensor_id: null },
    event_type: shape.event_type ?? 'malware_detected',
    severity: 'high',
    attributes: { confidence: shape.confidence },
    entity_refs: { host: shape.host, user: null, process: null, ip: null, service: null },
    correlation_id,
    trace_id: `trace-${event_id}`,
  });
  return { line, event_id, correlation_id };
}

/** keygen through the real CLI: the key file lands in the fixture dir, the printed entry goes in the config. */
async function keygenViaCli(dir: string, actor: string): Promise<{ keyFile: string; entry: Record<string, { public_key: string }> }> {
  const run = await runCli(['operator', 'keygen', '--actor', actor, '--out', dir]);
  return { keyFile: join(dir, `${actor}.key`), entry: JSON.parse(run.stdout) as Record<string, { public_key: string }> };
}

/** A key generated in-process and written where `--key` can read it. */
function keyFileFor(fixture: ProcessorFixture, key: OperatorKey): string {
  const file = join(fixture.dir, `${key.actor_id}.key`);
  writeFileSync(file, key.private_key_pem, { mode: 0o600 });
  return file;
}

async function pending(fixture: ProcessorFixture, tenant?: string): Promise<PendingApprovalView[]> {
  const run = await runCli(['operator', 'pending', '--config', fixture.configFile, '--json', ...(tenant === undefined ? [] : ['--tenant', tenant])]);
  return run.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as PendingApprovalView);
}

async function operatorCli(fixture: ProcessorFixture, args: string[]): Promise<Record<string, unknown>> {
  const run = await runCli(['operator', ...args, '--config', fixture.configFile]);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** Runs a CLI command that must fail; returns its run. */
async function operatorCliFails(fixture: ProcessorFixture, args: string[]): Promise<CliRun> {
  return new CliChild(['operator', ...args, '--config', fixture.configFile]).exited;
}

/** Publishes actions the CLI would refuse to send (forged, unknown actor, wrong hash, late…) with a real producer. */
async function publishRaw(fixture: ProcessorFixture, action: OperatorActionV1, partition: number): Promise<void> {
  const producer = fixture.kafka.producer({ maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await publishAction(producer, { operator_actions: fixture.topics.operator }, action, { partition });
  } finally {
    await producer.disconnect();
  }
}

function ofKind<K extends AuditEventKind>(audit: readonly AuditRecordV1[], kind: K): AuditRecordV1<K>[] {
  return audit.filter((r): r is AuditRecordV1<K> => r.event_kind === kind);
}

/** The audit records whose payload names this action id, as [kind, payload] in chain order. */
function recordsOfAction(audit: readonly AuditRecordV1[], actionId: string): Array<[AuditEventKind, unknown]> {
  return audit
    .filter((r) => (r.payload as { action_id?: string }).action_id === actionId)
    .sort((a, b) => a.input.partition - b.input.partition || a.seq - b.seq)
    .map((r) => [r.event_kind, r.payload]);
}

function safetyOf(audit: readonly AuditRecordV1[], eventId: string): { action_class: string; rule: string; verdict: string } {
  const proposed = ofKind(audit, 'intent_proposed').find((r) => r.payload.intent.event_id === eventId);
  if (proposed === undefined) throw new Error(`no intent for event ${eventId}`);
  const safety = ofKind(audit, 'safety_evaluated').find((r) => r.payload.intent_id === proposed.payload.intent.intent_id);
  if (safety === undefined) throw new Error(`no safety verdict for event ${eventId}`);
  return { action_class: safety.payload.action_class, rule: safety.payload.rule, verdict: safety.payload.verdict };
}

function approvalRequested(audit: readonly AuditRecordV1[], eventId: string): AuditRecordV1<'approval_requested'> {
  const proposed = ofKind(audit, 'intent_proposed').find((r) => r.payload.intent.event_id === eventId);
  const requested = ofKind(audit, 'approval_requested').find((r) => r.payload.intent_id === proposed?.payload.intent.intent_id);
  if (requested === undefined) throw new Error(`no approval_requested for event ${eventId}`);
  return requested;
}

async function assertSoundChains(t: ExecutionContext, fixture: ProcessorFixture): Promise<void> {
  const outcomes = await readFixtureOutcomes(fixture);
  t.deepEqual(outcomes.chainBreaks, [], 'every audit partition chain verifies');
}

test.serial('require_human: one CLI approval releases the intent exactly once; a second identical delivery changes nothing', async (t) => {
  const alice = await keygenViaCli(mkdtempSync(join(tmpdir(), 'exoarmur-keys-')), 'alice');
  // trust 0.2 < 0.35 with a malicious (A2) event: SG-301 require_human.
  const fixture = await processorFixture('op-human', brokers(), { operators: alice.entry, policy: { trust: { 'cell-low': 0.2 } } });
  const processor = track(t, startProcessorChild(fixture, 'p'));
  const event = telemetry({ cell: 'cell-low', confidence: 0.95, host: 'h1' });
  await injectViaCli(fixture, [event.line]);
  await waitAllCommitted(fixture);

  const before = (await readFixtureOutcomes(fixture)).audit;
  const requested = approvalRequested(before, event.event_id);
  const views = await pending(fixture);
  t.deepEqual(views, [
    {
      approval_id: requested.payload.approval_id,
      partition: requested.input.partition,
      tenant_id: 'acme',
      correlation_id: event.correlation_id,
      intent_summary: `isolate host h1 (malware_detected, malicious 0.95, event ${JSON.parse(event.line).observed_at})`,
      action_class: 'A2_hard_containment',
      rule: 'SG-301',
      requirement: 'human',
      required_votes: 1,
      votes: [],
      expires_at: requested.payload.expires_at,
      intent_hash: requested.payload.intent_hash,
      event_id: event.event_id,
    },
  ]);
  t.is(Date.parse(requested.payload.expires_at) - Date.parse(JSON.parse(event.line).observed_at), 900_000);

  const sent = await operatorCli(fixture, ['approve', requested.payload.approval_id, '--actor', 'alice', '--key', alice.keyFile, '--reason', 'verified with the host owner']);
  t.like(sent, { action: 'approve', actor_id: 'alice', approval_id: requested.payload.approval_id, partitions: [requested.input.partition] });
  await waitAllCommitted(fixture);

  const after = await readFixtureOutcomes(fixture);
  const actionId = sent['action_id'] as string;
  const released = ofKind(after.audit, 'intent_released');
  t.is(released.length, 1);
  t.deepEqual(
    recordsOfAction(after.audit, actionId).map(([kind]) => kind),
    ['action_received', 'operator_action_applied'],
  );
  const intent = ofKind(after.audit, 'intent_proposed')[0]!.payload.intent;
  t.deepEqual(after.execute, [
    {
      intent_id: intent.intent_id,
      intent_hash: requested.payload.intent_hash,
      tenant_id: 'acme',
      correlation_id: event.correlation_id,
      trace_id: intent.trace_id,
      subject: 'h1',
      action_class: 'A2_hard_containment',
      intent_type: 'isolate',
      claim_type: 'malware_detected',
      released_by: { rule: 'SG-301', approval_id: requested.payload.approval_id, approvers: ['alice'] },
      event_time: sent['decided_at'],
      config_hash: requested.config_hash,
      source_audit_id: released[0]!.audit_id,
    },
  ]);
  t.deepEqual(ofKind(after.audit, 'approval_granted').map((r) => r.payload), [
    { approval_id: requested.payload.approval_id, intent_id: intent.intent_id, intent_hash: requested.payload.intent_hash, requirement: 'human', approvers: ['alice'] },
  ]);
  t.deepEqual(await pending(fixture), []);

  // The same signed action delivered again, byte for byte: a duplicate receipt and nothing else.
  const delivered: OperatorActionV1[] = [];
  await readCommitted(fixture.kafka, {
    topic: fixture.topics.operator,
    onRecord: ({ message }) => {
      const decoded = decodeRecord('operator', message.value, message.headers);
      if (decoded.ok) delivered.push(decoded.value as OperatorActionV1);
    },
  });
  t.is(delivered.length, 1);
  t.true(nodePrimitives.verifyEd25519(alice.entry['alice']!.public_key, actionSigningBytes(delivered[0]!), delivered[0]!.signature), 'the CLI signed with the registered key');
  await publishRaw(fixture, delivered[0]!, requested.input.partition);
  await waitAllCommitted(fixture);
  const again = await readFixtureOutcomes(fixture);
  t.deepEqual(again.execute, after.execute, 'the execute topic still holds the one release');
  t.deepEqual(
    again.audit.filter((r) => !after.audit.some((a) => a.audit_id === r.audit_id)).map((r) => [r.event_kind, r.payload]),
    [['action_duplicate', { first_seen: 'earlier' }]],
  );
  t.deepEqual(again.chainBreaks, []);
  await stopCleanly(t, processor);
});
