/**
 * `exoarmur reality`: one run of a scenario on a real broker with real faults, the double-inject,
 * the expectation checks, and the evidence bundle with its seven gates.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Kafka } from 'kafkajs';
import { ulid } from 'ulid';
import { deepMerge } from '../../processor/config/model.js';
import { canonicalJson } from '../../processor/core/canonical.js';
import { actionSigningBytes } from '../../processor/core/signing.js';
import { ExoArmurError, UsageError } from '../../processor/errors.js';
import { createKafka } from '../../processor/kafka/client.js';
import { ensureTopics, topicSpecs } from '../../processor/kafka/topics.js';
import { nodePrimitives } from '../../processor/primitives.js';
import { repoRoot } from '../broker/paths.js';
import { telemetryKey } from '../inject/inject.js';
import { exactlyOnceViolations, readRunOutcomes } from '../process/outcomes.js';
import { pollUntil } from '../testing/broker.js';
import { brokerKillSurvival, fateOf, outcomeSummary, survived, type KillSurvival, RECEIPT_KINDS, replayFollowedRecordedOrder, timeModel, unmetExpectation, type Delivery } from './analysis.js';
import { externalBroker, killBroker, restartBroker, startRunBroker, stopRunBroker, topicDataFiles, type RunBroker } from './broker-control.js';
import { judge, overall, passFailText, replayGate, type Gate } from './gates.js';
import { deliver, deliverBurst, inputProgress, ProcessorChild, readTrail, waitSettled, type Trail } from './live.js';
import { appIdForRun, configTopicsForRun, groupForRun, runPrefix, topicsForRun } from './naming.js';
import { publishAction } from '../operator/publish.js';
import { buildAction, generateOperatorKey, registryEntry, signAction, type OperatorKey } from '../operator/sign.js';
import { replayRun } from '../replay/replay.js';
import type { ReplayReport } from '../replay/report.js';
import { BUNDLE_FILES, writeManifest } from '../bundle/files.js';
import { formatVerifyResult, verifyBundle } from '../verify/verify.js';
import { writeViewerHtml } from '../viewer/embed.js';
import { parseScenario, scenarioActors, type OperatorStep, type Step } from './scenario.js';

export interface RealityOptions {
  scenarioDir: string;
  outDir: string;
  brokers?: string | undefined;
  log?: (line: string) => void;
}

export interface RealityResult {
  runId: string;
  bundleDir: string;
  gates: Gate[];
  overall: 'PASS' | 'FAIL';
  passFail: string;
}

const PARTITIONS = 3;
const BURST_SIZE = 300;
/** The filler burst's tenant: its events are told apart from the scenario's in the time model. */
const BURST_TENANT = 'burst';
/** Small transactions so a SIGKILL during the burst lands between and inside committed batches. */
const MAX_INPUTS_PER_TRANSACTION = 20;

interface RunState {
  runId: string;
  kafka: Kafka;
  broker: RunBroker;
  processor: ProcessorChild;
  topics: ReturnType<typeof configTopicsForRun>;
  group: string;
  keys: Map<string, OperatorKey>;
  deliveries: Delivery[];
  actionCoordinates: string[];
  configPartial: Record<string, unknown>;
  configFile: string;
  processorKills: number;
  expectationCount: number;
  brokerKills: number;
  countsAcrossBrokerKills: KillSurvival[];
  faultNotes: string[];
  earliestObservedAt: string;
  log: (line: string) => void;
}

function readScenario(dir: string): { steps: Step[]; config: Record<string, unknown> } {
  const file = join(dir, 'scenario.jsonl');
  if (!existsSync(file)) throw new UsageError('SCENARIO_MISSING', `no scenario.jsonl in ${dir}: pass --scenario with a directory like fixtures/scenarios/default`);
  const configFile = join(dir, 'config.json');
  const config = existsSync(configFile) ? (JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>) : {};
  return { steps: parseScenario(readFileSync(file, 'utf8'), file), config };
}

function writeConfig(state: RunState): void {
  writeFileSync(state.configFile, `${JSON.stringify(state.configPartial, null, 2)}\n`);
}

