/**
 * Replay of a run's partitions in parallel. Partitions are independent — each has its own state,
 * audit chain, inputs and receipts — so each worker thread reads, drives and compares its share
 * with the one replay path (replay.ts `replayPartitions`), and the reports merge into exactly the
 * report a single thread gives: per-partition lists in partition order, counts summed, equalities
 * and'ed. Throughput counts the wall clock of the whole, reading included.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { canonicalJson } from '../../processor/core/canonical.js';
import { ERRORS, ExoArmurError, type ErrorCode } from '../../processor/errors.js';
import { createKafka } from '../../processor/io/client.js';
import { topicWatermarks } from '../../processor/io/offsets.js';
import { nodePrimitives } from '../../processor/primitives.js';
import type { ReplayOptions } from './options.js';
import { MAX_LISTED_MISMATCHES, type Mismatch, type ReplayReport } from './report.js';

/** What a worker gets: the options that cross a thread (no logger, no override function) and its partitions. */
export interface WorkerTask {
  options: Pick<ReplayOptions, 'brokers' | 'login' | 'topics' | 'runId' | 'timeoutMs'>;
  partitions: number[];
}

export type WorkerAnswer = { ok: true; report: ReplayReport } | { ok: false; code: string | undefined; message: string; context: unknown };

function inWorker(task: WorkerTask): Promise<ReplayReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./replay-worker.js', import.meta.url), { workerData: task });
    let answered = false;
    worker.once('message', (answer: WorkerAnswer) => {
      answered = true;
      if (answer.ok) resolve(answer.report);
      else if (answer.code !== undefined && Object.prototype.hasOwnProperty.call(ERRORS, answer.code))
        reject(new ExoArmurError(answer.code as ErrorCode, answer.message, { context: answer.context as Record<string, unknown> }));
      else reject(new Error(answer.message));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`replay worker for partitions ${task.partitions.join(',')} exited ${code} without a report`));
    });
  });
}

/** The run's report replayed by worker threads, or undefined when the run has one partition (or one CPU). */
export async function replayInWorkers(options: ReplayOptions): Promise<ReplayReport | undefined> {
  const { brokers, login, topics, runId, timeoutMs, logger } = options;
  const kafka = createKafka({ brokers, clientId: 'exoarmur-replay', logger, ...login });
  const partitions = [...(await topicWatermarks(kafka, topics.audit)).keys()].sort((a, b) => a - b);
  // One partition per worker by default: equal shares (3 partitions on 2 CPUs split 2 + 1 would
  // leave one CPU idle for a third of the run), at most two workers per CPU.
  const count = Math.min(partitions.length, options.workers ?? 2 * availableParallelism());
  if (count < 2) return undefined;
  const shares: number[][] = Array.from({ length: count }, () => []);
  partitions.forEach((p, i) => shares[i % count]!.push(p));
  const started = performance.now();
  const task = { brokers, topics, ...(login === undefined ? {} : { login }), ...(runId === undefined ? {} : { runId }), ...(timeoutMs === undefined ? {} : { timeoutMs }) };
  const reports = await Promise.all(shares.map((share) => inWorker({ options: task, partitions: share })));
  const report = mergeReports(reports, runId ?? topics.audit, performance.now() - started);
  logger?.info({ workers: count, compared: report.compared, mismatched: report.mismatched, pass: report.pass, events_per_second: report.events_per_second }, 'replay: compared');
  return report;
}

/** Audit and output mismatches first, then checkpoint ones, each in partition order: the order one thread lists them in. */
function listOrder(m: Mismatch): [number, number] {
  return [m.field.startsWith('checkpoint.') ? 1 : 0, m.partition];
}

/** One report from the reports of disjoint partition sets. */
export function mergeReports(reports: readonly ReplayReport[], runId: string, wallMs: number): ReplayReport {
  const all = <K extends keyof ReplayReport>(key: K) => reports.map((r) => r[key]);
  const sum = (key: 'compared' | 'matched' | 'mismatched' | 'checkpoints_compared' | 'inputs_replayed') => all(key).reduce((a, b) => a + b, 0);
  const and = (
    key: 'intent_hashes_equal' | 'verdicts_equal' | 'approvals_equal' | 'trace_structure_equal' | 'execute_equal' | 'dead_letters_equal' | 'pass' | 'checkpoints_equal',
  ) => all(key).every((v) => v);
  const listed = reports
    .flatMap((r) => r.mismatches)
    .map((m, i) => ({ m, i }))
    .sort((a, b) => {
      const [ka, pa] = listOrder(a.m);
      const [kb, pb] = listOrder(b.m);
      return ka - kb || pa - pb || a.i - b.i;
    })
    .map(({ m }) => m);
  // Stable by partition: each report lists its partitions' inputs partition by partition.
  const order = reports
    .flatMap((r) => r.replay_order)
    .map((o, i) => ({ o, i }))
    .sort((a, b) => a.o.partition - b.o.partition || a.i - b.i)
    .map(({ o }) => o);
  const inputs = sum('inputs_replayed');
  const max = (key: 'read' | 'drive' | 'compare') => Math.max(0, ...reports.map((r) => r.timing_ms[key]));
  return {
    run_id: runId,
    compared: sum('compared'),
    matched: sum('matched'),
    mismatched: sum('mismatched'),
    mismatches: listed.slice(0, MAX_LISTED_MISMATCHES),
    mismatches_truncated: reports.some((r) => r.mismatches_truncated) || listed.length > MAX_LISTED_MISMATCHES,
    intent_hashes_equal: and('intent_hashes_equal'),
    verdicts_equal: and('verdicts_equal'),
    approvals_equal: and('approvals_equal'),
    trace_structure_equal: and('trace_structure_equal'),
    execute_equal: and('execute_equal'),
    dead_letters_equal: and('dead_letters_equal'),
    pass: and('pass'),
    checkpoints_compared: sum('checkpoints_compared'),
    checkpoints_equal: and('checkpoints_equal'),
    replay_order: order,
    replay_order_length: order.length,
    replay_order_sha256: nodePrimitives.sha256Hex(canonicalJson(order)),
    config_hashes: [...new Set(reports.flatMap((r) => r.config_hashes))].sort(),
    config_overridden: false,
    inputs_replayed: inputs,
    events_per_second: wallMs > 0 ? Math.round((inputs / wallMs) * 1000) : 0,
    // The slowest worker's phases; total is the wall clock of the whole.
    timing_ms: { read: max('read'), drive: max('drive'), compare: max('compare'), total: Math.round(wallMs) },
  };
}
