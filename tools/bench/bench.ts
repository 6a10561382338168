/**
 * `exoarmur bench`: every measurement of issue 8 in one run on one broker, so the ratios between
 * them mean something on a noisy shared machine. Writes artifacts/bench/<run_id>/bench.json.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from '../../processor/io/client.js';
import { ulid } from 'ulid';
import { createKafka } from '../../processor/io/client.js';
import { topicNames } from '../../processor/io/topics.js';
import { startBroker, stopBroker, type StartedBroker } from '../broker/broker.js';
import { repoRoot, stateRoot } from '../broker/paths.js';
import { CliChild, CLI_PATH } from '../process/children.js';
import { measureLatency, type LatencyResult } from './latency.js';
import { preload, produceMessages, LOAD_BATCH, LOAD_IN_FLIGHT } from './produce.js';
import { runProducerPerformance, type ProducerPerfResult } from './producer-perf.js';
import { catchUp, ensureRunTopics, groupProgress, processorCommand, ProcessorChild, recover, type CatchUpResult, type ProcessorSpec, type RecoveryResult, type RunTopics } from './processor-run.js';
import { ratePerSecond, ratio } from './stats.js';
import { telemetryLines, telemetryMessage } from './telemetry.js';
import { ExoArmurError } from '../../processor/errors.js';

export interface BenchOptions {
  events: number;
  partitions: number;
  quick: boolean;
  brokers?: string;
  /** Write V8 CPU profiles of the processor children next to bench.json. */
  profile: boolean;
  log: (line: string) => void;
}

export interface TableRow {
  measurement: string;
  figure: string;
  value: number | null;
  unit: string;
  n: number;
  command: string;
}

const MB = 1024 * 1024;
const MAX_INPUTS_PER_TRANSACTION = 2000;
const LATENCY_RATES = [500, 2_000] as const;

interface Context {
  runId: string;
  dir: string;
  brokers: string;
  kafka: Kafka;
  options: BenchOptions;
  rows: TableRow[];
}

function topicsFor(ctx: Context, measurement: string, overrides: Partial<RunTopics> = {}): RunTopics {
  return topicNames({ prefix: `bench.${ctx.runId.toLowerCase()}.${measurement}.`, overrides });
}

function spec(ctx: Context, name: string, topics: RunTopics, partitions: number, guarantee: ProcessorSpec['guarantee']): ProcessorSpec {
  return {
    name, dir: ctx.dir, brokers: ctx.brokers, appId: `bench-${ctx.runId.toLowerCase()}-${name}`, topics, partitions, guarantee,
    maxInputsPerTransaction: MAX_INPUTS_PER_TRANSACTION,
    ...(ctx.options.profile ? { cpuProfileDir: join(ctx.dir, 'profiles', name) } : {}),
  };
}

function row(ctx: Context, r: TableRow): void {
  ctx.rows.push(r);
  ctx.options.log(`  ${r.measurement} · ${r.figure}: ${r.value ?? 'n/a'} ${r.unit} (N=${r.n})`);
}

const sizeName = (n: number): string => (n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));
const catchUpTimeoutMs = (events: number): number => Math.max(180_000, events * 2);

function catchUpSummary(result: CatchUpResult) {
  const steadyMs = result.elapsedMs - result.firstProgressMs;
  return {
    events: result.events,
    instances: result.instances,
    elapsed_ms: result.elapsedMs,
    events_per_s: ratePerSecond(result.events, result.elapsedMs),
    steady_events_per_s: ratePerSecond(result.events - result.committedAtFirstProgress, steadyMs),
    startup_ms: result.firstProgressMs,
    output_records: result.outputs,
    output_records_per_s: ratePerSecond(result.outputs, result.elapsedMs),
    transactions_or_batches: result.batches,
    peak_rss_mb: Math.round(result.peakRssBytes / MB),
    processor_cpu_ms_per_1k_events: Math.round((result.cpuMs / result.events) * 1000),
    vm_hwm_mb: Math.round(result.hwmBytes / MB),
  };
}

