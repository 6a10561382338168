/**
 * The two bounds on an input's event time that stage 1 enforces (docs/state-store.md, "Event-time
 * bounds"), each refused at receipt with its reason code, before the input can be decided:
 *
 * - event_time_in_future: telemetry observed more than `policy.max_future_skew_s` after its own
 *   Kafka record timestamp. Stream time is the greatest observed_at, so one such event would move
 *   it, expire every pending approval and put every later event beyond the dedupe window. The
 *   record timestamp is part of the recorded input (replay feeds the same one); on Kafka 4.x the
 *   broker itself refuses a CreateTime more than `log.message.timestamp.after.max.ms` (1 h by
 *   default) past its clock, so observed_at is bounded by broker clock + 1 h + the skew.
 * - beyond_dedupe_window: an input whose idempotency key would not be kept, because stream time has
 *   already passed its event time + `policy.dedupe_window_s` (rounded up to the minute: exactly the
 *   rule retention.ts keeps and deletes keys by). Such an input cannot be remembered, so deciding it
 *   would decide every redelivery again; refused instead, every time it comes.
 */
import type { StepContext } from './context.js';
import { msOf } from './time.js';

/** `policy.max_future_skew_s` when the config does not give it: 5 minutes. */
export const DEFAULT_MAX_FUTURE_SKEW_S = 300;

export const EVENT_TIME_IN_FUTURE = 'event_time_in_future';
export const BEYOND_DEDUPE_WINDOW = 'beyond_dedupe_window';

/** Why telemetry observed at `observedAt` is too far ahead of its record timestamp, or null when it is not. */
export function futureEventTime(ctx: StepContext, observedAt: string): string | null {
  const skewS = ctx.config.policy.max_future_skew_s ?? DEFAULT_MAX_FUTURE_SKEW_S;
  const recordTime = ctx.input.kafka_timestamp;
  if (msOf(observedAt) - msOf(recordTime) <= skewS * 1000) return null;
  return `observed_at ${observedAt} is more than policy.max_future_skew_s (${skewS} s) after the record's Kafka timestamp ${recordTime}`;
}
