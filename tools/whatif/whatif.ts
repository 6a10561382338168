/**
 * What-if policy (docs/guards.md): drives a finished run's recorded inputs, in their recorded
 * order, through the real core with a candidate config, and reports every telemetry event whose
 * verdict, rule, approval requirement or final state would change. Pure over records already read:
 * it writes nothing to any topic, so it is safe to run against production records.
 */
import { buildEffectiveConfig, mergeConfig } from '../../processor/config/index.js';
import { nodePrimitives } from '../../processor/primitives.js';
import { fateOf, type Fate } from '../reality/analysis.js';
import { driveReplay, receiptsOf, type PartitionOutputs, type RecordedRun } from '../replay/drive.js';

/** What one telemetry event came to: the fields the report compares, and its intent's class. */
export type Decision = Pick<Fate, 'verdict' | 'rule' | 'approval' | 'final' | 'actionClass'>;

export interface WhatIfChange {
  partition: number;
  /** Offset of the event's first delivery. */
  offset: string;
  idempotency_key: string;
  before: Decision;
  after: Decision;
}

export interface Tally {
  before: number;
  after: number;
}

export interface WhatIfReport {
  run_id: string;
  /** The partial config merged over each recorded snapshot's config. */
  candidate: unknown;
  /**
   * Telemetry events compared: one per partition and idempotency key (a redelivery is the same event;
   * state is per partition, so the same bytes on two partitions are two), rejected records included.
   */
  events: number;
  changed: number;
  changes: WhatIfChange[];
  /** Safety rule of every event, before and after. */
  by_rule: Record<string, Tally>;
  /** Final state of every event, before and after. */
  by_final: Record<string, Tally>;
  /** Changed events per action class (the class before; after, if the event had none before). */
  changed_by_class: Record<string, number>;
}

export interface WhatIfOptions {
  runId: string;
  telemetryTopic: string;
  operatorTopic: string;
  /** The actuators' results topic (absent: the run has no result receipts). */
  resultsTopic?: string;
  /** A partial config (e.g. a candidate policy), merged over the recorded config of each input. */
  candidate: unknown;
}

const FIELDS = ['verdict', 'rule', 'approval', 'final'] as const;

function decisionOf(fate: Fate): Decision {
  return { verdict: fate.verdict, rule: fate.rule, approval: fate.approval, final: fate.final, actionClass: fate.actionClass };
}

function count(into: Record<string, Tally>, key: string | null, side: keyof Tally): void {
  const name = key ?? 'none';
  const tally = (into[name] ??= { before: 0, after: 0 });
  tally[side] += 1;
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function whatIf(recorded: RecordedRun, options: WhatIfOptions): WhatIfReport {
  // A candidate that does not validate over a recorded config stops with CONFIG_INVALID naming the key.
  const candidateOf = (base: Parameters<typeof mergeConfig>[1]) => buildEffectiveConfig(mergeConfig(options.candidate, base));
  const driven = driveReplay(recorded, {
    telemetryTopic: options.telemetryTopic,
    operatorTopic: options.operatorTopic,
    ...(options.resultsTopic === undefined ? {} : { resultsTopic: options.resultsTopic }),
    primitives: nodePrimitives,
    configOverride: (config) => candidateOf(config.config),
  });
  const report: WhatIfReport = {
    run_id: options.runId,
    candidate: options.candidate,
    events: 0,
    changed: 0,
    changes: [],
    by_rule: {},
    by_final: {},
    changed_by_class: {},
  };
  for (const partition of [...recorded.outputs.keys()].sort((a, b) => a - b)) {
    const before: PartitionOutputs = recorded.outputs.get(partition)!;
    const after = driven.outputs.get(partition)!;
    const seen = new Set<string>();
    for (const receipt of receiptsOf(before.audit)) {
      if (receipt.input.topic !== options.telemetryTopic || seen.has(receipt.idempotency_key)) continue;
      seen.add(receipt.idempotency_key);
      const was = decisionOf(fateOf(before.audit, options.telemetryTopic, partition, receipt.input.offset));
      const now = decisionOf(fateOf(after.audit, options.telemetryTopic, partition, receipt.input.offset));
      report.events += 1;
      count(report.by_rule, was.rule, 'before');
      count(report.by_rule, now.rule, 'after');
      count(report.by_final, was.final, 'before');
      count(report.by_final, now.final, 'after');
      if (FIELDS.every((f) => was[f] === now[f])) continue;
      report.changes.push({ partition, offset: receipt.input.offset, idempotency_key: receipt.idempotency_key, before: was, after: now });
      const actionClass = was.actionClass ?? now.actionClass ?? 'none';
      report.changed_by_class[actionClass] = (report.changed_by_class[actionClass] ?? 0) + 1;
    }
  }
  report.changed = report.changes.length;
  report.by_rule = sortedKeys(report.by_rule);
  report.by_final = sortedKeys(report.by_final);
  report.changed_by_class = sortedKeys(report.changed_by_class);
  return report;
}
