/** What one reality run carries from step to step: its broker, processor, keys, deliveries and fault log. */
import { writeFileSync } from 'node:fs';
import type { OperatorKey } from '../operator/sign.js';
import type { Delivery, KillSurvival } from './analysis.js';
import type { RunBroker } from './broker-control.js';
import type { BrokerControl, ProcessorControl } from './controls.js';
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
