/**
 * Writes a run's evidence bundle: each file from its builder (tools/reality/evidence.ts), the
 * replay report from tools/replay, the manifest, the seven gates judged (tools/reality/gates.ts)
 * into PASS_FAIL.txt, and the viewer page; then the bundle is verified as a reviewer would.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { manifestSignatureText } from '../bundle/origin.js';
import { join } from 'node:path';
import { ExoArmurError } from '../../processor/errors.js';
import { actuatorReport } from '../bundle/actuation-evidence.js';
import { runCounts } from '../bundle/counts.js';
import { resultsTopic } from '../../processor/config/defaults.js';
import { receivedRequests } from '../actuate/receiver.js';
import { BUNDLE_FILES, jsonlText, readBundle, writeManifest } from '../bundle/files.js';
import type { RunFacts } from '../bundle/run-evidence.js';
import { readRecordedRun, replayRun, type ReadRunOptions } from '../replay/replay.js';
import { bundleInputsText } from '../bundle/inputs.js';
import { secureLogin } from '../lib/secure-clients.js';
import { secureBrokerOf } from './broker-control.js';
import { checkBundleSecrets } from './security.js';
import type { ReplayReport } from '../replay/report.js';
import { formatVerifyResult, judgeBundle, verifyBundle } from '../verify/verify.js';
import { writeViewerHtml } from '../viewer/embed.js';
import { replayFollowedRecordedOrder, timeModel } from './analysis.js';
import { topicDataFiles } from './broker-control.js';
import { auditExportText, configHashText, configSnapshots, idempotencyReport, jsonText, operatorActionsText, storageState } from './evidence.js';
import type { DeploymentFacts } from '../bundle/compose-facts.js';
import { passFailText, type Gate } from './gates.js';
import { topicsForRun } from './naming.js';
import type { DoubleInject } from './player.js';
import { BURST_TENANT, type RunContext } from './run-context.js';

export interface BundleInputs {
  bundleDir: string;
  doubled: DoubleInject;
  expectations: { lines: number; unmet: string[] };
  /** What the compose phase did (tools/reality/compose-run.ts); its evidence files are already in the bundle. */
  deployment: DeploymentFacts;
  faultsDisabled: boolean;
  /** The compose broker's credentials when the compose phase ran the secure profile: its passwords are searched for too. */
  composeSecure: { credentialsFile: string } | null;
}

/** How a reviewer reads the run from the broker. */
function reviewerRead(ctx: RunContext): ReadRunOptions {
  return {
    brokers: ctx.broker.brokers.split(','),
    topics: topicsForRun(ctx.runId),
    ...(ctx.broker.secure === null ? {} : { login: secureLogin(secureBrokerOf(ctx.broker), 'reviewer') }),
  };
}

/** Replay from the broker alone (tools/replay): the report goes into the bundle as written. */
async function replayEvidence(ctx: RunContext, bundleDir: string): Promise<ReplayReport> {
  const report = await replayRun({ ...reviewerRead(ctx), runId: ctx.runId });
  writeFileSync(join(bundleDir, BUNDLE_FILES.replayReport), jsonText(report));
  return report;
}

/** The processor public key the run's config pins: the harness made the key, so it is the trusted one here. */
function trustedKeyOfConfig(config: Record<string, unknown>): string {
  return (config['checkpoints'] as { public_key: string }).public_key;
}