async function baseline(ctx: Context, topic: string, events: number) {
  const lines = telemetryLines(0, events);
  const payloadFile = join(ctx.dir, `telemetry-${sizeName(events)}.jsonl`);
  writeFileSync(payloadFile, `${lines.join('\n')}\n`);
  const messages = lines.map(telemetryMessage);
  const kafkajsRun = await produceMessages(ctx.kafka, topic, messages);
  const kafkajsRate = ratePerSecond(kafkajsRun.events, kafkajsRun.elapsedMs);
  row(ctx, { measurement: 'baseline', figure: 'kafkajs produce (acks=-1, batched)', value: kafkajsRate, unit: 'records/s', n: events, command: `kafkajs producer.send, ${LOAD_BATCH}/request, ${LOAD_IN_FLIGHT} in flight, acks=-1 → ${topic}` });
  const javaTopics = topicsFor(ctx, 'baseline-java');
  await ensureRunTopics(ctx.kafka, javaTopics, ctx.options.partitions);
  let java: ProducerPerfResult | { error: string };
  try {
    java = await runProducerPerformance({ brokers: ctx.brokers, topic: javaTopics.telemetry, records: events, payloadFile });
    row(ctx, { measurement: 'baseline', figure: 'Kafka ProducerPerformance (acks=all)', value: java.recordsPerSecond, unit: 'records/s', n: events, command: java.command });
  } catch (error) {
    java = { error: error instanceof Error ? error.message : String(error) };
    ctx.options.log(`  baseline · ProducerPerformance failed: ${java.error}`);
  }
  const avgBytes = Math.round(messages.reduce((sum, m) => sum + (m.value as Buffer).length, 0) / messages.length);
  return { events, avg_record_bytes: avgBytes, kafkajs: { elapsed_ms: Math.round(kafkajsRun.elapsedMs), records_per_s: kafkajsRate }, producer_performance: java };
}

interface CatchUpPair {
  size: number;
  eos: ProcessorSpec;
  results: Record<'at_least_once' | 'exactly_once', ReturnType<typeof catchUpSummary>>;
}

/** ALOS first, then EOS, on the same pre-loaded telemetry topic; the EOS run's state topic is reused for recovery. */
async function catchUpPair(ctx: Context, size: number, preloaded: boolean, baselineRate: number | null): Promise<CatchUpPair> {
  const name = `cu-${sizeName(size)}`;
  const eosTopics = topicsFor(ctx, name);
  await ensureRunTopics(ctx.kafka, eosTopics, ctx.options.partitions);
  if (!preloaded) {
    const loaded = await preload(ctx.kafka, eosTopics.telemetry, 0, size);
    ctx.options.log(`  preloaded ${size} events in ${Math.round(loaded.elapsedMs)} ms (${ratePerSecond(loaded.events, loaded.elapsedMs)}/s)`);
  }
  const alos = spec(ctx, `${name}-alos`, topicsFor(ctx, `${name}-alos`, { telemetry: eosTopics.telemetry }), ctx.options.partitions, 'at_least_once');
  const eos = spec(ctx, name, eosTopics, ctx.options.partitions, 'exactly_once');
  const results = {} as CatchUpPair['results'];
  for (const run of [alos, eos]) {
    const result = catchUpSummary(await catchUp(ctx.kafka, run, 1, catchUpTimeoutMs(size)));
    results[run.guarantee] = result;
    const measurement = `catch-up ${run.guarantee}`;
    row(ctx, { measurement, figure: 'telemetry events/s (start → all committed)', value: result.events_per_s, unit: 'events/s', n: size, command: processorCommand(run) });
    row(ctx, { measurement, figure: 'steady-state events/s (after first commit)', value: result.steady_events_per_s, unit: 'events/s', n: size, command: processorCommand(run) });
    row(ctx, { measurement, figure: 'output records/s', value: result.output_records_per_s, unit: 'records/s', n: result.output_records, command: processorCommand(run) });
    row(ctx, { measurement, figure: 'processor CPU per 1k events (user+sys)', value: result.processor_cpu_ms_per_1k_events, unit: 'ms', n: size, command: processorCommand(run) });
    row(ctx, { measurement, figure: 'ratio to kafkajs baseline', value: ratio(result.events_per_s, baselineRate), unit: '×', n: size, command: 'events/s ÷ baseline kafkajs records/s' });
  }
  row(ctx, { measurement: 'catch-up', figure: 'exactly_once ÷ at_least_once', value: ratio(results.exactly_once.events_per_s, results.at_least_once.events_per_s), unit: '×', n: size, command: 'ratio of the two rows above' });
  return { size, eos, results };
}

