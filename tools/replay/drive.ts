/**
 * Re-runs the decision core over a run's recorded inputs, exactly as the processor did: inputs in
 * receipt order (per-partition seq), each with its receipt's recorded process_time and the config
 * snapshot its receipt names, one fresh state cache per partition kept by applyStateRecords.
 * Pure apart from the records it is handed: no broker, no clock.
 */
import type { CheckpointV1 } from '../../processor/core/checkpoint.js';
import type { ConsumedMessage } from '../../processor/codec/index.js';
import { coreConfigOf, effectiveFromSnapshot, type CoreConfig, type EffectiveConfig, type ExoArmurConfig } from '../../processor/config/index.js';
import type { InputSource, Primitives } from '../../processor/core/api.js';
import type { OutputRecord, StateValue } from '../../processor/core/index.js';
import { driveBatch, type BatchInput } from '../../processor/engine/batch.js';
import type { AuditRecordV1, ConfigSnapshotV1, DeadLetterV1, ExecutionIntentV1, InputCoordinates } from '../../processor/core/types.js';
import { ExoArmurError } from '../../processor/errors.js';

export { RECEIPT_KINDS } from '../../processor/core/types.js';
import { RECEIPT_KINDS } from '../../processor/core/types.js';

/** Per-partition outputs, audit ordered by seq, execute and dead letters in log order. */
export interface PartitionOutputs {
  audit: AuditRecordV1[];
  execute: ExecutionIntentV1[];
  dlq: DeadLetterV1[];
}

export interface RecordedRun {
  /** Recorded outputs by partition. */
  outputs: Map<number, PartitionOutputs>;
  /** Input records by topic, then partition, then offset (decimal string). */
  inputs: Map<string, Map<number, Map<string, ConsumedMessage>>>;
  /** Config snapshots by config_hash. */
  snapshots: Map<string, ConfigSnapshotV1>;
  /** Signed checkpoints by partition, when the run's processor held a checkpoint key. */
  checkpoints?: Map<number, CheckpointV1[]>;
}

export interface DriveOptions {
  /** Input topic names, to tell a receipt's source. */
  telemetryTopic: string;
  operatorTopic: string;
  /** The actuators' results topic, when the run had one (runs recorded before it have no result receipts). */
  resultsTopic?: string;
  primitives: Primitives;
  /**
   * A what-if: the config replay decides with instead of the recorded one. The result is stamped
   * with the recorded config_hash, modelling a policy changed without a new snapshot, so the
   * report shows the decisions that moved rather than every record's hash stamp.
   */
  configOverride?: (recorded: EffectiveConfig) => EffectiveConfig;
}

export interface DriveResult {
  outputs: Map<number, PartitionOutputs>;
  order: InputCoordinates[];
}

export class ReplayInputError extends ExoArmurError {}

/** The receipts of one partition's recorded audit trail, in seq order. */
export function receiptsOf(audit: readonly AuditRecordV1[]): AuditRecordV1[] {
  return audit.filter((r) => RECEIPT_KINDS.has(r.event_kind));
}

export function emptyOutputs(): PartitionOutputs {
  return { audit: [], execute: [], dlq: [] };
}

/** Adds one step's audit, execute and dead-letter records (not its state records) to a partition's outputs. */
export function collectOutputs(into: PartitionOutputs, records: readonly OutputRecord[]): void {
  for (const r of records) {
    if (r.role === 'audit') into.audit.push(r.value as AuditRecordV1);
    else if (r.role === 'execute') into.execute.push(r.value as ExecutionIntentV1);
    else if (r.role === 'dlq') into.dlq.push(r.value as DeadLetterV1);
  }
}

export function driveReplay(run: RecordedRun, options: DriveOptions): DriveResult {
  const configs = new Map<string, { core: CoreConfig; inputs: ExoArmurConfig['inputs'] }>();
  const configFor = (hash: string, at: AuditRecordV1): { core: CoreConfig; inputs: ExoArmurConfig['inputs'] } => {
    const cached = configs.get(hash);
    if (cached !== undefined) return cached;
    const snapshot = run.snapshots.get(hash);
    if (snapshot === undefined) {
      throw new ReplayInputError(
        'REPLAY_CONFIG_MISSING',
        `audit record ${at.audit_id} names config ${hash}, which the config topic does not hold: replay needs every snapshot the run used (was the config topic deleted or compacted away?)`,
        {
          context: { partition: at.input.partition, hash },
        },
      );
    }
    const recorded = effectiveFromSnapshot(snapshot);
    const core = coreConfigOf(options.configOverride === undefined ? recorded : { ...options.configOverride(recorded), config_hash: recorded.config_hash });
    const entry = { core, inputs: recorded.config.inputs };
    configs.set(hash, entry);
    return entry;
  };

  /** The run's own topic names decide the three inputs (a run may be replayed under a prefix); the config adds its further telemetry topics. */
  const sourceOf = (topic: string, inputs: ExoArmurConfig['inputs']): InputSource | null => {
    if (topic === options.telemetryTopic) return 'telemetry';
    if (topic === options.operatorTopic) return 'operator';
    if (topic === options.resultsTopic) return 'result';
    return inputs !== undefined && topic in inputs ? 'telemetry' : null;
  };
  const outputs = new Map<number, PartitionOutputs>();
  const order: InputCoordinates[] = [];
  for (const partition of [...run.outputs.keys()].sort((a, b) => a - b)) {
    const replayed = emptyOutputs();
    outputs.set(partition, replayed);
    const inputs = function* (): Generator<BatchInput> {
      for (const receipt of receiptsOf(run.outputs.get(partition)!.audit)) {
        const { topic, offset } = receipt.input;
        const config = configFor(receipt.config_hash, receipt);
        const source = sourceOf(topic, config.inputs);
        if (source === null) {
          throw new ReplayInputError(
            'REPLAY_UNKNOWN_INPUT_TOPIC',
            `receipt ${receipt.audit_id} points at topic ${topic}, which is neither ${options.telemetryTopic}, ${options.operatorTopic} nor an input of its config: pass the run's topic names (--run or --topic-prefix)`,
            {
              context: { topic, partition, offset },
            },
          );
        }
        const message = run.inputs.get(topic)?.get(receipt.input.partition)?.get(offset);
        if (message === undefined) {
          throw new ReplayInputError(
            'REPLAY_INPUT_MISSING',
            `receipt ${receipt.audit_id} points at ${topic}/${receipt.input.partition}@${offset}, which the broker no longer holds: replay needs the run's inputs (check the topic's retention)`,
            {
              context: { topic, partition: receipt.input.partition, offset },
            },
          );
        }
        order.push({ topic, partition: receipt.input.partition, offset });
        yield { source, message, processTime: receipt.process_time, config: config.core, inputs: config.inputs };
      }
    };
    // One fresh state cache per partition, kept by the processor's own batch loop.
    const { steps } = driveBatch(new Map<string, StateValue>(), inputs(), options.primitives, { encode: false });
    for (const { records } of steps) collectOutputs(replayed, records);
  }
  return { outputs, order };
}
