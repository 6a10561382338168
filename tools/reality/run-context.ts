/**
 * What one reality run carries from step to step: its broker, processor, keys, deliveries and fault
 * log; and the processor's life in the run (started, stopped, killed, restarted; settled when every
 * input partition is committed to its end offset while it runs).
 */
import { writeFileSync } from 'node:fs';
import { ExoArmurError } from '../../processor/errors.js';
import type { CliChild } from '../lib/children.js';
import { pollUntil } from '../lib/poll.js';
import { withProgress } from '../lib/progress.js';
import type { OperatorKey } from '../operator/sign.js';
import type { Delivery, KillSurvival } from './analysis.js';
import type { RunBroker } from './broker-control.js';
import type { BrokerControl, ProcessorControl } from './controls.js';
import type { Progress, RunKafka } from './live.js';

export const PARTITIONS = 3;
/** The filler burst's tenant: its events are told apart from the scenario's in the time model. */
export const BURST_TENANT = 'burst';

/** The webhook receiver and the reference actuator of the run, each its own process (actuation.ts). */
export interface Actuation {
  receiver: CliChild;
  actuator: CliChild;
  url: string;
}

/** What the fault injector did (gates 1 and 2 read it). */
export interface FaultLog {
  processorKills: number;
  brokerKills: number;
  /** Read-back counts just before each broker SIGKILL and once it served reads again. */
  acrossBrokerKills: KillSurvival[];
  notes: string[];
}

export interface RunContext {
  runId: string;
  kafka: RunKafka;
  broker: RunBroker;
  /** The run's broker as the fault injector drives it; null for an external one (--brokers), which is not the run's to kill. */
  brokerControl: BrokerControl | null;
  /** The processor: the harness's child (child-control.ts) or the compose stack's container (compose-run.ts). */
  processor: ProcessorControl;
  /** The webhook receiver and the actuator, once the scenario has played (tools/reality/actuation.ts). */
  actuation: Actuation | undefined;
  keys: Map<string, OperatorKey>;
  /** Every telemetry delivery in send order, with the partition and offset the broker confirmed. */
  deliveries: Delivery[];
  /** `topic/partition/offset` of every operator record published. */
  actionCoordinates: string[];
  configPartial: Record<string, unknown>;
  /** The processor's checkpoint signing key (PKCS#8 PEM file), named in the config; the bundle's manifest is signed with it. */
  checkpointKeyFile: string;
  configFile: string;
  faults: FaultLog;
  /** The scenario's earliest observed_at: burst filler and kill switches without decided_at use it. */
  earliestObservedAt: string;
  log: (line: string) => void;
}

export function writeRunConfig(ctx: Pick<RunContext, 'configFile' | 'configPartial'>): void {
  writeFileSync(ctx.configFile, `${JSON.stringify(ctx.configPartial, null, 2)}\n`);
}

export async function startProcessor(ctx: RunContext): Promise<void> {
  await ctx.processor.start();
}

/** SIGTERM: it finishes or aborts its transaction and leaves the group. */
export async function stopProcessor(ctx: RunContext): Promise<void> {
  await ctx.processor.stop();
}

/** SIGKILL: a crash, whatever its transaction was doing. */
export async function killProcessor(ctx: RunContext): Promise<void> {
  await ctx.processor.kill();
}

/** Settled: every input partition's committed group offset equals its end offset, and the processor runs. */
export async function waitSettled(ctx: RunContext, timeoutMs = 180_000): Promise<void> {
  let last: Progress | undefined;
  const processor = ctx.processor;
  const status = () => (last === undefined ? undefined : `${last.committed}/${last.total} inputs committed`);
  try {
    await withProgress(ctx.log, { what: 'the processor to commit every input', status }, () =>
      pollUntil(
        async () => {
          last = await ctx.kafka.inputProgress();
          return last.lagging.length === 0;
        },
        {
          timeoutMs,
          intervalMs: 300,
          what: 'every input partition committed to its end offset',
          giveUp: () => (processor.running ? undefined : processor.exitedError()),
        },
      ),
    );
  } catch (error) {
    throw new ExoArmurError('RUN_NOT_SETTLED', `the run did not settle: ${last?.lagging.join(', ') ?? 'no progress read'}; read service.log in the bundle`, { cause: error });
  }
}
