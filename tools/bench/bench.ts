/**
 * `exoarmur bench`: every measurement of issue 8 in one run on one broker, so the ratios between
 * them mean something on a noisy shared machine. Writes artifacts/bench/<run_id>/bench.json.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { createKafka } from '../../processor/io/client.js';
import { startBroker, stopBroker, type StartedBroker } from '../broker/broker.js';
import { repoRoot, stateRoot } from '../broker/paths.js';
import { MB, sizeName, topicsFor, type BenchJob, type BenchOptions, type Context } from './context.js';
import { baseline } from './jobs/baseline.js';
import { catchUpPair, type CatchUpPair } from './jobs/catch-up.js';
import { ceiling } from './jobs/ceiling.js';
import { latency } from './jobs/latency.js';
import { recovery } from './jobs/recovery.js';
import { replay } from './jobs/replay.js';
import { scaling } from './jobs/scaling.js';
import { ensureRunTopics } from './processor-run.js';
import { formatTable, targets } from './report.js';

export async function runBench(options: BenchOptions): Promise<{ file: string; table: string }> {
  const runId = ulid();
  const dir = join(repoRoot(), 'artifacts', 'bench', runId);
  mkdirSync(dir, { recursive: true });
  const startedAt = new Date().toISOString();
  let broker: StartedBroker | undefined;
  const brokerDir = join(stateRoot(), 'bench', runId);
  let brokers = options.brokers;
  if (brokers === undefined) {
    options.log(`starting a broker in ${brokerDir}`);
    broker = await startBroker({ dataDir: brokerDir, port: 0 });
    brokers = broker.brokers;
  }
  const kafka = createKafka({ brokers: brokers.split(','), clientId: `bench-${runId}` });
  const ctx: Context = { runId, dir, brokers, kafka, options, rows: [] };
  const report: Record<string, unknown> & {
    catch_up: CatchUpPair[];
    recovery: Array<Awaited<ReturnType<typeof recovery>>>;
    latency: Awaited<ReturnType<typeof latency>> | undefined;
    replay: unknown;
  } = {
    run_id: runId,
    started_at: startedAt,
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model ?? 'unknown',
      memory_mb: Math.round(totalmem() / MB),
      load_average_at_start: loadavg().map((v) => Math.round(v * 100) / 100),
      node: process.version,
    },
    options: { events: options.events, partitions: options.partitions, quick: options.quick, jobs: options.jobs ?? 'all', own_broker: broker !== undefined, brokers },
    catch_up: [],
    recovery: [],
    latency: undefined,
    replay: undefined,
  };
  try {
    const runs = (job: BenchJob) => options.jobs === undefined || options.jobs.includes(job);
    const sizes = options.quick ? [options.events] : [...new Set([options.events, 1_000_000])].sort((a, b) => a - b);
    const firstTopics = topicsFor(ctx, `cu-${sizeName(options.events)}`);
    await ensureRunTopics(kafka, firstTopics, options.partitions);
    if (runs('baseline')) {
      options.log(`baseline on ${options.events} events`);
      report['baseline'] = await baseline(ctx, firstTopics.telemetry, options.events);
    }
    if (runs('catch-up') || runs('ceiling') || runs('replay')) {
      const ceilings: unknown[] = [];
      report['ceiling'] = ceilings;
      for (const size of sizes) {
        options.log(`catch-up on ${size} events, ${options.partitions} partitions`);
        const pair = await catchUpPair(ctx, size, size === options.events && runs('baseline'));
        report.catch_up.push(pair);
        if (runs('ceiling')) {
          options.log(`ceiling: bare kafkajs loop with the processor's output shape on ${size} events`);
          ceilings.push({ events: size, ...(await ceiling(ctx, pair)) });
        }
      }
    }
    if (runs('replay')) {
      const replayPair = report.catch_up.find((p) => p.size === options.events)!;
      options.log(`replay of the ${options.events}-event exactly_once run`);
      report.replay = await replay(ctx, replayPair);
    }
    if (runs('latency')) {
      options.log('latency');
      report.latency = await latency(ctx);
    }
    if (runs('scaling')) {
      options.log('scaling: 1 vs 2 instances on 6 partitions');
      report['scaling'] = await scaling(ctx, options.events);
    }
    if (runs('recovery')) {
      for (const keys of options.recoveryKeys ?? (options.quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000])) {
        options.log(`recovery with ${keys} idempotency keys`);
        report.recovery.push(await recovery(ctx, keys, report.catch_up.find((p) => p.size === keys)?.eos));
      }
    }
  } finally {
    report['finished_at'] = new Date().toISOString();
    report['load_average_at_end'] = loadavg().map((v) => Math.round(v * 100) / 100);
    report['table'] = ctx.rows;
    report['targets'] = targets(report, options.partitions);
    const serialisable = { ...report, catch_up: report.catch_up.map((p) => ({ events: p.size, app_id: p.eos.appId, ...p.results })) };
    writeFileSync(join(dir, 'bench.json'), `${JSON.stringify(serialisable, null, 2)}\n`);
    if (broker !== undefined) {
      await stopBroker({ dataDir: brokerDir }).catch(() => stopBroker({ dataDir: brokerDir, kill: true }));
      // Gigabytes of bench topics are not worth keeping; the figures are in bench.json.
      rmSync(brokerDir, { recursive: true, force: true });
    }
  }
  const targetLines = (report['targets'] as ReturnType<typeof targets>).map(
    (t) => `  ${t.met === null ? 'n/a ' : t.met ? 'MET ' : 'MISS'}  ${t.target}: ${t.measured ?? 'not measured'}${t.machine ? ` (machine: ${t.machine})` : ''}`,
  );
  return { file: join(dir, 'bench.json'), table: `${formatTable(ctx.rows)}\n\ntargets:\n${targetLines.join('\n')}` };
}
