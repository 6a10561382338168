/**
 * The fault injector: SIGKILL of the processor in the middle of a burst, SIGKILL and restart of
 * the broker on its data dir, a full restart of both, and a config change (processor restarted on
 * the merged config, so later records carry a new config hash). Each records what it did in the
 * run's fault log.
 */
import { ulid } from 'ulid';
import { deepMerge } from '../../processor/config/model.js';
import { pollUntil } from '../lib/poll.js';
import { brokerKillSurvival, trailCounts } from './analysis.js';
import { nativeOutgoing } from './live.js';
import { BURST_TENANT, killProcessor, startProcessor, stopProcessor, waitSettled, writeRunConfig, type RunContext } from './run-context.js';
import type { Fault } from './scenario.js';

const BURST_SIZE = 300;

export async function injectFault(ctx: RunContext, fault: Fault): Promise<void> {
  ctx.log(`fault: ${fault}`);
  if (fault === 'kill_processor') await killProcessorMidBurst(ctx);
  else if (fault === 'kill_broker') await killBrokerAndRestart(ctx);
  else await restartBoth(ctx);
}

/** A new config snapshot: the processor restarts with the partial merged in. */
export async function changeConfig(ctx: RunContext, partial: Record<string, unknown>): Promise<void> {
  await waitSettled(ctx);
  await stopProcessor(ctx);
  ctx.configPartial = deepMerge(ctx.configPartial, partial) as Record<string, unknown>;
  writeRunConfig(ctx);
  await startProcessor(ctx);
}

function burstLines(ctx: RunContext, count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      schema_version: '1',
      event_id: ulid(),
      tenant_id: BURST_TENANT,
      cell_id: 'burst-cell',
      // At the scenario's earliest time, so filler never advances any partition's stream time.
      observed_at: ctx.earliestObservedAt,
      received_at: ctx.earliestObservedAt,
      source: { kind: 'harness', name: 'reality-burst' },
      event_type: 'heartbeat',
      severity: 'low',
      attributes: {},
      entity_refs: { host: `burst-host-${i % 17}` },
      correlation_id: `burst-${i}`,
      trace_id: `burst-${i}`,
    }),
  );
}

async function killProcessorMidBurst(ctx: RunContext): Promise<void> {
  const before = await ctx.kafka.inputProgress();
  ctx.deliveries.push(...(await ctx.kafka.deliverBurst(burstLines(ctx, BURST_SIZE).map(nativeOutgoing))));
  const target = before.committed + 1n;
  await pollUntil(async () => (await ctx.kafka.inputProgress()).committed >= target, { timeoutMs: 60_000, intervalMs: 20, what: 'the processor to start on the burst' });
  await killProcessor(ctx);
  ctx.faults.processorKills += 1;
  const at = await ctx.kafka.inputProgress();
  ctx.faults.notes.push(`kill_processor at ${at.committed}/${at.total} committed${at.committed < at.total ? ' (burst in flight)' : ' (burst already done)'}`);
  ctx.log(`fault: SIGKILL processor, ${at.committed}/${at.total} inputs committed`);
  await startProcessor(ctx);
}

async function readBack(ctx: RunContext): Promise<{ counts: Record<string, number>; auditIds: string[] }> {
  const trail = await ctx.kafka.readTrail();
  return { counts: trailCounts(trail), auditIds: trail.audit.map((r) => r.audit_id) };
}

async function killBrokerAndRestart(ctx: RunContext): Promise<void> {
  const broker = ctx.brokerControl;
  if (broker === null) {
    ctx.faults.notes.push('kill_broker skipped: external broker (--brokers) is not ours to kill');
    return;
  }
  const before = await readBack(ctx);
  await broker.kill();
  ctx.faults.brokerKills += 1;
  ctx.log('fault: SIGKILL broker; restarting it on the same data dir');
  await broker.restart();
  const after = await pollUntil(async () => readBack(ctx), { timeoutMs: 120_000, intervalMs: 1000, what: 'the broker to serve reads again' });
  ctx.faults.acrossBrokerKills.push(brokerKillSurvival(before, after));
}

async function restartBoth(ctx: RunContext): Promise<void> {
  await stopProcessor(ctx);
  if (ctx.brokerControl !== null) {
    await ctx.brokerControl.stop();
    await ctx.brokerControl.restart();
  } else {
    ctx.faults.notes.push('restart: external broker left running, processor restarted');
  }
  await startProcessor(ctx);
}
