/**
 * The one loop that drives the core over consumed records: decode each record, step the core,
 * apply its state changes to the partition's cache, and (for a transaction) encode the outputs,
 * the batch's state records coalesced to one per key. The processor's task, replay, the test
 * harnesses and the core micro-benchmark all call this, so what replay re-derives and what the
 * benchmark's digest guards is exactly what the processor commits. Pure apart from its inputs: no
 * Kafka client, no clock (each input carries its process time).
 */
import { encodeRecord, toCoreInput, type ConsumedMessage, type Encoded } from '../codec/index.js';
import { appendRecord, signCheckpoint, type CheckpointSigner, type CheckpointV1, type CoveredInputs } from '../core/checkpoint.js';
import type { MerkleFrontier } from '../core/merkle.js';
import type { AuditRecordV1 } from '../core/types.js';
import type { InputSpec } from '../config/types.js';
import {
  applyStateRecords,
  coalesceStateRecords,
  step,
  type CoreInput,
  type CoreConfig,
  type InputSource,
  type OutputRecord,
  type OutputRole,
  type Primitives,
  type StateValue,
} from '../core/index.js';

export interface BatchInput {
  source: InputSource;
  message: ConsumedMessage;
  /** When the shell consumed it (recorded on its receipt; replay passes the recorded one). */
  processTime: string | number;
  /** What this input is decided under (replay: from the snapshot its receipt names); coreConfigOf builds it once per config. */
  config: CoreConfig;
  /** The deployment's telemetry input table (topic -> format, tenant, cell), by which a record is decoded. */
  inputs?: Readonly<Record<string, InputSpec>> | undefined;
}

/** One output as the transaction writes it: the record's key, Avro value and schema headers. */
export interface EncodedOutput {
  role: OutputRole;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface DrivenStep {
  input: CoreInput;
  /** What `step` returned for this input, state records included and not coalesced. */
  records: OutputRecord[];
}

export interface DrivenBatch {
  steps: DrivenStep[];
  /**
   * With `encode`: every non-state output in the order the core emitted it, then the batch's
   * state records reduced to each key's last value (the changelog is compacted and restore keeps
   * the last value per key, so that is all one transaction needs to write). Empty otherwise.
   */
  encoded: EncodedOutput[];
  /** The batch's signed checkpoint (with `checkpoint` in the options and at least one audit record), encoded when `encode`. */
  checkpoint: { value: CheckpointV1; encoded: Encoded | null } | null;
}

/** Signed checkpoints for the partition being driven: the tree so far (updated in place) and the signer. */
export interface CheckpointOptions {
  partition: number;
  tree: { frontier: MerkleFrontier };
  signer: CheckpointSigner;
}

export interface DriveOptions {
  /** Encode outputs for a transaction (the task, the benchmark); replay and the tests compare values. */
  encode: boolean;
  /** When the processor holds a checkpoint key: one signed checkpoint over the batch's audit records. */
  checkpoint?: CheckpointOptions;
}

/** First and last offset consumed per input topic, in order of first appearance. */
function covered(steps: readonly DrivenStep[]): CoveredInputs[] {
  const byTopic = new Map<string, CoveredInputs>();
  for (const { input } of steps) {
    const seen = byTopic.get(input.topic);
    if (seen === undefined) byTopic.set(input.topic, { topic: input.topic, first_offset: input.offset, last_offset: input.offset });
    else seen.last_offset = input.offset;
  }
  return [...byTopic.values()];
}

/** Extends the partition's tree by the batch's audit records and signs the checkpoint; null when the batch wrote none. */
function checkpointOf(steps: readonly DrivenStep[], primitives: Primitives, options: CheckpointOptions, configHash: string): CheckpointV1 | null {
  let head: AuditRecordV1 | null = null;
  for (const { records } of steps) {
    for (const record of records) {
      if (record.role !== 'audit') continue;
      head = record.value as AuditRecordV1;
      options.tree.frontier = appendRecord(primitives, options.tree.frontier, head.record_hash);
    }
  }
  if (head === null) return null;
  return signCheckpoint(primitives, options.signer, {
    partition: options.partition,
    frontier: options.tree.frontier,
    head: { seq: head.seq, record_hash: head.record_hash },
    config_hash: configHash,
    inputs: covered(steps),
  });
}

/**
 * Drives the core over `inputs` in order against `state` (the partition's cache, changed in
 * place: a caller whose transaction fails must discard it). `inputs` is read lazily, so a caller
 * can stamp each record's process time as it is consumed.
 */
export function driveBatch(state: Map<string, StateValue>, inputs: Iterable<BatchInput>, primitives: Primitives, options: DriveOptions): DrivenBatch {
  const steps: DrivenStep[] = [];
  const encoded: EncodedOutput[] = [];
  const stateRecords: OutputRecord[] = [];
  let configHash: string | null = null;
  for (const { source, message, processTime, config, inputs: specs } of inputs) {
    configHash = config.config_hash;
    const input = toCoreInput(source, message, processTime, specs);
    const { records } = step(state, input, config, primitives);
    applyStateRecords(state, records);
    steps.push({ input, records });
    if (!options.encode) continue;
    for (const record of records) {
      if (record.role === 'state') stateRecords.push(record);
      else encoded.push({ role: record.role, key: record.key, ...encodeRecord(record.role, record.value) });
    }
  }
  if (options.encode) {
    for (const record of coalesceStateRecords(stateRecords)) encoded.push({ role: 'state', key: record.key, ...encodeRecord('state', record.value) });
  }
  const value = options.checkpoint && configHash !== null ? checkpointOf(steps, primitives, options.checkpoint, configHash) : null;
  const checkpoint = value === null ? null : { value, encoded: options.encode ? encodeRecord('checkpoint', value) : null };
  return { steps, encoded, checkpoint };
}
