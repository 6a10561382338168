/**
 * The replay report (replay_report.json, docs/contracts.md). Extra fields beyond the contract's
 * are additive: replay order evidence, output comparisons, throughput.
 */
import type { InputCoordinates } from '../../processor/core/types.js';

/** At most this many mismatches are listed; `mismatched` still counts all of them. */
export const MAX_LISTED_MISMATCHES = 1000;

export interface Mismatch {
  partition: number;
  /** The audit seq; null for an execute-topic or dead-letter difference. */
  seq: number | null;
  audit_id: string | null;
  /** Dotted path of the differing field, e.g. `payload.verdict`, `event_kind`, `execute.intent_hash`. */
  field: string;
  recorded: unknown;
  replayed: unknown;
}

/** The recorded-vs-replayed comparison (tools/replay/compare.ts). */
export interface Comparison {
  /** Recorded audit records compared (== the records exported to audit_export.jsonl). */
  compared: number;
  matched: number;
  /** Recorded audit records that differ or have no replayed counterpart, plus extra replayed records and output differences. */
  mismatched: number;
  mismatches: Mismatch[];
  mismatches_truncated: boolean;
  intent_hashes_equal: boolean;
  verdicts_equal: boolean;
  approvals_equal: boolean;
  trace_structure_equal: boolean;
  execute_equal: boolean;
  dead_letters_equal: boolean;
  pass: boolean;
}

/** The signed checkpoints re-derived (tools/replay/checkpoints.ts): how many, and whether all equal. */
export interface CheckpointComparison {
  checkpoints_compared: number;
  checkpoints_equal: boolean;
}

export interface ReplayReport extends Comparison, CheckpointComparison {
  run_id: string;
  /** Inputs replayed, in the order replay fed them to the core (receipt seq order, partition by partition). */
  replay_order: InputCoordinates[];
  replay_order_length: number;
  /** sha256Hex(canonicalJson(replay_order)). */
  replay_order_sha256: string;
  /** Config hashes the recorded trail names, each replayed with its snapshot. */
  config_hashes: string[];
  /** True when a configOverride replaced the recorded snapshots' decisions (a what-if replay). */
  config_overridden: boolean;
  inputs_replayed: number;
  events_per_second: number;
  timing_ms: { read: number; drive: number; compare: number; total: number };
}