async function replay(ctx: Context, pair: CatchUpPair) {
  const prefix = `bench.${ctx.runId.toLowerCase()}.cu-${sizeName(pair.size)}.`;
  const out = join(ctx.dir, `replay-${sizeName(pair.size)}.json`);
  const args = ['replay', '--topic-prefix', prefix, '--brokers', ctx.brokers, '--out', out];
  const started = performance.now();
  const run = await new CliChild(args).exited;
  const wallMs = performance.now() - started;
  if (!existsSync(out)) throw new ExoArmurError('BENCH_REPLAY_FAILED', `exoarmur replay exited ${run.code}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const report = JSON.parse(readFileSync(out, 'utf8')) as { pass: boolean; inputs_replayed: number; events_per_second: number; compared: number; mismatched: number };
  const command = `node ${CLI_PATH} ${args.join(' ')}`;
  const wallRate = ratePerSecond(report.inputs_replayed, wallMs);
  row(ctx, { measurement: 'replay', figure: 'events/s (core re-drive + compare, as reported)', value: report.events_per_second, unit: 'events/s', n: report.inputs_replayed, command });
  row(ctx, { measurement: 'replay', figure: 'events/s (wall clock incl. read-back)', value: wallRate, unit: 'events/s', n: report.inputs_replayed, command });
  return { pass: report.pass, inputs_replayed: report.inputs_replayed, compared: report.compared, mismatched: report.mismatched, events_per_s_reported: report.events_per_second, wall_ms: Math.round(wallMs), wall_events_per_s: wallRate };
}

async function recovery(ctx: Context, keys: number, source: ProcessorSpec | undefined) {
  let eos = source;
  if (eos === undefined) {
    const name = `rec-${sizeName(keys)}`;
    const topics = topicsFor(ctx, name);
    await ensureRunTopics(ctx.kafka, topics, ctx.options.partitions);
    await preload(ctx.kafka, topics.telemetry, 0, keys);
    eos = spec(ctx, name, topics, ctx.options.partitions, 'exactly_once');
    const fill = await catchUp(ctx.kafka, eos, 1, catchUpTimeoutMs(keys));
    ctx.options.log(`  recovery · state filled by the processor: ${keys} events in ${fill.elapsedMs} ms`);
  }
  // New inputs behind the restored state, so there is a batch to commit.
  const fresh = 20 * ctx.options.partitions;
  await preload(ctx.kafka, eos.topics.telemetry, keys, fresh);
  const restarted = { ...eos, name: `${eos.name}-recovery` };
  const result: RecoveryResult = await recover(ctx.kafka, restarted, 300_000);
  const command = processorCommand(restarted);
  row(ctx, { measurement: `recovery ${sizeName(keys)} keys`, figure: 'start → first committed batch', value: result.firstCommitMs, unit: 'ms', n: keys, command });
  row(ctx, { measurement: `recovery ${sizeName(keys)} keys`, figure: 'RSS at first commit', value: Math.round(result.rssAtFirstCommitBytes / MB), unit: 'MB', n: keys, command });
  row(ctx, { measurement: `recovery ${sizeName(keys)} keys`, figure: 'peak RSS (VmHWM)', value: Math.round(result.hwmBytes / MB), unit: 'MB', n: keys, command });
  return {
    idempotency_keys: keys, state_topic_records: result.stateRecords, new_inputs: fresh,
    first_commit_ms: result.firstCommitMs, all_committed_ms: result.allCommittedMs, slowest_partition_restore_ms: result.restoreMsMax,
    rss_at_first_commit_mb: Math.round(result.rssAtFirstCommitBytes / MB), vm_hwm_mb: Math.round(result.hwmBytes / MB),
  };
}

async function latency(ctx: Context) {
  const topics = topicsFor(ctx, 'latency');
  await ensureRunTopics(ctx.kafka, topics, ctx.options.partitions);
  const eos = spec(ctx, 'latency', topics, ctx.options.partitions, 'exactly_once');
  const seconds = ctx.options.quick ? 10 : 20;
  const child = new ProcessorChild(eos);
  const admin = ctx.kafka.admin();
  await admin.connect();
  try {
    // Warm-up: every partition's task is built (fence, restore, seek) before anything is timed.
    const warmUp = 30 * ctx.options.partitions;
    await preload(ctx.kafka, topics.telemetry, 0, warmUp);
    const deadline = Date.now() + 120_000;
    while ((await groupProgress(admin, eos.appId, [topics.telemetry, topics.operatorActions])).committed < warmUp) {
      child.assertRunning();
      if (Date.now() > deadline) throw new ExoArmurError('BENCH_TIMEOUT', 'latency warm-up: the processor did not commit the warm-up events in 120 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const results: Record<string, LatencyResult> = {};
    let from = warmUp;
    for (const rate of LATENCY_RATES) {
      const count = rate * seconds;
      const lines = telemetryLines(from, count);
      from += count;
      const result = await measureLatency(ctx.kafka, { telemetryTopic: topics.telemetry, auditTopic: topics.audit, lines, ratePerSecond: rate, timeoutMs: 120_000 });
      results[String(rate)] = result;
      const command = `${processorCommand(eos)}; paced kafkajs producer ${rate}/s for ${seconds} s (acks=-1, 10 ms ticks); read_committed consumer of ${topics.audit}`;
      for (const [which, summary] of [['receipt', result.receipt], ['final record', result.final]] as const) {
        for (const p of ['p50_ms', 'p95_ms', 'p99_ms'] as const) {
          row(ctx, { measurement: `latency @${rate}/s`, figure: `inject → ${which} visible ${p.replace('_ms', '')}`, value: summary[p], unit: 'ms', n: summary.n, command });
        }
      }
    }
    return { seconds_per_rate: seconds, settings: { max_inputs_per_transaction: MAX_INPUTS_PER_TRANSACTION, consumer_max_wait_ms: 200, partitions_consumed_concurrently: ctx.options.partitions, audit_consumer_max_wait_ms: 20 }, peak_rss_mb: Math.round(child.sample().hwmBytes / MB), rates: results };
  } finally {
    await admin.disconnect();
    await child.stop().catch(() => undefined);
  }
}

async function scaling(ctx: Context, events: number) {
  const partitions = 6;
  const source = topicsFor(ctx, 'scale');
  await ensureRunTopics(ctx.kafka, source, partitions);
  await preload(ctx.kafka, source.telemetry, 0, events);
  const results: Record<string, ReturnType<typeof catchUpSummary>> = {};
  for (const instances of [1, 2]) {
    const name = `scale-${instances}x`;
    const run = spec(ctx, name, topicsFor(ctx, name, { telemetry: source.telemetry }), partitions, 'exactly_once');
    const result = catchUpSummary(await catchUp(ctx.kafka, run, instances, catchUpTimeoutMs(events)));
    results[`${instances}`] = result;
    row(ctx, { measurement: `scaling ${instances} instance${instances > 1 ? 's' : ''}, 6 partitions`, figure: 'exactly_once catch-up events/s', value: result.events_per_s, unit: 'events/s', n: events, command: `${instances} × ${processorCommand(run)}` });
  }
  row(ctx, { measurement: 'scaling', figure: '2 instances ÷ 1 instance', value: ratio(results['2']?.events_per_s, results['1']?.events_per_s), unit: '×', n: events, command: 'ratio of the two rows above' });
  return { partitions, events, instances: results };
}

function targets(report: { catch_up: CatchUpPair[]; latency: Awaited<ReturnType<typeof latency>> | undefined; recovery: Array<Awaited<ReturnType<typeof recovery>>>; replay: unknown }, partitions: number) {
  const out: Array<{ target: string; measured: number | null; met: boolean | null }> = [];
  const check = (target: string, measured: number | null | undefined, ok: (v: number) => boolean) => out.push({ target, measured: measured ?? null, met: measured === null || measured === undefined ? null : ok(measured) });
  for (const pair of report.catch_up) {
    check(`exactly_once catch-up ≥ 5,000 events/s (${partitions} partitions, N=${pair.size})`, pair.results.exactly_once.events_per_s, (v) => v >= 5000);
    check(`exactly_once ≥ 60% of at_least_once (N=${pair.size})`, ratio(pair.results.exactly_once.events_per_s, pair.results.at_least_once.events_per_s), (v) => v >= 0.6);
  }
  check('p99 end-to-end ≤ 250 ms at 500 events/s (receipt)', report.latency?.rates['500']?.receipt.p99_ms, (v) => v <= 250);
  const million = report.recovery.find((r) => r.idempotency_keys === 1_000_000);
  check('recovery with 1M keys ≤ 15 s', million?.first_commit_ms, (v) => v <= 15_000);
  check('RSS with 1M keys ≤ 400 MB', million?.vm_hwm_mb, (v) => v <= 400);
  const replayed = report.replay as { events_per_s_reported?: number } | undefined;
  check('replay ≥ 20,000 events/s', replayed?.events_per_s_reported, (v) => v >= 20_000);
  return out;
}

export function formatTable(rows: readonly TableRow[]): string {
  const commands = [...new Set(rows.map((r) => r.command))];
  const head = ['measurement', 'figure', 'value', 'N', 'cmd'];
  const cells = rows.map((r) => [r.measurement, r.figure, `${r.value ?? 'n/a'} ${r.unit}`, String(r.n), `[${commands.indexOf(r.command) + 1}]`]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 2 || i === 3 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line), '', 'commands:', ...commands.map((c, i) => `  [${i + 1}] ${c}`)].join('\n');
}

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
  const report: Record<string, unknown> & { catch_up: CatchUpPair[]; recovery: Array<Awaited<ReturnType<typeof recovery>>>; latency: Awaited<ReturnType<typeof latency>> | undefined; replay: unknown } = {
    run_id: runId, started_at: startedAt,
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown', memory_mb: Math.round(totalmem() / MB), load_average_at_start: loadavg().map((v) => Math.round(v * 100) / 100), node: process.version },
    options: { events: options.events, partitions: options.partitions, quick: options.quick, own_broker: broker !== undefined, brokers },
    catch_up: [], recovery: [], latency: undefined, replay: undefined,
  };
  try {
    const sizes = options.quick ? [options.events] : [...new Set([options.events, 1_000_000])].sort((a, b) => a - b);
    options.log(`baseline on ${options.events} events`);
    const firstTopics = topicsFor(ctx, `cu-${sizeName(options.events)}`);
    await ensureRunTopics(kafka, firstTopics, options.partitions);
    report['baseline'] = await baseline(ctx, firstTopics.telemetry, options.events);
    const baselineRate = (report['baseline'] as { kafkajs: { records_per_s: number | null } }).kafkajs.records_per_s;
    for (const size of sizes) {
      options.log(`catch-up on ${size} events, ${options.partitions} partitions`);
      report.catch_up.push(await catchUpPair(ctx, size, size === options.events, baselineRate));
    }
    const replayPair = report.catch_up.find((p) => p.size === options.events)!;
    options.log(`replay of the ${options.events}-event exactly_once run`);
    report.replay = await replay(ctx, replayPair);
    options.log('latency');
    report.latency = await latency(ctx);
    options.log('scaling: 1 vs 2 instances on 6 partitions');
    report['scaling'] = await scaling(ctx, options.events);
    for (const keys of options.quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000]) {
      options.log(`recovery with ${keys} idempotency keys`);
      report.recovery.push(await recovery(ctx, keys, report.catch_up.find((p) => p.size === keys)?.eos));
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
  const targetLines = (report['targets'] as Array<{ target: string; measured: number | null; met: boolean | null }>).map((t) => `  ${t.met === null ? 'n/a ' : t.met ? 'MET ' : 'MISS'}  ${t.target}: ${t.measured ?? 'not measured'}`);
  return { file: join(dir, 'bench.json'), table: `${formatTable(ctx.rows)}\n\ntargets:\n${targetLines.join('\n')}` };
}
