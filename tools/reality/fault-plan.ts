/**
 * Every reality run proves restart survival: a scenario without fault steps gets a processor SIGKILL
 * (mid-batch: the fault injector kills during a burst) and a broker SIGKILL at points drawn from the
 * run's seed, so the same seed places them at the same steps. `--no-faults` strips every fault step.
 * Pure: the plan is a function of the steps and the seed.
 */
import { createHash } from 'node:crypto';
import type { Fault, Step } from './scenario.js';

export interface FaultPlan {
  steps: Step[];
  /** What the plan changed, for the run's fault log (empty when the scenario's own faults are kept). */
  notes: string[];
}

/** Deterministic draws in [0, n) from the seed: successive 4-byte slices of SHA-256(seed:round). */
function draws(seed: string): (n: number) => number {
  let round = 0;
  return (n) => createHash('sha256').update(`${seed}:${round++}`).digest().readUInt32BE(0) % n;
}

/** Where a fault may go: after at least one telemetry delivery, before the trailing expect lines. */
function insertionPoints(steps: readonly Step[]): number[] {
  const firstTelemetry = steps.findIndex((s) => s.kind === 'telemetry' || s.kind === 'raw');
  let end = steps.length;
  while (end > 0 && steps[end - 1]!.kind === 'expect') end -= 1;
  const from = firstTelemetry === -1 ? 0 : firstTelemetry + 1;
  return Array.from({ length: Math.max(end - from + 1, 1) }, (_, i) => Math.min(from + i, end));
}

export function planFaults(steps: readonly Step[], seed: string, options: { noFaults: boolean }): FaultPlan {
  if (options.noFaults) {
    const stripped = steps.filter((s) => s.kind !== 'fault');
    const removed = steps.length - stripped.length;
    return { steps: stripped, notes: [`--no-faults: no fault injected${removed > 0 ? ` (${removed} scenario fault step(s) left out)` : ''}`] };
  }
  if (steps.some((s) => s.kind === 'fault')) return { steps: [...steps], notes: [] };
  const points = insertionPoints(steps);
  const draw = draws(seed);
  const processorAt = points[draw(points.length)]!;
  const brokerAt = points[draw(points.length)]!;
  const fault = (kind: Fault, at: number): Step => ({ kind: 'fault', fault: kind, lineNo: at });
  // The later point first, so the earlier index stays valid; at the same point the processor kill comes first.
  const planned = [...steps];
  const killProcessor = fault('kill_processor', processorAt);
  const killBroker = fault('kill_broker', brokerAt);
  if (processorAt > brokerAt) {
    planned.splice(processorAt, 0, killProcessor);
    planned.splice(brokerAt, 0, killBroker);
  } else {
    planned.splice(brokerAt, 0, killBroker);
    planned.splice(processorAt, 0, killProcessor);
  }
  return {
    steps: planned,
    notes: [`seed ${seed}: the scenario has no fault step, so kill_processor goes before step ${processorAt + 1} and kill_broker before step ${brokerAt + 1}`],
  };
}
