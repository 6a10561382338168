/**
 * Writes a RecordedRun as a recorded-run directory. The output is a function of the records
 * alone (no timestamps of the recording, fixed ordering), so recording the same run twice gives
 * the same bytes and a re-recording shows up in review as exactly the records that changed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleSnapshot, jsonlText, sha256OfBytes } from '../bundle/files.js';
import { receiptsOf, type PartitionOutputs, type RecordedRun } from '../replay/drive.js';
import { compareInputs, dlqLine, inputLine, RECORDED_FILES, RECORDED_FORMAT, SUMMED_FILES, sumsText, type RecordedCounts, type RunMeta } from './format.js';
import type { Topics } from '../../processor/config/types.js';

export interface RecordedRunIdentity {
  runId: string;
  topics: Topics;
  /** Tool name and version stamped into run.json. */
  tool: { tool: string; version: string };
}

/** What run.json counts, computed from the records (also how a loaded directory is re-counted). */
export function countsOf(recorded: RecordedRun, topics: Topics): RecordedCounts {
  const partitions = [...recorded.outputs.keys()].sort((a, b) => a - b);
  const partitionCount = partitions.length === 0 ? 0 : partitions[partitions.length - 1]! + 1;
  const inputsOf = (topic: string): number => [...(recorded.inputs.get(topic)?.values() ?? [])].reduce((n, byOffset) => n + byOffset.size, 0);
  const sum = (pick: (o: PartitionOutputs) => number): number => partitions.reduce((n, p) => n + pick(recorded.outputs.get(p)!), 0);
  return {
    inputs: { telemetry: inputsOf(topics.telemetry), operator: inputsOf(topics.operator_actions) },
    receipts: sum((o) => receiptsOf(o.audit).length),
    audit: sum((o) => o.audit.length),
    audit_per_partition: Array.from({ length: partitionCount }, (_, p) => recorded.outputs.get(p)?.audit.length ?? 0),
    execute: sum((o) => o.execute.length),
    dlq: sum((o) => o.dlq.length),
    config_snapshots: recorded.snapshots.size,
  };
}

/** The directory's files by name, as text. */
export function recordedRunFiles(recorded: RecordedRun, identity: RecordedRunIdentity): Map<string, string> {
  const partitions = [...recorded.outputs.keys()].sort((a, b) => a - b);
  const inputs = [...recorded.inputs.values()].flatMap((byPartition) => [...byPartition.values()].flatMap((byOffset) => [...byOffset.values()].map(inputLine)));
  inputs.sort(compareInputs);
  const audit = partitions.flatMap((p) => recorded.outputs.get(p)!.audit);
  const execute = partitions.flatMap((p) => recorded.outputs.get(p)!.execute.map((record) => ({ partition: p, record })));
  const dlq = partitions.flatMap((p) => recorded.outputs.get(p)!.dlq.map((record) => dlqLine(p, record)));
  const snapshots = [...recorded.snapshots.values()]
    .map(bundleSnapshot)
    .sort((a, b) => (a.captured_at !== b.captured_at ? (a.captured_at < b.captured_at ? -1 : 1) : a.config_hash < b.config_hash ? -1 : 1));
  const partitionCount = partitions.length === 0 ? 0 : partitions[partitions.length - 1]! + 1;

  const meta: RunMeta = {
    format: RECORDED_FORMAT,
    run_id: identity.runId,
    partitions: partitionCount,
    topics: identity.topics,
    counts: countsOf(recorded, identity.topics),
    recorded_with: identity.tool,
  };

  const files = new Map<string, string>([
    [RECORDED_FILES.inputs, jsonlText(inputs)],
    [RECORDED_FILES.audit, jsonlText(audit)],
    [RECORDED_FILES.execute, jsonlText(execute)],
    [RECORDED_FILES.dlq, jsonlText(dlq)],
    [RECORDED_FILES.configSnapshots, `${JSON.stringify(snapshots, null, 2)}\n`],
    [RECORDED_FILES.run, `${JSON.stringify(meta, null, 2)}\n`],
  ]);
  files.set(RECORDED_FILES.sums, sumsFor(files));
  return files;
}

/** SHA256SUMS text over the summed files of `files`. */
export function sumsFor(files: ReadonlyMap<string, string>): string {
  return sumsText(new Map(SUMMED_FILES.map((name) => [name, sha256OfBytes(Buffer.from(files.get(name) ?? '', 'utf8'))])));
}

export async function writeRecordedRun(dir: string, recorded: RecordedRun, identity: RecordedRunIdentity): Promise<RunMeta> {
  const files = recordedRunFiles(recorded, identity);
  await mkdir(dir, { recursive: true });
  for (const [name, text] of files) await writeFile(join(dir, name), text);
  return JSON.parse(files.get(RECORDED_FILES.run)!) as RunMeta;
}
