/**
 * The processor's log events that anything outside it reads: the bench, the tests and an operator's
 * log query select on a line's `event` field, never on its message, so a message can be reworded
 * without breaking a reader. Each entry says when the line is written.
 */
export const LOG_EVENTS = {
  metrics_serving: 'process --metrics-port: the metrics server listens; carries its port and host',
  starting: 'the processor loaded its effective config and is about to ensure topics',
  broker_waiting: 'a service (process, actuate) reached no broker yet at start; it tries again until SERVICE_PREFLIGHT_BUDGET_MS, then exits 2; carries the attempt and the reason',
  topics_ensured: 'every topic exists with its expected partitions and cleanup policy',
  config_published: 'the effective config snapshot is on the config topic',
  startup_retry: 'a start-up step (ensuring topics, publishing the config snapshot) failed or got no answer in time, and is tried again',
  consumer_running: 'the group consumer subscribed to both inputs and runs',
  group_joined: 'the consumer joined (or rejoined) the group; carries the assignment',
  consumer_crashed: 'kafkajs reported a consumer crash; carries whether it restarts itself',
  task_starting: 'a task for a partition is being built (fence, restore, seek); readiness waits for its task_ready',
  producer_fenced_previous: "a task's transactional producer fenced the previous owner of its id",
  state_restored: "a task read its partition's state changelog to the end",
  leftover_transaction_aborted:
    "at a task's start, records a previous transaction of its producer left past the last stable offset (a broker that completed it without markers) were aborted before processing; carries the ranges",
  group_offset_behind_changelog:
    "while a task starts, the group's committed offset of an input is behind the task's changelog position (the broker answered less than it stored); the task resumes at the position; carries both",
  task_ready: 'a task is fenced, restored and seeked; carries the next offsets',
  task_start_failed: 'building a task failed with a retriable or fenced error; it is retried',
  batch_committed: "one transaction of a partition's inputs committed; carries inputs, outputs, lag, txn_ms and decisions (receipts, verdicts, dead letters, approvals)",
  batch_failed: 'a batch failed with a retriable or fenced error; the task is rebuilt',
  permanent_failure: 'the same work failed with an error retrying cannot fix; carries the count',
  processing_halted: 'permanent failures reached the limit; the processor stops with exit 2',
  processor_stopped: 'shutdown finished: consumer disconnected, tasks closed',
  actuator_running: 'the actuator subscribed to the execute topic in its group and runs',
  actuator_partition_ready: 'an actuator partition is fenced, its dedupe state restored and its offset read',
  intent_attempt: 'the actuator committed an in_flight attempt of an intent and is about to perform it',
  intent_finished: "the actuator committed an intent's result (succeeded, failed or gave_up) with its offset",
  intent_skipped: 'a redelivered intent already has a final result in this actuator group; only its offset moved',
  intent_unreadable: 'an execute record is not an ExecutionIntentV1; it is skipped with the reason',
  actuator_stopped: 'actuator shutdown finished',
} as const;

export type LogEvent = keyof typeof LOG_EVENTS;

/** The `event` field of a log line: `logger.info({ ...logEvent('batch_committed'), … }, 'batch committed')`. */
export function logEvent(event: LogEvent): { event: LogEvent } {
  return { event };
}
