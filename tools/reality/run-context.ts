/**
 * What one reality run carries from step to step: its broker, processor, keys, deliveries and fault
 * log; and the processor's life in the run (started, stopped, killed, restarted; settled when every
 * input partition is committed to its end offset while it runs).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateCheckpointKey } from '../../processor/checkpoint-key.js';
import { deepMerge } from '../../processor/config/model.js';
import { ExoArmurError } from '../../processor/errors.js';
import type { CliChild } from '../lib/children.js';
import { pollUntil } from '../lib/poll.js';
import { withProgress } from '../lib/progress.js';
import { processorAuthConfig, secureChildEnv, secureLogin } from '../lib/secure-clients.js';
import { generateOperatorKey, registryEntry, type OperatorKey } from '../operator/sign.js';
import type { Delivery, KillSurvival } from './analysis.js';
import { secureBrokerOf, type RunBroker } from './broker-control.js';
import { ChildProcessorControl } from './child-control.js';
import type { BrokerControl, ProcessorControl } from './controls.js';
import { RunKafka, type Progress } from './live.js';
import { appIdForRun, checkpointTopicForRun, groupForRun, topicsForRun } from './naming.js';

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

export interface RunContextInput {
  runId: string;
  broker: RunBroker;
  /** How the fault injector kills and restarts the broker; null when the run does not own it (or drives it itself, as the soak's cluster). */
  brokerControl: BrokerControl | null;
  /** Operator actor ids: each gets a fresh Ed25519 key, registered in the run's config. */
  actors: readonly string[];
  /** The partial config of the run (a scenario's config.json), merged under the run's own keys. */
  config: Record<string, unknown>;
  /** Where the run's config and checkpoint key are written. */
  workDir: string;
  /** The processor's log file (the bundle's service.log). */
  serviceLog: string;
  /** Extra arguments of every processor start (transaction size, state dir). */
  processorArgs: readonly string[];
  earliestObservedAt: string;
  log: (line: string) => void;
}

/** A run's context: its topics, keys, config and checkpoint key, the harness's Kafka access, and its processor as a child process. */
export function createRunContext(input: RunContextInput): RunContext & { processor: ChildProcessorControl } {
  const { runId, broker } = input;
  const topics = topicsForRun(runId);
  const keys = new Map(input.actors.map((actor) => [actor, generateOperatorKey(actor)]));
  const configFile = join(input.workDir, 'config.json');
  const checkpointKeyFile = join(input.workDir, 'checkpoint.key');
  const checkpoints = generateCheckpointKey(checkpointKeyFile, checkpointTopicForRun(runId));
  return {
    runId,
    broker,
    brokerControl: input.brokerControl,
    keys,
    configFile,
    log: input.log,
    // Secure: the harness supervises as the admin; the processor logs in as its own role.
    kafka: new RunKafka(
      broker.brokers,
      `reality-${runId}`,
      topics,
      groupForRun(runId),
      checkpoints.topic,
      broker.secure === null ? {} : secureLogin(secureBrokerOf(broker), 'admin'),
    ),
    checkpointKeyFile,
    // The broker as a flag: it outranks an exported KAFKA_BROKERS, so the child always joins the run's own broker.
    processor: new ChildProcessorControl({
      brokers: broker.brokers,
      configFile,
      logFile: input.serviceLog,
      args: [...input.processorArgs],
      ...(broker.secure === null ? {} : { env: secureChildEnv(secureBrokerOf(broker), 'processor') }),
    }),
    actuation: undefined,
    deliveries: [],
    actionCoordinates: [],
    configPartial: deepMerge(input.config, {
      app_id: appIdForRun(runId),
      brokers: broker.brokers.split(','),
      partitions: PARTITIONS,
      topics,
      operators: Object.assign({}, ...[...keys.values()].map(registryEntry)),
      ...(broker.secure === null ? {} : processorAuthConfig()),
      checkpoints,
    }) as Record<string, unknown>,
    faults: { processorKills: 0, brokerKills: 0, acrossBrokerKills: [], notes: [] },
    earliestObservedAt: input.earliestObservedAt,
  };
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
    // Why it stopped (the processor's exit and its last stderr lines, or the timeout) goes in the message: CI prints only that.
    const why = error instanceof Error ? error.message : String(error);
    throw new ExoArmurError('RUN_NOT_SETTLED', `the run did not settle: ${last?.lagging.join(', ') ?? 'no progress read'} (${why}); read service.log in the bundle`, {
      cause: error,
    });
  }
}
