/**
 * Loads a recorded-run directory back into the RecordedRun replay drives. Parsing only: whether
 * the records are intact and still replay is check.ts's question. A file that is missing or does
 * not parse is a RecordedRunError naming the file and line.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConsumedMessage } from '../../processor/codec/index.js';
import { canonicalJson } from '../../processor/core/canonical.js';
import type { AuditRecordV1, ConfigSnapshotV1 } from '../../processor/core/types.js';
import { ExoArmurError } from '../../processor/errors.js';
import type { BundleConfigSnapshot } from '../bundle/files.js';
import { emptyOutputs, type PartitionOutputs, type RecordedRun } from '../replay/drive.js';
import { auditPartition, consumedMessage, deadLetter, RECORDED_FILES, RECORDED_FORMAT, runMetaOf, type DlqLine, type ExecuteLine, type InputLine, type RunMeta } from './format.js';

export class RecordedRunError extends ExoArmurError {}

export interface LoadedRecordedRun {
  meta: RunMeta;
  recorded: RecordedRun;
}

async function readText(dir: string, name: string): Promise<string> {
  try {
    return await readFile(join(dir, name), 'utf8');
  } catch (cause) {
    throw new RecordedRunError(
      'RECORDED_FILE_MISSING',
      `${join(dir, name)} cannot be read: a recorded run needs every file \`exoarmur record\` writes; re-record it or restore the file from git`,
      { cause },
    );
  }
}

function parseJson<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new RecordedRunError('RECORDED_FILE_UNREADABLE', `${where} is not valid JSON: the recorded run was edited by hand; restore it from git or re-record it`, { cause });
  }
}

async function readLines<T>(dir: string, name: string): Promise<T[]> {
  const text = await readText(dir, name);
  return text
    .split('\n')
    .map((line, i) => [line, i] as const)
    .filter(([line]) => line !== '')
    .map(([line, i]) => parseJson<T>(line, `${name} line ${i + 1}`));
}

export async function loadRecordedRun(dir: string): Promise<LoadedRecordedRun> {
  const parsed = parseJson<RunMeta>(await readText(dir, RECORDED_FILES.run), RECORDED_FILES.run);
  const meta = runMetaOf(parsed);
  if (meta === null) {
    throw new RecordedRunError(
      'RECORDED_FORMAT_UNKNOWN',
      `${join(dir, RECORDED_FILES.run)} has format ${String(parsed.format)}, this tool reads formats 1 and ${RECORDED_FORMAT}: re-record the run with this version of \`exoarmur record\``,
    );
  }
  const [inputs, audit, execute, dlq, snapshotsText] = await Promise.all([
    readLines<InputLine>(dir, RECORDED_FILES.inputs),
    readLines<AuditRecordV1>(dir, RECORDED_FILES.audit),
    readLines<ExecuteLine>(dir, RECORDED_FILES.execute),
    readLines<DlqLine>(dir, RECORDED_FILES.dlq),
    readText(dir, RECORDED_FILES.configSnapshots),
  ]);

  const outputs = new Map<number, PartitionOutputs>();
  for (let p = 0; p < meta.partitions; p++) outputs.set(p, emptyOutputs());
  const of = (partition: number, file: string): PartitionOutputs => {
    const o = outputs.get(partition);
    if (o === undefined) {
      throw new RecordedRunError(
        'RECORDED_PARTITION_UNKNOWN',
        `${file} holds a record for partition ${partition}, but run.json says the run has ${meta.partitions} partitions: the recorded run is inconsistent; re-record it`,
      );
    }
    return o;
  };
  // File order is kept as is: a reordered line must reach the chain check and the comparison.
  for (const record of audit) of(auditPartition(record), RECORDED_FILES.audit).audit.push(record);
  for (const line of execute) of(line.partition, RECORDED_FILES.execute).execute.push(line.record);
  for (const line of dlq) of(line.partition, RECORDED_FILES.dlq).dlq.push(deadLetter(line));

  const byTopic = new Map<string, Map<number, Map<string, ConsumedMessage>>>();
  for (const line of inputs) {
    let byPartition = byTopic.get(line.topic);
    if (byPartition === undefined) byTopic.set(line.topic, (byPartition = new Map()));
    let byOffset = byPartition.get(line.partition);
    if (byOffset === undefined) byPartition.set(line.partition, (byOffset = new Map()));
    byOffset.set(line.offset, consumedMessage(line));
  }

  const snapshots = new Map<string, ConfigSnapshotV1>();
  for (const s of parseJson<BundleConfigSnapshot[]>(snapshotsText, RECORDED_FILES.configSnapshots)) {
    snapshots.set(s.config_hash, { config_hash: s.config_hash, config: canonicalJson(s.config), captured_at: s.captured_at });
  }
  return { meta, recorded: { outputs, inputs: byTopic, snapshots } };
}
