/**
 * The operator's console end to end on the real broker (KAFKA_BROKERS): a processor child with a
 * per-test topic prefix, app id and operator registry; `inject`, `operator pending`, `approve
 * --wait`, `kill-switch --wait`, `status` and `trace` as real CLI children, checked against the
 * audit trail read back read_committed.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ulid } from 'ulid';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { topicWatermarks } from '../../processor/io/offsets.js';
import { readTopic } from '../../processor/io/read.js';
import { CliChild, runCli } from '../lib/children.js';
import { testBrokers } from '../testing/broker.js';
import { injectViaCli, processorFixture, readFixtureAudit, startProcessorChild, stopCleanly, track, waitAllCommitted } from '../testing/processor.js';
import type { Status } from './status.js';
import type { Story } from '../trace/story.js';

function event(host: string, cell: string, over: Record<string, unknown> = {}): { line: string; event_id: string; observed_at: string } {
  const observed = Date.now();
  const event_id = ulid(observed);
  const observed_at = new Date(observed).toISOString();
  const line = JSON.stringify({
    schema_version: '1',
    event_id,
    tenant_id: 'acme',
    cell_id: cell,
    observed_at,
    received_at: observed_at,
    source: { kind: 'edr', name: 'console-test' },
    event_type: 'malware_detected',
    severity: 'high',
    attributes: { confidence: 0.95 },
    entity_refs: { host },
    correlation_id: `corr-${host}`,
    trace_id: `trace-${event_id}`,
    ...over,
  });
  return { line, event_id, observed_at };
}

function approvalOf(audit: readonly AuditRecordV1[], eventId: string): AuditRecordV1<'approval_requested'> {
  const intent = audit.find(
    (r) => r.event_kind === 'intent_proposed' && (r as AuditRecordV1<'intent_proposed'>).payload.intent.event_id === eventId,
  ) as AuditRecordV1<'intent_proposed'>;
  return audit.find(
    (r) => r.event_kind === 'approval_requested' && (r as AuditRecordV1<'approval_requested'>).payload.intent_id === intent.payload.intent.intent_id,
  ) as AuditRecordV1<'approval_requested'>;
}

test('inject checks, operator pending, approve/kill-switch --wait, status and trace close the operator loop', async (t) => {
  const keys = mkdtempSync(join(tmpdir(), 'exoarmur-console-keys-'));
  const keygen = await runCli(['operator', 'keygen', '--actor', 'alice', '--out', keys]);
  const registry = JSON.parse(keygen.stdout) as Record<string, { public_key: string }>;
  const aliceKey = join(keys, 'alice.key');
  // cell-low has trust 0.2: a malicious (A2) event needs a human (SG-301).
  const fixture = await processorFixture('console', testBrokers().join(','), { operators: registry, policy: { trust: { 'cell-low': 0.2 } } });
  const cli = (args: string[]) => new CliChild([...args, '--config', fixture.configFile]).exited;

  // inject refuses a file with an invalid line and sends nothing; a scenario file is named as one.
  const bad = join(fixture.dir, 'bad.jsonl');
  const good = event('h0', 'cell-a');
  writeFileSync(bad, `${good.line}\n${event('h9', 'cell-a', { severity: 'dire' }).line}\n`);
  const refused = await new CliChild(['inject', bad, '--topic', fixture.topics.telemetry, '--brokers', fixture.brokers]).exited;
  t.is(refused.code, 2);
  t.regex(
    refused.stderr,
    /^exoarmur: .*bad\.jsonl line 2 is not a valid TelemetryEventV1 \(bad_severity: severity "dire" is not one of low, medium, high, critical\); nothing was sent: .*\[INJECT_LINE_INVALID\]\n$/,
  );
  t.deepEqual(
    [...(await topicWatermarks(fixture.kafka, fixture.topics.telemetry)).values()].map((m) => m.high),
    [0n, 0n, 0n],
  );
  const scenario = join(fixture.dir, 'scenario.jsonl');
  writeFileSync(scenario, `{"telemetry":${good.line}}\n`);
  const wrapped = await new CliChild(['inject', scenario, '--topic', fixture.topics.telemetry, '--brokers', fixture.brokers]).exited;
  t.is(wrapped.code, 2);
  t.regex(wrapped.stderr, /is a scenario \(line 1 is a \{"telemetry": …\} step\), not telemetry.*\[INJECT_SCENARIO_FORMAT\]\n$/);

  // --raw sends the bytes as they are: the rejected event is dead-lettered, and trace finds it by its event_id.
  const rejected = event('h9', 'cell-a', { severity: 'dire' });
  const human = event('h1', 'cell-low');
  const other = event('h2', 'cell-low');
  const processor = track(t, startProcessorChild(fixture, 'p'));
  t.deepEqual(await injectViaCli(fixture, [rejected.line, human.line, other.line]), { topic: fixture.topics.telemetry, sent: 3, keyed: 3, unkeyed: 0 });
  const sent: string[] = [];
  await readTopic(fixture.kafka, { topic: fixture.topics.telemetry, onRecord: ({ message }) => sent.push(message.value!.toString('utf8')) });
  t.deepEqual(sent.sort(), [rejected.line, human.line, other.line].sort());
  await waitAllCommitted(fixture);
  const rejectedStory = JSON.parse((await runCli(['trace', rejected.event_id, '--config', fixture.configFile, '--json'])).stdout) as Story;
  t.deepEqual(
    rejectedStory.inputs.map((i) => [i.records.map((r) => r.event_kind), i.final]),
    [[['telemetry_rejected'], 'REJECTED']],
  );

  // pending: both approvals with their stream time left, and no kill switch ever set.
  const audit = await readFixtureAudit(fixture);
  const a1 = approvalOf(audit, human.event_id);
  const a2 = approvalOf(audit, other.event_id);
  const table = (await runCli(['operator', 'pending', '--config', fixture.configFile])).stdout;
  t.regex(table, /LEFT \(stream time\)/);
  t.regex(table, new RegExp(`${a1.payload.approval_id} .* ${a1.payload.expires_at}  \\d+m \\d\\ds  `));
  t.true(table.endsWith('kill switches: none ever set (all off)\n'), table);

  // approve --wait from a config without the registry (so the CLI cannot check the actor): the processor rejects it, exit 1.
  const bare = JSON.parse(readFileSync(fixture.configFile, 'utf8')) as Record<string, unknown>;
  delete bare['operators'];
  const bareConfig = join(fixture.dir, 'no-registry.json');
  writeFileSync(bareConfig, JSON.stringify(bare));
  const mallory = await runCli(['operator', 'keygen', '--actor', 'mallory', '--out', keys]);
  t.truthy(mallory.stdout);
  const refusedAction = await new CliChild([
    'operator',
    'approve',
    a2.payload.approval_id,
    '--actor',
    'mallory',
    '--key',
    join(keys, 'mallory.key'),
    '--wait',
    '--config',
    bareConfig,
  ]).exited;
  t.is(refusedAction.code, 1, refusedAction.stderr);
  t.regex(
    refusedAction.stdout.split('\n')[1]!,
    /^rejected: unknown_actor — actor "mallory" is not in the config's operator registry \(action \w{26}, partition \d, audit \w{26}\)$/,
  );
  t.regex(
    refusedAction.stderr,
    /^exoarmur: the processor rejected approve \w{26}: unknown_actor — actor "mallory" is not in the config's operator registry \[ACTION_REJECTED\]\n$/,
  );

  // approve --wait by the registered actor: applied, exit 0, and the trace tells the whole story.
  const approved = await cli(['operator', 'approve', a1.payload.approval_id, '--actor', 'alice', '--key', aliceKey, '--wait']);
  t.is(approved.code, 0, approved.stderr);
  const [published, verdict] = approved.stdout.trimEnd().split('\n');
  const actionId = (JSON.parse(published!) as { action_id: string }).action_id;
  t.regex(verdict!, new RegExp(`^applied \\(action ${actionId}, partition ${a1.input.partition}, audit \\w{26}\\)$`));
  const story = JSON.parse((await runCli(['trace', human.event_id, '--config', fixture.configFile, '--json'])).stdout) as Story;
  t.deepEqual(
    story.inputs.map((i) => [i.records.map((r) => r.event_kind), i.final]),
    [
      [['telemetry_received', 'facts_derived', 'belief_emitted', 'collective_updated', 'intent_proposed', 'safety_evaluated', 'approval_requested'], 'APPROVED'],
      [['action_received', 'operator_action_applied', 'approval_granted', 'intent_released'], null],
    ],
  );
  const text = (await runCli(['trace', human.event_id, '--config', fixture.configFile])).stdout;
  t.regex(text, /gate: require_human by SG-301 \(cell trust < 0\.35, class A2 or A3: require a human\); trust 0\.2, confidence 0\.95/);
  t.regex(text, /outcome: APPROVED/);

  // kill-switch on --wait: one verdict per partition, then status shows it with lag 0 and the config hash in force.
  const killed = await cli(['operator', 'kill-switch', 'on', '--actor', 'alice', '--key', aliceKey, '--reason', 'drill', '--wait']);
  t.is(killed.code, 0, killed.stderr);
  t.deepEqual(
    killed.stdout
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l: string) => l.replace(/audit \w{26}/, 'audit X')),
    [0, 1, 2].map((p) => `applied (action ${(JSON.parse(killed.stdout.split('\n')[0]!) as { action_id: string }).action_id}, partition ${p}, audit X)`),
  );
  await waitAllCommitted(fixture);
  const status = JSON.parse((await runCli(['status', '--config', fixture.configFile, '--json'])).stdout) as Status;
  const snapshotHash = a1.config_hash;
  t.like(status, { group: fixture.appId, config_hash_in_force: snapshotHash, latest_snapshot: { config_hash: snapshotHash } });
  t.deepEqual(
    status.kill_switches.map((k) => [k.scope, k.on_partitions, k.off_partitions, k.last.reason]),
    [['global', [0, 1, 2], [], 'drill']],
  );
  t.deepEqual(
    status.pending.map((p) => p.approval_id),
    [a2.payload.approval_id],
  );
  t.deepEqual(
    status.lag.map((l) => l.lag),
    // Telemetry, operator actions and the actuators' results, three partitions each.
    ['0', '0', '0', '0', '0', '0', '0', '0', '0'],
  );
  const finalAudit = await readFixtureAudit(fixture);
  const lastSeq = [0, 1, 2].map((p) => Math.max(...finalAudit.filter((r) => r.input.partition === p).map((r) => r.seq)));
  t.deepEqual(
    status.last_commits.map((c) => [c.partition, c.seq]),
    [0, 1, 2].map((p) => [p, lastSeq[p]]),
  );
  const statusText = (await runCli(['status', '--config', fixture.configFile])).stdout;
  t.regex(statusText, /^kill switch global: ON — last on by alice at .*: "drill"\npending approvals: 1\n/);
  await stopCleanly(t, processor);
});
