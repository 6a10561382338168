/**
 * Per-run names. Every reality run gets its own topic namespace, app id and consumer group so
 * that nothing from an earlier run on the same broker can leak into this run's evidence, and so
 * that replay, inspect and tests can find a run's records from its run_id alone.
 */
import type { Topics } from '../../processor/config/types.js';
import { topicNames } from '../../processor/io/topics.js';

/** Topic names are case-sensitive; a ULID run id is upper case, so the namespace lower-cases it. */
export function runPrefix(runId: string): string {
  if (!/^[0-9A-Za-z]+$/.test(runId)) throw new RangeError(`run id must be alphanumeric (a ULID), got ${JSON.stringify(runId)}`);
  return `exoarmur.${runId.toLowerCase()}.`;
}

/** The run's topics, in the config's `topics` shape (the one topic vocabulary). */
export function topicsForRun(runId: string): Topics {
  return topicNames({ prefix: runPrefix(runId) });
}

/** The run's signed-checkpoint topic (config `checkpoints.topic`). */
export function checkpointTopicForRun(runId: string): string {
  return `${runPrefix(runId)}exoarmur.checkpoints.v1`;
}

/** The processor's app id for the run (transactional ids and the consumer group derive from it). */
export function appIdForRun(runId: string): string {
  return `exoarmur-${runId.toLowerCase()}`;
}

/** The processor's consumer group for the run: the app id, as the processor uses it. */
export function groupForRun(runId: string): string {
  return appIdForRun(runId);
}