/** Writes every bundle file and PASS_FAIL.txt; throws when the written bundle does not verify. */
export async function writeBundle(ctx: RunContext, inputs: BundleInputs): Promise<Gate[]> {
  const dir = inputs.bundleDir;
  const write = (name: string, text: string) => writeFileSync(join(dir, name), text);
  const { trail } = inputs.doubled;
  const topics = ctx.kafka.topics;
  const replay = await replayEvidence(ctx, dir);
  write(BUNDLE_FILES.auditExport, auditExportText(trail.audit));
  // Every input a receipt points at, read back as replay reads it, so what-if runs on the bundle alone.
  write(BUNDLE_FILES.inputs, bundleInputsText((await readRecordedRun(reviewerRead(ctx))).inputs));
  write(BUNDLE_FILES.executeExport, jsonlText(trail.execute));
  write(BUNDLE_FILES.checkpoints, jsonlText(trail.checkpoints));
  // The loop's last step: what the actuator did with each execute record, and what the receiver saw.
  const read = await ctx.kafka.readResults();
  const results = read.map((r) => r.value);
  write(BUNDLE_FILES.executionResults, jsonlText(results));
  if (!existsSync(join(dir, BUNDLE_FILES.actuatorRequests))) write(BUNDLE_FILES.actuatorRequests, '');
  write(BUNDLE_FILES.actuatorReport, jsonText(actuatorReport(results, receivedRequests(readFileSync(join(dir, BUNDLE_FILES.actuatorRequests), 'utf8')))));
  const snapshots = configSnapshots(trail.snapshots);
  write(BUNDLE_FILES.configSnapshot, jsonText(snapshots));
  write(BUNDLE_FILES.configHash, configHashText(snapshots));
  write(BUNDLE_FILES.operatorActions, operatorActionsText(trail.actions));
  const dataFiles = topicDataFiles(ctx.broker.dataDir, Object.values(topics));
  const storage = storageState({ runId: ctx.runId, broker: ctx.broker, group: ctx.kafka.group }, await ctx.kafka.storageFacts(), trail, ctx.faults.acrossBrokerKills, dataFiles);
  write(BUNDLE_FILES.storageState, jsonText(storage));
  const inputsSent = {
    telemetry: ctx.deliveries.map((d) => `${topics.telemetry}/${d.partition}/${d.offset}`),
    operator_actions: [...ctx.actionCoordinates],
    // Written by the actuator, not the harness; each is an input of the processor all the same.
    results: read.map((r) => `${resultsTopic(topics)}/${r.partition}/${r.offset}`),
  };
  const counts = runCounts(trail.audit, inputsSent, BURST_TENANT);
  write(BUNDLE_FILES.timeModel, jsonText(timeModel(trail.audit, replayFollowedRecordedOrder(replay, trail.audit), BURST_TENANT)));
  if (!existsSync(join(dir, BUNDLE_FILES.serviceLog))) write(BUNDLE_FILES.serviceLog, '');
  write(BUNDLE_FILES.idempotencyReport, jsonText(idempotencyReport(counts, inputs.doubled.before, inputs.doubled.after)));
  if (inputs.expectations.unmet.length > 0) write('expectations_failed.txt', `${inputs.expectations.unmet.join('\n')}\n`);
  // A second read-back, for gate 1's "read back twice equal".
  const again = await ctx.kafka.readOutcomes();
  const facts: RunFacts = {
    run_id: ctx.runId,
    topics: { ...topics },
    faults: {
      processor_kills: ctx.faults.processorKills,
      broker_kills: ctx.faults.brokerKills,
      processor_starts: ctx.processor.starts,
      notes: ctx.faults.notes,
      disabled: inputs.faultsDisabled,
    },
    inputs_sent: inputsSent,
    audit_read_back_again: again.audit.length,
    broker_owned: ctx.broker.owned,
    deployment: inputs.deployment,
    expectations: inputs.expectations,
    filler_tenant: BURST_TENANT,
    outcomes_before: { digest: inputs.doubled.before.digest, counts: inputs.doubled.before.counts },
  };
  write(BUNDLE_FILES.runFacts, jsonText(facts));

  // A secure run: no password of its credentials in any file (security.json records the search).
  if (ctx.broker.secure !== null) checkBundleSecrets(dir, [secureBrokerOf(ctx.broker), ...(inputs.composeSecure === null ? [] : [inputs.composeSecure])]);
  // The gates are judged from the files just written, exactly as `verify` re-judges them; the
  // integrity verdict gate 7 reads is taken before PASS_FAIL.txt exists (no integrity check reads it).
  await writeManifest(dir, ctx.runId);
  const gates = judgeBundle(await readBundle(dir));
  write(BUNDLE_FILES.passFail, passFailText(ctx.runId, gates));
  await writeManifest(dir, ctx.runId);
  // The processor's key signs the manifest, so the bundle proves where it came from (verify --trust).
  write(BUNDLE_FILES.manifestSignature, manifestSignatureText(readFileSync(join(dir, BUNDLE_FILES.manifest)), readFileSync(ctx.checkpointKeyFile, 'utf8')));
  await writeViewerHtml(dir);
  // The bundle as a reviewer gets it: a failed offline verify fails the run.
  const final = await verifyBundle(dir, trustedKeyOfConfig(ctx.configPartial));
  if (!final.ok) throw new ExoArmurError('BUNDLE_UNVERIFIED', `the written bundle does not verify:\n${formatVerifyResult(dir, final)}`, { context: { topic: topics.audit } });
  return gates;
}
