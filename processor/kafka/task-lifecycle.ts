/**
 * The life of one partition's task inside the runner, as a table: the runner moves a slot only
 * through `nextTaskState`, so an impossible path (committing without a task, starting twice) is a
 * refused bug rather than a silent corruption of the partition's cache.
 *
 *   absent -> starting -> ready               fence, restore, seek (a failed start goes back to absent, with backoff)
 *   ready -> committing -> ready              one chunk in one transaction
 *   committing -> failed -> closing -> absent a failed chunk discards the task and its cache
 *   ready -> closing -> absent                revoked, rebalanced or shut down
 */
import { InvariantError } from '../errors.js';

export type TaskState = 'absent' | 'starting' | 'ready' | 'committing' | 'failed' | 'closing';

export const TASK_TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  absent: ['starting'],
  starting: ['ready', 'absent'],
  ready: ['committing', 'closing'],
  committing: ['ready', 'failed'],
  failed: ['closing'],
  closing: ['absent'],
};

export function nextTaskState(from: TaskState, to: TaskState, partition: number): TaskState {
  if (!TASK_TRANSITIONS[from].includes(to)) {
    throw new InvariantError('TASK_STATE', `illegal task transition ${from} -> ${to} on partition ${partition}`, { context: { partition } });
  }
  return to;
}
