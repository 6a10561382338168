/**
 * Writes a run's evidence bundle: each file from its builder (tools/reality/evidence.ts), the
 * replay report from tools/replay, the manifest, the seven gates judged (tools/reality/gates.ts)
 * into PASS_FAIL.txt, and the viewer page; then the bundle is verified as a reviewer would.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExoArmurError } from '../../processor/errors.js';
import { BUNDLE_FILES, writeManifest } from '../bundle/files.js';
import { exactlyOnceViolations, receiptCount } from '../process/outcomes.js';
import { replayRun } from '../replay/replay.js';
import type { ReplayReport } from '../replay/report.js';
import { formatVerifyResult, verifyBundle } from '../verify/verify.js';
import { writeViewerHtml } from '../viewer/embed.js';
import { replayFollowedRecordedOrder, timeModel } from './analysis.js';
import { topicDataFiles } from './broker-control.js';
import { auditExportText, configHashText, configSnapshots, idempotencyReport, jsonText, operatorActionsText, receivedKeys, storageState } from './evidence.js';
import { judgeRun, passFailText, type DeploymentEvidence, type Gate } from './gates.js';
import { topicsForRun } from './naming.js';
import type { DoubleInject } from './player.js';
import { BURST_TENANT, type RunContext } from './run-context.js';

export interface BundleInputs {
  bundleDir: string;
  doubled: DoubleInject;
  expectations: { lines: number; unmet: string[] };
}

/** Replay from the broker alone (tools/replay): the report goes into the bundle as written. */
async function replayEvidence(ctx: RunContext, bundleDir: string): Promise<ReplayReport> {
  const report = await replayRun({ brokers: ctx.broker.brokers.split(','), topics: topicsForRun(ctx.runId), runId: ctx.runId });
  writeFileSync(join(bundleDir, BUNDLE_FILES.replayReport), jsonText(report));
  return report;
}

function dockerAnswers(): DeploymentEvidence {
  try {
    execFileSync('docker', ['info'], { stdio: 'pipe', timeout: 15_000 });
    return { docker_answers: true, reason: 'docker info answered' };
  } catch (error) {
    const e = error as { code?: string; stderr?: Buffer };
    return {
      docker_answers: false,
      reason: e.code === 'ENOENT' ? 'no docker CLI on this machine' : `docker info failed: ${(e.stderr?.toString() ?? '').trim().split('\n')[0] ?? 'no engine'}`,
    };
  }
}

/** Writes every bundle file and PASS_FAIL.txt; throws when the written bundle does not verify. */
export async function writeBundle(ctx: RunContext, inputs: BundleInputs): Promise<Gate[]> {
  const dir = inputs.bundleDir;
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  const { trail } = inputs.doubled;
  const topics = ctx.kafka.topics;
  const replay = await replayEvidence(ctx, dir);
  write(BUNDLE_FILES.auditExport, auditExportText(trail.audit));
  const snapshots = configSnapshots(trail.snapshots);
  write(BUNDLE_FILES.configSnapshot, jsonText(snapshots));
  write(BUNDLE_FILES.configHash, configHashText(snapshots));
  write(BUNDLE_FILES.operatorActions, operatorActionsText(trail.actions));
  const dataFiles = topicDataFiles(ctx.broker.dataDir, Object.values(topics));
  const storage = storageState({ runId: ctx.runId, broker: ctx.broker, group: ctx.kafka.group }, await ctx.kafka.storageFacts(), trail, ctx.faults.acrossBrokerKills, dataFiles);
  write(BUNDLE_FILES.storageState, jsonText(storage));
  const followedOrder = replayFollowedRecordedOrder(replay, trail.audit);
  const time = timeModel(trail.audit, followedOrder, BURST_TENANT);
  write(BUNDLE_FILES.timeModel, jsonText(time));
  if (!existsSync(join(dir, BUNDLE_FILES.serviceLog))) write(BUNDLE_FILES.serviceLog, '');
  const idempotency = idempotencyReport(trail.audit, topics.telemetry, ctx.deliveries.length, inputs.doubled.before, inputs.doubled.after);
  write(BUNDLE_FILES.idempotencyReport, jsonText(idempotency));

  // Exactly-once read-back over every delivery of both input topics.
  const outcomes = await ctx.kafka.readOutcomes();
  const inputsSent = [...ctx.deliveries.map((d) => `${topics.telemetry}/${d.partition}/${d.offset}`), ...ctx.actionCoordinates];
  const violations = exactlyOnceViolations(outcomes, { uniqueKeys: receivedKeys(trail.audit, topics.telemetry), inputs: inputsSent });
  if (inputs.expectations.unmet.length > 0) write('expectations_failed.txt', `${inputs.expectations.unmet.join('\n')}\n`);
  // verify runs on the bundle before PASS_FAIL.txt exists (no check reads it), so its verdict is a gate 7 fact.
  await writeManifest(dir, ctx.runId);
  const verified = await verifyBundle(dir);

  const gates = judgeRun({
    durability: { storage, topics, audit_read_back_again: outcomes.audit.length, broker_kills: ctx.faults.brokerKills },
    restart: {
      processor_kills: ctx.faults.processorKills,
      broker_kills: ctx.faults.brokerKills,
      processor_starts: ctx.processorStarts,
      fault_notes: ctx.faults.notes,
      receipts: receiptCount(outcomes),
      deliveries: inputsSent.length,
      violations,
    },
    replay: { report: replay, exported: trail.audit.length, followed_order: followedOrder },
    deployment: dockerAnswers(),
    time,
    idempotency: {
      report: idempotency,
      released_intents: trail.audit.filter((r) => r.event_kind === 'intent_released').map((r) => (r.payload as { intent_id: string }).intent_id),
      execute_intents: trail.execute.map((e) => e.intent_id),
    },
    configAndHuman: {
      snapshots,
      audit: trail.audit,
      actions: trail.actions.map((a) => a.value),
      operator_keys: Object.fromEntries([...ctx.keys].map(([actor, key]) => [actor, key.public_key])),
      published_actions: ctx.actionCoordinates,
      receipts_per_input: outcomes.receiptsPerInput,
      replay,
      expectations: inputs.expectations,
      verify: verified,
    },
  });

  write(BUNDLE_FILES.passFail, passFailText(ctx.runId, gates));
  await writeManifest(dir, ctx.runId);
  await writeViewerHtml(dir);
  // The bundle as a reviewer gets it: a failed offline verify fails the run.
  const final = await verifyBundle(dir);
  if (!final.ok) throw new ExoArmurError('BUNDLE_UNVERIFIED', `the written bundle does not verify:\n${formatVerifyResult(dir, final)}`, { context: { topic: topics.audit } });
  return gates;
}