async function recordCounts(state: RunState): Promise<{ counts: Record<string, number>; auditIds: string[] }> {
  const trail = await readTrail(state.kafka, state.topics);
  return {
    counts: { audit: trail.audit.length, execute: trail.execute.length, config: trail.snapshots.length, operator_actions: trail.actions.length, dlq: trail.dlq, state: trail.state },
    auditIds: trail.audit.map((r) => r.audit_id),
  };
}

function telemetrySteps(steps: readonly Step[]): Map<string, Record<string, unknown>> {
  const byId = new Map<string, Record<string, unknown>>();
  for (const s of steps) if (s.kind === 'telemetry' && typeof s.event['event_id'] === 'string') byId.set(s.event['event_id'], s.event);
  return byId;
}

async function playOperator(state: RunState, op: OperatorStep, events: Map<string, Record<string, unknown>>): Promise<void> {
  const key = state.keys.get(op.actor_id)!;
  if (op.action === 'kill_switch_on' || op.action === 'kill_switch_off') {
    const tenant = op.scope === 'tenant' ? op.tenant_id! : (op.tenant_id ?? 'global');
    const action = signAction(buildAction({
      action: op.action, tenant_id: tenant, correlation_id: `kill-switch-${op.scope}`,
      scope: op.scope ?? 'global', actor_id: op.actor_id, decided_at: op.decided_at ?? state.earliestObservedAt, reason: op.reason ?? null,
    }), key.private_key_pem);
    recordPublished(state, await publishAction(await producerFor(state), state.topics, action, { allPartitions: PARTITIONS }));
    return;
  }
  const event = events.get(op.event_id!);
  if (!event) throw new UsageError('SCENARIO_INVALID', `operator ${op.action} names event ${op.event_id}, which no telemetry line carries; fix the scenario`);
  const delivery = state.deliveries.find((d) => d.eventId === op.event_id);
  if (!delivery) throw new UsageError('SCENARIO_INVALID', `operator ${op.action} for ${op.event_id} comes before that event is delivered; move it after the telemetry line`);
  // The approval exists only once the processor has committed its batch: wait for it in the trail.
  const found = await pollUntil(async () => {
    const trail = await readTrail(state.kafka, state.topics);
    const fate = fateOf(trail.audit, state.topics.telemetry, delivery.partition, delivery.offset);
    if (fate.approvalId === null) return false;
    const requested = trail.audit.find((r) => r.event_kind === 'approval_requested' && (r.payload as { approval_id: string }).approval_id === fate.approvalId)!;
    return requested as typeof requested & { payload: { approval_id: string; intent_hash: string; partition: number; expires_at: string } };
  }, { timeoutMs: 120_000, intervalMs: 500, what: `the approval born from event ${op.event_id}` });
  const action = signAction(buildAction({
    action: op.action, tenant_id: found.tenant_id, correlation_id: found.correlation_id, approval_id: found.payload.approval_id,
    intent_hash: found.payload.intent_hash, actor_id: op.actor_id,
    decided_at: op.decided_at ?? new Date(Date.parse(found.event_time) + 60_000).toISOString(), reason: op.reason ?? null,
  }), key.private_key_pem);
  recordPublished(state, await publishAction(await producerFor(state), state.topics, action, { partition: found.payload.partition }));
}

function recordPublished(state: RunState, published: { topic: string; partitions: number[]; offsets: string[] }): void {
  published.partitions.forEach((partition, i) => state.actionCoordinates.push(`${published.topic}/${partition}/${published.offsets[i]}`));
}

const producers = new WeakMap<Kafka, import('kafkajs').Producer>();
async function producerFor(state: RunState): Promise<import('kafkajs').Producer> {
  let producer = producers.get(state.kafka);
  if (!producer) {
    producer = state.kafka.producer({ maxInFlightRequests: 1, idempotent: true, allowAutoTopicCreation: false });
    await producer.connect();
    producers.set(state.kafka, producer);
  }
  return producer;
}

function burstLines(state: RunState, count: number): string[] {
  return Array.from({ length: count }, (_, i) => JSON.stringify({
    schema_version: '1', event_id: ulid(), tenant_id: BURST_TENANT, cell_id: 'burst-cell',
    // At the scenario's earliest time, so filler never advances any partition's stream time.
    observed_at: state.earliestObservedAt, received_at: state.earliestObservedAt,
    source: { kind: 'harness', name: 'reality-burst' }, event_type: 'heartbeat', severity: 'low', attributes: {},
    entity_refs: { host: `burst-host-${i % 17}` }, correlation_id: `burst-${i}`, trace_id: `burst-${i}`,
  }));
}

