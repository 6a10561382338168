/**
 * A partition's meta record as the core starts it, before anything was seen. Written out here rather
 * than taken from processor/core/context.ts, so a test that expects it checks the core against a
 * statement of its own.
 */
import type { PartitionMeta } from '../core/types.js';

export function freshPartitionMeta(partition: number): PartitionMeta {
  return {
    partition,
    next_seq: 0,
    head_hash: '0'.repeat(64),
    stream_time: null,
    pending_head: null,
    pending_tail: null,
    pending_count: 0,
    collective_head: null,
    collective_tail: null,
    revert_head: null,
    revert_tail: null,
    idem_retention_head: null,
    idem_retention_tail: null,
    decided_retention_head: null,
    decided_retention_tail: null,
  };
}
