/** What every bench job shares: the run's context, its table rows, and how a job names its topics and processors. */
import { join } from 'node:path';
import type { Kafka } from '../../processor/io/client.js';
import { topicNames } from '../../processor/io/topics.js';
import type { ProcessorSpec, RunTopics } from './processor-run.js';

export interface BenchOptions {
  events: number;
  partitions: number;
  quick: boolean;
  brokers?: string;
  /** Write V8 CPU profiles of the processor children next to bench.json. */
  profile: boolean;
  /** Only these jobs (default: all). */
  jobs?: readonly BenchJob[];
  /** Idempotency-key counts of the recovery job (default 10k, 100k and, unless quick, 1M). */
  recoveryKeys?: readonly number[];
  /** How the recovery job fills the state topic: through the processor (default) or directly. */
  recoveryFill?: 'processor' | 'direct';
  log: (line: string) => void;
}

export const BENCH_JOBS = ['baseline', 'catch-up', 'ceiling', 'replay', 'latency', 'scaling', 'recovery'] as const;
export type BenchJob = (typeof BENCH_JOBS)[number];

export interface TableRow {
  measurement: string;
  figure: string;
  value: number | null;
  unit: string;
  n: number;
  command: string;
}

export const MB = 1024 * 1024;
export const MAX_INPUTS_PER_TRANSACTION = 2000;

export interface Context {
  runId: string;
  dir: string;
  brokers: string;
  kafka: Kafka;
  options: BenchOptions;
  rows: TableRow[];
}

export function topicsFor(ctx: Context, measurement: string, overrides: Partial<RunTopics> = {}): RunTopics {
  return topicNames({ prefix: `bench.${ctx.runId.toLowerCase()}.${measurement}.`, overrides });
}

export function spec(ctx: Context, name: string, topics: RunTopics, partitions: number, guarantee: ProcessorSpec['guarantee']): ProcessorSpec {
  return {
    name,
    dir: ctx.dir,
    brokers: ctx.brokers,
    appId: `bench-${ctx.runId.toLowerCase()}-${name}`,
    topics,
    partitions,
    guarantee,
    maxInputsPerTransaction: MAX_INPUTS_PER_TRANSACTION,
    stateDir: join(ctx.dir, 'state', name),
    ...(ctx.options.profile ? { cpuProfileDir: join(ctx.dir, 'profiles', name) } : {}),
  };
}

export function row(ctx: Context, r: TableRow): void {
  ctx.rows.push(r);
  ctx.options.log(`  ${r.measurement} · ${r.figure}: ${r.value ?? 'n/a'} ${r.unit} (N=${r.n})`);
}

export const sizeName = (n: number): string => (n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));
export const catchUpTimeoutMs = (events: number): number => Math.max(180_000, events * 2);
