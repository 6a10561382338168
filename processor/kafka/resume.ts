/**
 * Where a task resumes on one input topic-partition. Two records say how far it got, both written
 * by the same Kafka transaction as the outputs: the group's committed offset (TxnOffsetCommit) and
 * the task's own position in the state changelog (`position/<topic>`, exactly_once only). They
 * agree unless the broker answers the offset fetch with less than it stored: a 3-node soak saw a
 * group coordinator, moments after a preferred-leader election moved it, answer "never committed"
 * for one partition holding 1,377 committed records, and the task read them all again. The
 * changelog position is read from the task's own restored store, so it resumes at the later of
 * the two; the group's offset can still be the later one, past transaction markers the position
 * does not count.
 */
import { ExoArmurError } from '../errors.js';
import type { PartitionProgress } from '../io/offsets.js';

export interface ResumePoint {
  /** The next offset to consume. */
  offset: bigint;
  /** The group's answer was behind the changelog position (the task would have re-read `offset - groupAnswer` records). */
  groupBehindBy: bigint;
}

/**
 * `progress`: the group's committed offset (null: none) and the log's watermarks; `position`: the
 * changelog's next offset for this input, or undefined when the changelog holds none.
 */
export function resumePoint(progress: PartitionProgress, position: bigint | undefined): ResumePoint {
  const group = progress.committed ?? progress.low;
  if (position === undefined || position <= group) return { offset: group, groupBehindBy: 0n };
  if (position > progress.high) {
    // The changelog counts input this log does not hold: the input topic is not the one the state
    // was built from (recreated, or another cluster). Skipping to the position would drop records.
    throw new ExoArmurError(
      'INPUT_POSITION_BEYOND_LOG',
      `${progress.topic}[${progress.partition}]: the state changelog says input was consumed up to offset ${position}, but the log ends at ${progress.high}: the input topic was recreated or belongs to another cluster; give this deployment a new app id (fresh state) or restore the topic`,
      { context: { topic: progress.topic, partition: progress.partition } },
    );
  }
  return { offset: position, groupBehindBy: position - group };
}
