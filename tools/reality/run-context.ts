/** What one reality run carries from step to step: its broker, processor, keys, deliveries and fault log. */
import { writeFileSync } from 'node:fs';
import type { OperatorKey } from '../operator/sign.js';
import type { Delivery, KillSurvival } from './analysis.js';
import type { RunBroker } from './broker-control.js';
import type { RunKafka } from './live.js';

export const PARTITIONS = 3;
/** The filler burst's tenant: its events are told apart from the scenario's in the time model. */
export const BURST_TENANT = 'burst';

/** What the fault injector did (gates 1 and 2 read it). */
export interface FaultLog {
  processorKills: number;
  brokerKills: number;
  /** Read-back counts just before each broker SIGKILL and once it served reads again. */
  acrossBrokerKills: KillSurvival[];
  notes: string[];
}

/**
 * The run's processor as the fault injector drives it: the harness's own child process
 * (processor-child.ts) or the compose stack's processor container (tools/reality/compose-run.ts).
 */
export interface ProcessorControl {
  /** How many times it was started (gate 2 reads it). */
  readonly starts: number;
  /** Running, or being restarted by its supervisor. */
  readonly running: boolean;
  start(): void | Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
  /** SIGTERM: a clean stop. */
  stop(): Promise<void>;
  /** The last lines it wrote, for an error that says why it exited. */
  failure(): string;
}

/** The run's broker as a supervisor drives it; absent for an external broker (--brokers), which is not the run's to kill. */
export interface BrokerControl {
  /** SIGKILL. */
  kill(): Promise<void>;
  /** A clean stop. */
  stop(): Promise<void>;
  /** Up again on the same data and ports, serving requests. */
  restart(): Promise<void>;
}

export interface RunContext {
  runId: string;
  kafka: RunKafka;
  broker: RunBroker;
  brokerControl: BrokerControl | null;
  processor: ProcessorControl;
  keys: Map<string, OperatorKey>;
  /** Every telemetry delivery in send order, with the partition and offset the broker confirmed. */
  deliveries: Delivery[];
  /** `topic/partition/offset` of every operator record published. */
  actionCoordinates: string[];
  configPartial: Record<string, unknown>;
  configFile: string;
  faults: FaultLog;
  /** The scenario's earliest observed_at: burst filler and kill switches without decided_at use it. */
  earliestObservedAt: string;
  log: (line: string) => void;
}

export function writeRunConfig(ctx: Pick<RunContext, 'configFile' | 'configPartial'>): void {
  writeFileSync(ctx.configFile, `${JSON.stringify(ctx.configPartial, null, 2)}\n`);
}
