/**
 * The scenario player: delivers telemetry and raw lines, signs and publishes operator actions
 * (an approve/deny once the approval it decides is committed), waits, and hands faults and config
 * changes to the fault injector. Then the double-inject: every delivery of the run, again.
 */
import { UsageError } from '../../processor/errors.js';
import { repoRoot } from '../broker/paths.js';
import type { PublishedAction } from '../operator/publish.js';
import { buildAction } from '../operator/sign.js';
import { signAction } from '../../processor/operator-signing.js';
import { pollUntil } from '../lib/poll.js';
import { fateOf, outcomeSummary, type OutcomeSummary, type Trail } from './analysis.js';
import { changeConfig, injectFault } from './faults.js';
import { nativeOutgoing } from './live.js';
import { sensorOutgoing } from './sensor-samples.js';
import { PARTITIONS, stopProcessor, waitSettled, type RunContext } from './run-context.js';
import type { OperatorStep, Step } from './scenario.js';

/** Plays every step in order and returns once the run has settled. */
export async function playScenario(ctx: RunContext, steps: readonly Step[]): Promise<void> {
  for (const step of steps) {
    switch (step.kind) {
      case 'telemetry':
      case 'raw':
        ctx.deliveries.push(...(await ctx.kafka.deliver([nativeOutgoing(step.line)])));
        break;
      case 'sensor':
        ctx.deliveries.push(...(await ctx.kafka.deliver([sensorOutgoing(step.sensor, repoRoot())])));
        break;
      case 'operator':
        await playOperator(ctx, step.op, steps);
        // Topics are not ordered against each other: the action takes effect before the next line is played.
        await waitSettled(ctx);
        break;
      case 'wait':
        await waitSettled(ctx);
        break;
      case 'fault':
        await injectFault(ctx, step.fault);
        break;
      case 'config':
        await changeConfig(ctx, step.partial);
        break;
      case 'expect':
        break;
    }
  }
  await waitSettled(ctx);
}

export interface DoubleInject {
  before: OutcomeSummary;
  after: OutcomeSummary;
  /** The trail read back once the re-delivered inputs are committed and the processor stopped. */
  trail: Trail;
}

/** Every telemetry delivery of the run, again, in the same order; outcomes summarised before (`first`, the settled trail) and after. */
export async function doubleInject(ctx: RunContext, first: Trail): Promise<DoubleInject> {
  const before = outcomeSummary(first.audit, first.execute);
  const firstDeliveries = [...ctx.deliveries];
  // Each as first sent (value, key and headers), so a sensor sample is read in its format again.
  ctx.deliveries.push(
    ...(await ctx.kafka.deliver(firstDeliveries.map(({ line, key, headers, eventId }) => ({ line, key, eventId, ...(headers === undefined ? {} : { headers }) })))),
  );
  await waitSettled(ctx);
  await stopProcessor(ctx);
  const trail = await ctx.kafka.readTrail();
  return { before, after: outcomeSummary(trail.audit, trail.execute), trail };
}

function carriesEvent(steps: readonly Step[], eventId: string): boolean {
  return steps.some((s) => s.kind === 'telemetry' && s.event['event_id'] === eventId);
}

async function playOperator(ctx: RunContext, op: OperatorStep, steps: readonly Step[]): Promise<void> {
  const key = ctx.keys.get(op.actor_id)!;
  if (op.action === 'kill_switch_on' || op.action === 'kill_switch_off') {
    const tenant = op.scope === 'tenant' ? op.tenant_id! : (op.tenant_id ?? 'global');
    const action = signAction(
      buildAction({
        action: op.action,
        tenant_id: tenant,
        correlation_id: `kill-switch-${op.scope}`,
        scope: op.scope ?? 'global',
        actor_id: op.actor_id,
        decided_at: op.decided_at ?? ctx.earliestObservedAt,
        reason: op.reason ?? null,
      }),
      key.private_key_pem,
    );
    recordPublished(ctx, await ctx.kafka.publishAction(action, { allPartitions: PARTITIONS }));
    return;
  }
  if (!carriesEvent(steps, op.event_id!))
    throw new UsageError('SCENARIO_INVALID', `operator ${op.action} names event ${op.event_id}, which no telemetry line carries; fix the scenario`);
  const delivery = ctx.deliveries.find((d) => d.eventId === op.event_id);
  if (!delivery) throw new UsageError('SCENARIO_INVALID', `operator ${op.action} for ${op.event_id} comes before that event is delivered; move it after the telemetry line`);
  // The approval exists only once the processor has committed its batch: wait for it in the trail.
  const found = await pollUntil(
    async () => {
      const trail = await ctx.kafka.readTrail();
      const fate = fateOf(trail.audit, ctx.kafka.topics.telemetry, delivery.partition, delivery.offset);
      if (fate.approvalId === null) return false;
      const requested = trail.audit.find((r) => r.event_kind === 'approval_requested' && (r.payload as { approval_id: string }).approval_id === fate.approvalId)!;
      return requested as typeof requested & { payload: { approval_id: string; intent_hash: string; partition: number; expires_at: string } };
    },
    { timeoutMs: 120_000, intervalMs: 500, what: `the approval born from event ${op.event_id}` },
  );
  const action = signAction(
    buildAction({
      action: op.action,
      tenant_id: found.tenant_id,
      correlation_id: found.correlation_id,
      approval_id: found.payload.approval_id,
      intent_hash: found.payload.intent_hash,
      actor_id: op.actor_id,
      decided_at: op.decided_at ?? new Date(Date.parse(found.event_time) + 60_000).toISOString(),
      reason: op.reason ?? null,
    }),
    key.private_key_pem,
  );
  recordPublished(ctx, await ctx.kafka.publishAction(action, { partition: found.payload.partition }));
}

function recordPublished(ctx: RunContext, published: PublishedAction): void {
  published.partitions.forEach((partition, i) => ctx.actionCoordinates.push(`${published.topic}/${partition}/${published.offsets[i]}`));
}