async function killProcessorMidBurst(state: RunState): Promise<void> {
  const before = await inputProgress(state.kafka, state.topics, state.group);
  state.deliveries.push(...(await deliverBurst(state.kafka, state.topics.telemetry, burstLines(state, BURST_SIZE), telemetryKey)));
  const target = before.committed + 1n;
  await pollUntil(async () => (await inputProgress(state.kafka, state.topics, state.group)).committed >= target, { timeoutMs: 60_000, intervalMs: 20, what: 'the processor to start on the burst' });
  await state.processor.kill();
  state.processorKills += 1;
  const at = await inputProgress(state.kafka, state.topics, state.group);
  state.faultNotes.push(`kill_processor at ${at.committed}/${at.total} committed${at.committed < at.total ? ' (burst in flight)' : ' (burst already done)'}`);
  state.log(`fault: SIGKILL processor, ${at.committed}/${at.total} inputs committed`);
  state.processor.start();
}

async function killBrokerFault(state: RunState): Promise<void> {
  if (!state.broker.owned) {
    state.faultNotes.push('kill_broker skipped: external broker (--brokers) is not ours to kill');
    return;
  }
  const before = await recordCounts(state);
  await killBroker(state.broker);
  state.brokerKills += 1;
  state.log('fault: SIGKILL broker; restarting it on the same data dir');
  await restartBroker(state.broker);
  const after = await pollUntil(async () => recordCounts(state), { timeoutMs: 120_000, intervalMs: 1000, what: 'the broker to serve reads again' });
  state.countsAcrossBrokerKills.push(brokerKillSurvival(before, after));
}

async function restartBoth(state: RunState): Promise<void> {
  await state.processor.stop();
  if (state.broker.owned) {
    await stopRunBroker(state.broker);
    await restartBroker(state.broker);
  } else {
    state.faultNotes.push('restart: external broker left running, processor restarted');
  }
  state.processor.start();
}

async function play(state: RunState, steps: readonly Step[]): Promise<string[]> {
  const events = telemetrySteps(steps);
  const failures: string[] = [];
  for (const step of steps) {
    switch (step.kind) {
      case 'telemetry':
      case 'raw':
        state.deliveries.push(...(await deliver(state.kafka, state.topics.telemetry, [step.line], telemetryKey)));
        break;
      case 'operator':
        await playOperator(state, step.op, events);
        // Topics are not ordered against each other: the action takes effect before the next line is played.
        await waitSettled(state.kafka, state.topics, state.group, state.processor);
        break;
      case 'wait':
        await waitSettled(state.kafka, state.topics, state.group, state.processor);
        break;
      case 'fault':
        state.log(`fault: ${step.fault}`);
        if (step.fault === 'kill_processor') await killProcessorMidBurst(state);
        else if (step.fault === 'kill_broker') await killBrokerFault(state);
        else await restartBoth(state);
        break;
      case 'config':
        // A new config snapshot: the processor restarts with the partial merged in (a new hash on later records).
        await waitSettled(state.kafka, state.topics, state.group, state.processor);
        await state.processor.stop();
        state.configPartial = deepMerge(state.configPartial, step.partial) as Record<string, unknown>;
        writeConfig(state);
        state.processor.start();
        break;
      case 'expect':
        break;
    }
  }
  await waitSettled(state.kafka, state.topics, state.group, state.processor);
  const trail = await readTrail(state.kafka, state.topics);
  for (const step of steps) {
    if (step.kind !== 'expect') continue;
    const delivery = state.deliveries.find((d) => d.eventId === step.expect.event_id) ?? (events.has(step.expect.event_id) ? undefined : rawDeliveryFor(state, steps, step.expect.event_id));
    if (!delivery) {
      failures.push(`${step.expect.event_id}: no delivery carries this event_id`);
      continue;
    }
    failures.push(...unmetExpectation(step.expect, fateOf(trail.audit, state.topics.telemetry, delivery.partition, delivery.offset)));
  }
  return failures;
}

/** A raw (malformed) line is matched to an expectation by the event_id text it contains. */
function rawDeliveryFor(state: RunState, _steps: readonly Step[], eventId: string): Delivery | undefined {
  return state.deliveries.find((d) => d.eventId === null && d.line.includes(eventId));
}

