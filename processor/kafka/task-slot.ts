/**
 * One owned partition's slot in the runner and the policy around its task: the slot's lifecycle
 * moves (task-lifecycle.ts), dropping its task, how long to back off before a rebuild or a consumer
 * restart, and when repeated permanent failure of the same work must halt the processor.
 */
import type { Logger } from 'pino';
import { ExoArmurError, ProcessingHaltedError } from '../errors.js';
import { kafkaErrorType, type FailureKind } from '../io/kafka-errors.js';
import { logEvent } from '../log-events.js';
import { Mutex } from './mutex.js';
import type { Task } from './task.js';
import { nextTaskState, type TaskState } from './task-lifecycle.js';

export interface Slot {
  partition: number;
  mutex: Mutex;
  /** Where the task is in its life (task-lifecycle.ts); changed only by `moveSlot`. */
  state: TaskState;
  task: Task | undefined;
  /** The group generation the task was built in; a rebalance invalidates it. */
  generation: number;
  failures: number;
  /** The work (`topic@offset`, or task start) that keeps failing permanently, and how often in a row. */
  permanent: { at: string; count: number } | undefined;
  logger: Logger;
}

export function newSlot(partition: number, logger: Logger): Slot {
  return { partition, mutex: new Mutex(), state: 'absent', task: undefined, generation: -1, failures: 0, permanent: undefined, logger };
}

export function moveSlot(slot: Slot, to: TaskState): void {
  slot.state = nextTaskState(slot.state, to, slot.partition);
}

export async function dropTask(slot: Slot, reason: string): Promise<void> {
  const task = slot.task;
  if (slot.state === 'absent') return;
  moveSlot(slot, 'closing');
  slot.task = undefined;
  if (task) {
    slot.logger.info({ reason }, 'dropping task');
    await task.close();
  }
  moveSlot(slot, 'absent');
}

/** Before rebuilding a task that failed `failures` times in a row. */
export function taskRebuildDelayMs(failures: number): number {
  return Math.min(250 * 2 ** failures, 8_000);
}

/** Before the `attempt`th rebuild of a consumer that crashed without restarting itself. */
export function consumerRestartDelayMs(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 10_000);
}

/**
 * Permanent and unclassified failures are logged as errors with their code and context; the same
 * work failing permanently `limit` times in a row returns the error that halts the runner.
 */
export function notePermanentFailure(
  slot: Slot,
  kind: FailureKind,
  at: string,
  error: unknown,
  context: Record<string, unknown>,
  limit: number,
): ProcessingHaltedError | undefined {
  if (kind !== 'permanent') {
    slot.permanent = undefined;
    if (kind === 'unclassified') slot.logger.error({ err: error, kind, at, ...context }, 'unclassified failure; rebuilding the task and retrying');
    return undefined;
  }
  const count = slot.permanent?.at === at ? slot.permanent.count + 1 : 1;
  slot.permanent = { at, count };
  const code = kafkaErrorType(error) ?? (error instanceof ExoArmurError ? error.code : undefined);
  slot.logger.error(
    { ...logEvent('permanent_failure'), err: error, kind, code, at, ...context, consecutive_failures: count, limit },
    'permanent failure: retrying cannot fix this',
  );
  if (count < limit) return undefined;
  const detail = error instanceof Error ? error.message : String(error);
  const halted = new ProcessingHaltedError(
    `partition ${slot.partition}: ${at} failed ${count} times in a row with an error retrying cannot fix (${code ?? kind}: ${detail}); nothing of it was committed: fix the cause (e.g. the topic's max.message.bytes) and restart, processing resumes there`,
    { cause: error, context: { partition: slot.partition, ...context } },
  );
  return halted;
}
