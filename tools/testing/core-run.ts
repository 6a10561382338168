/**
 * Test support: a run of the REAL core (codec, step, applyStateRecords, node:crypto) over inputs
 * given in memory, kept exactly as the broker would hold it, and written out as an evidence
 * bundle (audit export, snapshots, operator actions, a replay report from the real replay path,
 * manifest). Pure tests of verify and replay build their bundles with it; nothing is hand-made.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeOperatorAction, type ConsumedMessage } from '../../processor/codec/index.js';
import { configSnapshot, coreConfigOf, type CoreConfig, type EffectiveConfig } from '../../processor/config/index.js';
import type { StateValue } from '../../processor/core/index.js';
import type { AuditRecordV1, OperatorActionV1 } from '../../processor/core/types.js';
import { driveBatch } from '../../processor/engine/batch.js';
import { DEFAULT_CONFIG } from '../../processor/config/index.js';
import { nodePrimitives } from '../../processor/primitives.js';
import { collectOutputs, emptyOutputs, type PartitionOutputs, type RecordedRun } from '../replay/drive.js';
import { replayRecorded } from '../replay/offline.js';
import type { ReplayReport } from '../replay/report.js';
import { BUNDLE_FILES, bundleSnapshot, jsonlText, writeManifest } from '../bundle/files.js';
import { bundleInputsText } from '../bundle/inputs.js';

export const CORE_RUN_TOPICS = DEFAULT_CONFIG.topics;

export class CoreRun {
  readonly outputs = new Map<number, PartitionOutputs>();
  readonly inputs = new Map<string, Map<number, Map<string, ConsumedMessage>>>();
  readonly actions: OperatorActionV1[] = [];
  private readonly caches = new Map<number, Map<string, StateValue>>();
  private readonly nextOffsets = new Map<string, number>();
  /**
   * process_time: a fixed start advancing 5 ms per input, so a bundle is reproducible; each record's
   * Kafka timestamp is 2 ms before it. Months after the events the tests observe (from 2026-03-01), as
   * in a real run, so that policy.max_future_skew_s refuses none of them.
   */
  private clockMs = Date.UTC(2026, 10, 27, 0, 0, 0, 0);
  private readonly core: CoreConfig;

  constructor(
    readonly config: EffectiveConfig,
    readonly partitions: number,
  ) {
    this.core = coreConfigOf(config);
    for (let p = 0; p < partitions; p++) {
      this.outputs.set(p, emptyOutputs());
      this.caches.set(p, new Map());
    }
  }

  /** One telemetry delivery: an object is sent as its JSON, a string byte for byte. */
  telemetry(partition: number, value: Record<string, unknown> | string): void {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const key = typeof value === 'string' ? null : `${String(value['tenant_id'])}:${String(value['correlation_id'])}`;
    this.deliver('telemetry', CORE_RUN_TOPICS.telemetry, partition, key, Buffer.from(text, 'utf8'), {});
  }

  action(partition: number, action: OperatorActionV1): void {
    const encoded = encodeOperatorAction(action);
    this.actions.push(action);
    this.deliver('operator', CORE_RUN_TOPICS.operator_actions, partition, `${action.tenant_id}:${action.correlation_id}`, encoded.value, encoded.headers);
  }

  private deliver(source: 'telemetry' | 'operator', topic: string, partition: number, key: string | null, value: Buffer | null, headers: Record<string, string>): void {
    const slot = `${topic}/${partition}`;
    const offset = String(this.nextOffsets.get(slot) ?? 0);
    this.nextOffsets.set(slot, Number(offset) + 1);
    this.clockMs += 5;
    const message: ConsumedMessage = { topic, partition, offset, key: key === null ? null : Buffer.from(key), value, headers, timestamp: String(this.clockMs - 2) };
    let byPartition = this.inputs.get(topic);
    if (byPartition === undefined) this.inputs.set(topic, (byPartition = new Map()));
    let byOffset = byPartition.get(partition);
    if (byOffset === undefined) byPartition.set(partition, (byOffset = new Map()));
    byOffset.set(offset, message);

    const { steps } = driveBatch(this.caches.get(partition)!, [{ source, message, processTime: this.clockMs, config: this.core }], nodePrimitives, { encode: false });
    for (const { records } of steps) collectOutputs(this.outputs.get(partition)!, records);
  }

  recorded(): RecordedRun {
    const snapshot = configSnapshot(this.config, '2026-11-26T23:59:00.000Z');
    return { outputs: this.outputs, inputs: this.inputs, snapshots: new Map([[snapshot.config_hash, snapshot]]) };
  }

  /** Every audit record ordered by (partition, seq), as audit_export.jsonl holds them. */
  auditExport(): AuditRecordV1[] {
    return [...this.outputs.keys()].sort((a, b) => a - b).flatMap((p) => this.outputs.get(p)!.audit);
  }

  replay(runId: string): ReplayReport {
    return replayRecorded(this.recorded(), { runId, telemetryTopic: CORE_RUN_TOPICS.telemetry, operatorTopic: CORE_RUN_TOPICS.operator_actions });
  }
}

/** Writes the run as a bundle in `dir` (created if needed) and its manifest; returns the dir. */
export async function writeCoreRunBundle(dir: string, run: CoreRun, runId: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const snapshots = [...run.recorded().snapshots.values()];
  await writeFile(join(dir, BUNDLE_FILES.auditExport), jsonlText(run.auditExport()));
  await writeFile(join(dir, BUNDLE_FILES.configSnapshot), `${JSON.stringify(snapshots.map(bundleSnapshot), null, 2)}\n`);
  await writeFile(join(dir, BUNDLE_FILES.configHash), `${snapshots[0]!.config_hash}\n`);
  await writeFile(join(dir, BUNDLE_FILES.operatorActions), jsonlText(run.actions));
  await writeFile(join(dir, BUNDLE_FILES.inputs), bundleInputsText(run.recorded().inputs));
  await writeFile(join(dir, BUNDLE_FILES.replayReport), `${JSON.stringify(run.replay(runId), null, 2)}\n`);
  await writeManifest(dir, runId);
  return dir;
}