function dockerAnswers(): { ok: boolean; reason: string } {
  try {
    execFileSync('docker', ['info'], { stdio: 'pipe', timeout: 15_000 });
    return { ok: true, reason: 'docker info answered' };
  } catch (error) {
    const e = error as { code?: string; stderr?: Buffer };
    return { ok: false, reason: e.code === 'ENOENT' ? 'no docker CLI on this machine' : `docker info failed: ${(e.stderr?.toString() ?? '').trim().split('\n')[0] ?? 'no engine'}` };
  }
}

export async function runReality(options: RealityOptions): Promise<RealityResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const runId = ulid();
  const bundleDir = resolve(options.outDir, runId);
  const workDir = join(repoRoot(), '.exoarmur', 'reality', 'runs', runId);
  mkdirSync(bundleDir, { recursive: true });
  mkdirSync(workDir, { recursive: true });
  const { steps, config: scenarioConfig } = readScenario(options.scenarioDir);
  const broker = options.brokers ? externalBroker(options.brokers) : await startRunBroker(join(workDir, 'broker'));
  log(`run ${runId}: broker ${broker.brokers}${broker.owned ? ` (embedded, ${broker.dataDir})` : ' (external)'}`);
  const topics = configTopicsForRun(runId);
  const keys = new Map(scenarioActors(steps).map((actor) => [actor, generateOperatorKey(actor)]));
  const configFile = join(workDir, 'config.json');
  const observed = steps.flatMap((s) => (s.kind === 'telemetry' && typeof s.event['observed_at'] === 'string' ? [s.event['observed_at']] : [])).sort();
  const state: RunState = {
    runId, kafka: createKafka({ brokers: broker.brokers.split(','), clientId: `reality-${runId}` }), broker,
    processor: new ProcessorChild(configFile, join(bundleDir, 'service.log'), MAX_INPUTS_PER_TRANSACTION),
    topics, group: groupForRun(runId), keys, deliveries: [], actionCoordinates: [],
    configPartial: deepMerge(scenarioConfig, { app_id: appIdForRun(runId), brokers: broker.brokers.split(','), partitions: PARTITIONS, topics, operators: Object.assign({}, ...[...keys.values()].map(registryEntry)) }) as Record<string, unknown>,
    configFile, processorKills: 0, expectationCount: steps.filter((s) => s.kind === 'expect').length, brokerKills: 0, countsAcrossBrokerKills: [], faultNotes: [],
    earliestObservedAt: observed[0] ?? '2026-01-01T00:00:00.000Z', log,
  };
  writeConfig(state);
  const admin = state.kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topicSpecs({ prefix: runPrefix(runId), partitions: PARTITIONS }));
  } finally {
    await admin.disconnect();
  }
  try {
    state.processor.start();
    const expectationFailures = await play(state, steps);
    log(`scenario played: ${state.deliveries.length} telemetry deliveries, ${state.actionCoordinates.length} operator records`);

    // Double-inject: every telemetry delivery of the run, again, in the same order.
    const before = await readTrail(state.kafka, state.topics);
    const summaryBefore = outcomeSummary(before.audit, before.execute);
    const firstDeliveries = [...state.deliveries];
    state.deliveries.push(...(await deliver(state.kafka, topics.telemetry, firstDeliveries.map((d) => d.line), telemetryKey)));
    await waitSettled(state.kafka, topics, state.group, state.processor);
    await state.processor.stop();
    const trail = await readTrail(state.kafka, state.topics);
    const summaryAfter = outcomeSummary(trail.audit, trail.execute);
    log(`double-inject: digest ${summaryBefore.digest === summaryAfter.digest ? 'equal' : 'DIFFERENT'}`);

    const replay = await replayEvidence(runId, broker.brokers, bundleDir);
    const result = await writeBundle(state, trail, { summaryBefore, summaryAfter, expectationFailures, replay, bundleDir });
    return result;
  } finally {
    await state.processor.stop().catch(() => undefined);
    await producers.get(state.kafka)?.disconnect().catch(() => undefined);
    if (broker.owned) await stopRunBroker(broker).catch(() => undefined);
  }
}

/** Replay from the broker alone (tools/replay): the report goes into the bundle as written. */
async function replayEvidence(runId: string, brokers: string, bundleDir: string): Promise<ReplayReport> {
  const report = await replayRun({ brokers: brokers.split(','), topics: topicsForRun(runId), runId });
  writeFileSync(join(bundleDir, BUNDLE_FILES.replayReport), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

interface BundleInputs {
  summaryBefore: ReturnType<typeof outcomeSummary>;
  summaryAfter: ReturnType<typeof outcomeSummary>;
  expectationFailures: string[];
  replay: ReplayReport;
  bundleDir: string;
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function storageState(state: RunState, trail: Trail): Promise<Record<string, unknown>> {
  const admin = state.kafka.admin();
  await admin.connect();
  try {
    const names = Object.values(state.topics);
    const metadata = await admin.fetchTopicMetadata({ topics: names });
    const configs = await admin.describeConfigs({ includeSynonyms: false, resources: names.map((name) => ({ type: 2, name })) });
    const committed = await admin.fetchOffsets({ groupId: state.group, topics: [state.topics.telemetry, state.topics.operator_actions] });
    const topics: Record<string, unknown> = {};
    for (const name of names) {
      const offsets = await admin.fetchTopicOffsets(name);
      const described = configs.resources.find((r) => r.resourceName === name);
      topics[name] = {
        partitions: metadata.topics.find((t) => t.name === name)?.partitions.length ?? 0,
        configs: Object.fromEntries((described?.configEntries ?? []).filter((e) => ['cleanup.policy', 'retention.ms', 'min.insync.replicas'].includes(e.configName)).map((e) => [e.configName, e.configValue])),
        offsets: offsets.sort((a, b) => a.partition - b.partition).map((o) => ({ partition: o.partition, log_start: o.low, log_end: o.high })),
      };
    }
    const files = topicDataFiles(state.broker.dataDir, names);
    return {
      run_id: state.runId,
      broker: { brokers: state.broker.brokers, embedded: state.broker.owned, data_dir: state.broker.dataDir },
      topics,
      committed_group_offsets: { group: state.group, topics: committed },
      record_counts_read_back: { audit: trail.audit.length, execute: trail.execute.length, config: trail.snapshots.length, operator_actions: trail.actions.length, dlq: trail.dlq, state: trail.state },
      counts_across_broker_kills: state.countsAcrossBrokerKills,
      data_files: files,
    };
  } finally {
    await admin.disconnect();
  }
}

async function writeBundle(state: RunState, trail: Trail, inputs: BundleInputs): Promise<RealityResult> {
  const dir = inputs.bundleDir;
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  write('audit_export.jsonl', trail.audit.map((r) => JSON.stringify(r)).join('\n') + (trail.audit.length ? '\n' : ''));
  const snapshots = trail.snapshots.map((s) => ({ config_hash: s.config_hash, config: JSON.parse(s.config) as unknown, captured_at: s.captured_at }));
  write('config_snapshot.json', json(snapshots));
  write('config_hash.txt', `${snapshots[0]?.config_hash ?? ''}\n`);
  write('operator_actions.jsonl', trail.actions.map((a) => JSON.stringify(a.value)).join('\n') + (trail.actions.length ? '\n' : ''));
  const storage = await storageState(state, trail);
  write('storage_state.json', json(storage));
  const followedOrder = replayFollowedRecordedOrder(inputs.replay, trail.audit);
  const time = timeModel(trail.audit, followedOrder, BURST_TENANT);
  write('time_model.json', json(time));
  if (!existsSync(join(dir, 'service.log'))) write('service.log', '');

  // Idempotency: counted over valid telemetry (a rejected delivery has no idempotency key to repeat).
  const telemetryReceipts = trail.audit.filter((r) => r.input.topic === state.topics.telemetry && RECEIPT_KINDS.has(r.event_kind));
  const rejected = telemetryReceipts.filter((r) => r.event_kind === 'telemetry_rejected').length;
  const received = telemetryReceipts.filter((r) => r.event_kind === 'telemetry_received');
  const uniqueKeys = new Set(received.map((r) => r.idempotency_key));
  const duplicates = telemetryReceipts.filter((r) => r.event_kind === 'telemetry_duplicate').length;
  const deliveries = state.deliveries.length;
  const idempotency = {
    deliveries, rejected_deliveries: rejected, unique_keys: uniqueKeys.size, duplicates_suppressed: duplicates,
    outcomes_before: inputs.summaryBefore.counts, outcomes_after: inputs.summaryAfter.counts,
    digest_before: inputs.summaryBefore.digest, digest_after: inputs.summaryAfter.digest,
    equal: inputs.summaryBefore.digest === inputs.summaryAfter.digest && canonicalJson(inputs.summaryBefore.counts) === canonicalJson(inputs.summaryAfter.counts),
  };
  write('idempotency_report.json', json(idempotency));

  // Exactly-once read-back over every delivery of both input topics.
  const outcomes = await readRunOutcomes(state.kafka, { audit: state.topics.audit, execute: state.topics.execute, dlq: state.topics.dlq });
  const inputsSent = [...state.deliveries.map((d) => `${state.topics.telemetry}/${d.partition}/${d.offset}`), ...state.actionCoordinates];
  const violations = exactlyOnceViolations(outcomes, { uniqueKeys, inputs: inputsSent });

  const gates: Gate[] = [];
  const files = storage['data_files'] as Array<{ path: string; bytes: number }>;
  // Index files are preallocated (10 MiB each): the honest size of what was written is the .log segments.
  const segmentBytes = (topic: string) => files.filter((f) => f.path.startsWith(`${topic}-`) && f.path.endsWith('.log')).reduce((a, f) => a + f.bytes, 0);
  const auditBytes = segmentBytes(state.topics.audit);
  const stateBytes = segmentBytes(state.topics.state);
  const killsSurvived = state.countsAcrossBrokerKills.every(survived);
  gates.push(judge(1, [
    [auditBytes > 0, 'audit data files on disk'],
    [stateBytes > 0, 'state data files on disk'],
    [killsSurvived, `records committed before a broker kill missing after it: ${canonicalJson(state.countsAcrossBrokerKills)}`],
    [trail.audit.length === outcomes.audit.length, 'audit count read back twice equal'],
  ], `audit ${auditBytes} B and state ${stateBytes} B of .log segments (${files.length} files) under ${state.broker.dataDir ?? '?'}; ${trail.audit.length} audit records read back; ${state.brokerKills} broker kill(s)${state.countsAcrossBrokerKills.map((c) => `, all ${c.before['audit']} audit records committed before it read back after (${c.after['audit']} then)`).join('')}${state.brokerKills === 0 ? ' (no broker kill in this run)' : ''}`));

  const receipts = Object.values(outcomes.receiptsByKind).reduce((a, b) => a + b, 0);
  gates.push(judge(2, [
    [violations.length === 0, `exactly-once: ${violations.slice(0, 3).join(', ')}`],
    [receipts === inputsSent.length, `receipts ${receipts} != deliveries ${inputsSent.length}`],
    [state.processorKills + state.brokerKills + state.processor.starts - 1 > 0, 'no fault in this run'],
  ], `processor killed ${state.processorKills}x, broker killed ${state.brokerKills}x, processor started ${state.processor.starts}x; ${receipts} receipts == ${inputsSent.length} deliveries, gapless chains, no doubled outcome${state.faultNotes.length ? `; ${state.faultNotes.join('; ')}` : ''}`));

  gates.push(replayGate(inputs.replay, trail.audit.length, followedOrder));

  const docker = dockerAnswers();
  gates.push(docker.ok
    ? { n: 4, name: 'DEPLOYMENT', status: 'FAIL', evidence: 'a Docker engine answers but this run did not bring the system up with docker compose' }
    : { n: 4, name: 'DEPLOYMENT', status: 'UNPROVEN', evidence: `${docker.reason}; docker-compose deployment cannot be exercised here` });

  const receiptOrders = Object.values(time.receipts);
  gates.push(judge(5, [
    [time.every_record_timed, 'a record lacks event_time or process_time'],
    [receiptOrders.every((r) => r.gapless && r.strictly_ordered), 'receipts not gapless and strictly ordered per partition'],
    [time.replay_followed_recorded_order, 'replay did not follow the recorded order'],
    [time.out_of_order_events - time.out_of_order_filler_events > 0, 'no out-of-order scenario events in the run'],
  ], `${trail.audit.length} records timed; receipts per partition ${Object.entries(time.receipts).map(([p, r]) => `${p}:${r.count}`).join(' ')} gapless and strictly ordered; replay followed the recorded order; ${time.out_of_order_events - time.out_of_order_filler_events} out-of-order scenario events (+${time.out_of_order_filler_events} burst filler) handled`));

  const releasedIds = trail.audit.filter((r) => r.event_kind === 'intent_released').map((r) => (r.payload as { intent_id: string }).intent_id);
  const executeIds = trail.execute.map((e) => e.intent_id);
  const onePerRelease = releasedIds.length === executeIds.length && new Set(executeIds).size === executeIds.length && releasedIds.every((id) => executeIds.includes(id));
  const validDeliveries = deliveries - rejected;
  gates.push(judge(6, [
    [idempotency.equal, 'double-inject digests differ'],
    [duplicates === validDeliveries - uniqueKeys.size, `duplicates suppressed ${duplicates} != valid deliveries ${validDeliveries} - unique keys ${uniqueKeys.size}`],
    [onePerRelease, 'not exactly one execute record per released intent'],
  ], `digest ${idempotency.digest_after.slice(0, 12)} equal before/after re-injecting ${deliveries / 2} deliveries; ${duplicates} duplicates suppressed = ${validDeliveries} valid deliveries - ${uniqueKeys.size} unique keys; ${executeIds.length} execute records for ${releasedIds.length} released intents`));

  const snapshotOk = snapshots.every((s) => sha256Hex(canonicalJson(s.config)) === s.config_hash);
  const knownHashes = new Set(snapshots.map((s) => s.config_hash));
  const everyHashKnown = trail.audit.every((r) => knownHashes.has(r.config_hash));
  const registry = new Map([...state.keys].map(([actor, key]) => [actor, key.public_key]));
  const signedOk = trail.actions.every((a) => nodePrimitives.verifyEd25519(registry.get(a.value.actor_id) ?? '', actionSigningBytes(a.value), a.value.signature));
  const consumed = state.actionCoordinates.every((c) => outcomes.receiptsPerInput.get(c) === 1);
  const applied = trail.audit.filter((r) => r.event_kind === 'operator_action_applied').length;
  const rejectedActions = trail.audit.filter((r) => r.event_kind === 'operator_action_rejected').length;
  if (inputs.expectationFailures.length > 0) write('expectations_failed.txt', `${inputs.expectationFailures.join('\n')}\n`);
  // verify runs on the bundle before PASS_FAIL.txt exists (no check reads it), so its verdict is a gate 7 fact.
  await writeManifest(dir, state.runId);
  const verified = await verifyBundle(dir);
  const expectations = state.expectationCount;
  gates.push(judge(7, [
    [snapshotOk, 'a config snapshot does not hash to its config_hash'],
    [everyHashKnown, 'a record names a config_hash with no snapshot'],
    [signedOk, 'an operator action signature does not verify'],
    [trail.actions.length === state.actionCoordinates.length, 'operator actions read back != published'],
    [consumed, 'an operator action has no receipt'],
    [inputs.replay.pass, 'operator actions not consumed by a passing replay'],
    [inputs.expectationFailures.length === 0, `expectations unmet: ${inputs.expectationFailures.slice(0, 5).join('; ')}`],
    [verified.ok, `verify: ${verified.checks.filter((c) => !c.ok).map((c) => `${c.name} (${c.detail})`).join('; ')}`],
  ], `${snapshots.length} config snapshot(s) hash right, ${new Set(trail.audit.map((r) => r.config_hash)).size} hash(es) on records all known; ${trail.actions.length} operator records signed, verified, durable, each with one receipt (${applied} applied, ${rejectedActions} rejected); ${expectations} expect lines ${inputs.expectationFailures.length === 0 ? 'met' : 'checked'}; verify: ${verified.checks.length} checks hold`));

  const text = passFailText(state.runId, gates);
  write('PASS_FAIL.txt', text);
  await writeManifest(dir, state.runId);
  await writeViewerHtml(dir);
  // The bundle as a reviewer gets it: a failed offline verify fails the run.
  const final = await verifyBundle(dir);
  if (!final.ok) throw new ExoArmurError('BUNDLE_UNVERIFIED', `the written bundle does not verify:\n${formatVerifyResult(dir, final)}`, { context: { topic: state.topics.audit } });
  return { runId: state.runId, bundleDir: dir, gates, overall: overall(gates), passFail: text };
}
