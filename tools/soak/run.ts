/**
 * `exoarmur soak`: a 3-node cluster, a steady offered load with duplicates and signed operator
 * actions, faults at seeded times, then the reality harness's own end: settle, double-inject,
 * replay from the broker, the evidence bundle and verify. The report (artifacts/soak/<run>/
 * report.json) adds counts and recovery times per fault and throughput over time, and fails on
 * the first offending record of any end check.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ulid } from 'ulid';
import { repoRoot } from '../broker/paths.js';
import { startCluster, stopCluster, type StartedCluster } from '../broker/cluster.js';
import { cleanUpOnSignals } from '../lib/run-cleanup.js';
import { readBundle } from '../bundle/files.js';
import { runEvidenceFromBundle } from '../bundle/run-evidence.js';
import { phaseLine } from '../lib/progress.js';
import { pollUntil } from '../lib/poll.js';
import { SeededRandom } from '../lib/seeded-random.js';
import { secureBrokerOf, type RunBroker } from '../reality/broker-control.js';
import { runAclScope, writeSecurityFile } from '../reality/security.js';
import { writeBundle } from '../reality/bundle.js';
import type { Gate } from '../reality/gates.js';
import { awaitResults, outcomeCounts, startActuation, stopActuation } from '../reality/actuation.js';
import { runPrefix } from '../reality/naming.js';
import { doubleInject } from '../reality/player.js';
import { createRunContext, PARTITIONS, startProcessor, stopProcessor, waitSettled, writeRunConfig, type RunContext } from '../reality/run-context.js';
import { judgeBundle, verifyBundle } from '../verify/verify.js';
import { ExoArmurError } from '../../processor/errors.js';
import { integrityChecks } from '../verify/integrity.js';
import { injectSoakFault, supervise, type SoakState } from './faults.js';
import { LOAD_END_GRACE_MS, SOAK_ACTORS, SoakLoad } from './load.js';
import { faultCounts, faultPlan, SOAK_T0_MS, type FaultKind } from './plan.js';
import { failedGates, soakChecks, summarizeFaults, throughputSeries, type ProgressSample, type SoakCheck } from './report.js';

export interface SoakOptions {
  minutes: number;
  seed: number;
  outDir: string;
  /** Fresh telemetry events per one-second tick (duplicates come on top). */
  perTick: number;
  kinds: readonly FaultKind[];
  /** Every node SASL/SCRAM over TLS with role ACLs; the processor logs in as User:processor, the actuator as User:actuator (the bundle's security.json says so). */
  secure?: boolean;
  log?: (line: string) => void;
}

export interface SoakResult {
  runId: string;
  reportFile: string;
  verdict: 'PASS' | 'FAIL';
  checks: SoakCheck[];
  report: Record<string, unknown>;
}

/** Small transactions, so a kill or a rebalance lands inside open ones. */
const MAX_INPUTS_PER_TRANSACTION = 20;
const SAMPLE_EVERY_MS = 5_000;

function clusterBroker(cluster: StartedCluster): RunBroker {
  const first = cluster.nodes[0]!;
  return { brokers: cluster.brokers, dataDir: first.dataDir, owned: true, port: first.port, controllerPort: first.controllerPort, secure: cluster.secureFiles ?? null };
}

/** Samples offered and committed inputs every few seconds while the load runs. */
function sampleProgress(ctx: RunContext, load: SoakLoad, samples: ProgressSample[], stop: AbortSignal): Promise<void> {
  return (async () => {
    while (!stop.aborted) {
      const atMs = Date.now() - load.startedAtMs;
      const committed = await ctx.kafka.inputProgress().then(
        (p) => Number(p.committed),
        () => null,
      );
      samples.push({ atMs, offered: load.stats.offered, committed });
      await new Promise<void>((resolve) => {
        const onAbort = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          stop.removeEventListener('abort', onAbort);
          resolve();
        }, SAMPLE_EVERY_MS);
        stop.addEventListener('abort', onAbort, { once: true });
      });
    }
  })();
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const runId = ulid();
  const soakDir = resolve(options.outDir, runId);
  const bundleDir = join(soakDir, 'bundle');
  const instancesDir = join(soakDir, 'instances');
  const workDir = join(repoRoot(), '.exoarmur', 'soak', 'runs', runId);
  for (const dir of [bundleDir, instancesDir, workDir]) mkdirSync(dir, { recursive: true });
  const clusterDir = join(workDir, 'cluster');
  const durationMs = Math.round(options.minutes * 60_000);
  const plan = faultPlan(options.seed, durationMs, faultCounts(options.minutes, options.kinds));
  const phases = 4;
  // Filled in as the run starts its parts, so a signal at any point stops what exists by then.
  const owned: { state?: SoakState } = {};
  const cleanup = cleanUpOnSignals(async () => {
    const started = owned.state;
    if (started !== undefined) {
      for (const joiner of started.joiners) await joiner.kill('SIGKILL').catch(() => undefined);
      await stopActuation(started.ctx.actuation).catch(() => undefined);
      await stopProcessor(started.ctx).catch(() => undefined);
      await started.ctx.kafka.close().catch(() => undefined);
    }
    await stopCluster(clusterDir).catch(() => stopCluster(clusterDir, true));
  }, log);
  try {
    log(phaseLine(1, phases, `starting a 3-node KRaft cluster in ${clusterDir}`));
    const cluster = await startCluster({ dir: clusterDir, secure: options.secure === true });
    log(`soak ${runId}: cluster ${cluster.brokers} up in ${cluster.startMs} ms; seed ${options.seed}, ${options.minutes} min, ${plan.length} faults planned`);
    const ctx = createRunContext({
      runId,
      broker: clusterBroker(cluster),
      actors: SOAK_ACTORS,
      config: {},
      workDir,
      serviceLog: join(bundleDir, 'service.log'),
      // The soak drives its cluster itself (tools/soak/faults.ts); instance 1 keeps its own state dir.
      brokerControl: null,
      processorArgs: ['--max-inputs-per-transaction', String(MAX_INPUTS_PER_TRANSACTION), '--state-dir', join(instancesDir, 'state-1')],
      earliestObservedAt: new Date(SOAK_T0_MS).toISOString(),
      log,
    });
    writeRunConfig(ctx);
    const state: SoakState = {
      ctx,
      clusterDir,
      instancesDir,
      random: new SeededRandom(options.seed ^ 0xfa17),
      startedAtMs: 0,
      joiners: [],
      joinerStarts: 0,
      records: [],
      unexpectedExits: [],
      truncations: [],
    };
    owned.state = state;
    const samples: ProgressSample[] = [];
    // Returns once every partition's leader serves it (processor/io/topics.ts waitForTopics).
    await ctx.kafka.ensureTopics(runPrefix(runId), PARTITIONS);
    if (ctx.broker.secure !== null) {
      await writeSecurityFile(bundleDir, secureBrokerOf(ctx.broker), runAclScope(runId, ctx.kafka, PARTITIONS));
      log('secure: every node SASL_SSL (SCRAM-SHA-512 over TLS), StandardAuthorizer; the processor as User:processor, the actuator as User:actuator');
    }
    await startProcessor(ctx);
    await ctx.processor.current!.waitForEvent('group_joined', { timeoutMs: 120_000 });
    log(phaseLine(2, phases, `offering ${options.perTick} events/s (+ duplicates, late events, operator actions) for ${options.minutes} min with ${plan.length} faults`));
    const load = new SoakLoad(ctx, options.seed, options.perTick);
    state.startedAtMs = load.startedAtMs;
    const stopSampling = new AbortController();
    load.start();
    const sampling = sampleProgress(ctx, load, samples, stopSampling.signal);
    let loadEnd: 'settled' | 'abandoned' = 'settled';
    try {
      for (const fault of plan) {
        await pollUntil(
          () => {
            supervise(state);
            return Date.now() - load.startedAtMs >= fault.atMs;
          },
          { timeoutMs: durationMs + 60_000, intervalMs: 250, what: `the time of the ${fault.kind} fault` },
        );
        log(`soak: fault ${state.records.length + 1}: ${fault.kind} at ${Math.round((Date.now() - load.startedAtMs) / 1000)} s (planned ${Math.round(fault.atMs / 1000)} s)`);
        const records = await injectSoakFault(state, fault.kind, fault.atMs);
        state.records.push(...records);
        for (const r of records) log(`soak: ${r.kind} recovered in ${r.recoveryMs} ms (${r.detail})`);
      }
      await pollUntil(
        () => {
          supervise(state);
          return Date.now() - load.startedAtMs >= durationMs;
        },
        { timeoutMs: durationMs + 60_000, intervalMs: 250, what: 'the end of the load' },
      );
    } finally {
      loadEnd = await load.finish();
      if (loadEnd === 'abandoned') log(`soak: the load's last sends got no answer within ${LOAD_END_GRACE_MS / 1000} s of its end; abandoned so the run goes on`);
      stopSampling.abort();
      await sampling;
    }
    // Here only when no fault threw: a cluster that still cannot take writes at the end of the load fails the run.
    if (loadEnd === 'abandoned')
      throw new ExoArmurError(
        'SOAK_FAILED',
        `the load's last sends got no answer within ${LOAD_END_GRACE_MS / 1000} s of its end: the cluster did not recover from the last fault`,
      );
    log(phaseLine(3, phases, `load ended: ${load.stats.offered} offered, ${load.stats.acknowledged} acknowledged; settling, then the double-inject`));
    await waitSettled(ctx, 600_000);
    // The loop closed as in make reality: the reference actuator performs every released intent, its results come back as inputs.
    ctx.actuation = await startActuation(ctx, { work: workDir, bundle: bundleDir });
    const results = await awaitResults(ctx, ctx.actuation);
    await waitSettled(ctx, 600_000);
    log(`actuation: ${results.length} results (${outcomeCounts(results)})`);
    // What was delivered is what the input topics hold (a refused send may still have landed).
    ctx.deliveries = await ctx.kafka.readDeliveries();
    ctx.actionCoordinates = await ctx.kafka.readActionCoordinates();
    const present = new Set(ctx.deliveries.map((d) => `${d.partition}/${d.offset}/${d.line}`));
    const topic = ctx.kafka.topics.telemetry;
    const lostAcknowledged = load.acknowledged.filter((d) => !present.has(`${d.partition}/${d.offset}/${d.line}`)).map((d) => `${topic}/${d.partition}/${d.offset}`);
    const readBack = ctx.deliveries.length;
    const doubled = await doubleInject(ctx, await ctx.kafka.readTrail());
    // Stopped before the bundle is hashed: its request log is final.
    await stopActuation(ctx.actuation);
    log(phaseLine(4, phases, `replaying from the cluster, writing and verifying the bundle ${bundleDir}`));
    // A bundle that does not verify is still judged: the report names what failed.
    const gates = await writeBundle(ctx, {
      bundleDir,
      doubled,
      expectations: { lines: 0, unmet: [] },
      deployment: { engine: 'skipped', reason: "a soak runs on its own 3-node cluster; docker-compose is make reality's gate 4" },
      faultsDisabled: false,
      composeSecure: null,
    }).catch(async (error: unknown) => {
      if (!(error instanceof ExoArmurError) || error.code !== 'BUNDLE_UNVERIFIED') throw error;
      return judgeBundle(await readBundle(bundleDir));
    });
    const trusted = (ctx.configPartial['checkpoints'] as { public_key: string }).public_key;
    const verify = await verifyBundle(bundleDir, trusted);
    const bundle = await readBundle(bundleDir);
    const integrity = integrityChecks(bundle);
    const rebuilt = runEvidenceFromBundle(bundle, { ok: integrity.every((c) => c.ok), checks: integrity });
    const checks = [
      ...soakChecks({ rebuilt, verify, lostAcknowledged }),
      {
        name: 'no log truncated across a broker fault',
        pass: state.truncations.length === 0,
        detail: 'every partition log end offset after a node kill or cluster restart at least what it was before',
        first_offending: state.truncations[0] ?? null,
      },
    ];
    return writeReport({ options, runId, soakDir, bundleDir, cluster, plan, state, load, samples, gates, checks, readBack });
  } finally {
    cleanup.release();
    await cleanup.run();
  }
}

interface ReportInputs {
  options: SoakOptions;
  runId: string;
  soakDir: string;
  bundleDir: string;
  cluster: StartedCluster;
  plan: ReadonlyArray<{ kind: FaultKind; atMs: number }>;
  state: SoakState;
  load: SoakLoad;
  samples: ProgressSample[];
  gates: Gate[];
  checks: SoakCheck[];
  /** Telemetry deliveries read back before the double-inject. */
  readBack: number;
}

function writeReport(r: ReportInputs): SoakResult {
  const gatesFailed = failedGates(r.gates);
  const verdict = r.checks.every((c) => c.pass) && gatesFailed.length === 0 ? 'PASS' : 'FAIL';
  const firstFailure = r.checks.find((c) => !c.pass);
  const firstOffending = firstFailure !== undefined ? `${firstFailure.name}: ${firstFailure.first_offending}` : (gatesFailed[0] ?? null);
  const report = {
    run_id: r.runId,
    verdict,
    first_offending: firstOffending,
    seed: r.options.seed,
    minutes: r.options.minutes,
    cluster: {
      nodes: r.cluster.nodes.length,
      brokers: r.cluster.brokers,
      replication_factor: 3,
      min_insync_replicas: 2,
      unclean_leader_election: false,
      security: r.cluster.secureFiles === undefined ? 'plaintext' : 'SASL_SSL (SCRAM-SHA-512 over TLS), StandardAuthorizer ACLs per role',
      dir: r.cluster.dir,
    },
    load: {
      events_per_tick: r.options.perTick,
      ticks: r.load.stats.ticks,
      offered: r.load.stats.offered,
      acknowledged: r.load.stats.acknowledged,
      sends_refused: r.load.stats.sendsRefused,
      operator_actions_published: r.load.stats.actionsPublished,
      operator_actions_refused: r.load.stats.actionsRefused,
      deliveries_read_back: r.readBack,
      double_inject_deliveries: r.state.ctx.deliveries.length - r.readBack,
    },
    faults_planned: r.plan.map((f) => ({ kind: f.kind, at_s: Math.round(f.atMs / 100) / 10 })),
    faults: summarizeFaults(r.state.records),
    fault_log: r.state.records.map((f) => ({
      kind: f.kind,
      planned_at_s: Math.round(f.plannedAtMs / 1000),
      at_s: Math.round(f.atMs / 1000),
      recovery_ms: f.recoveryMs,
      detail: f.detail,
    })),
    processor: {
      instance_1_starts: r.state.ctx.processor.starts,
      joiner_starts: r.state.joinerStarts,
      unexpected_exits: r.state.unexpectedExits,
    },
    throughput: throughputSeries(r.samples),
    checks: r.checks,
    gates: r.gates.map((g) => ({ n: g.n, name: g.name, status: g.status, evidence: g.evidence })),
    bundle: r.bundleDir,
  };
  const reportFile = join(r.soakDir, 'report.json');
  writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  return { runId: r.runId, reportFile, verdict, checks: r.checks, report };
}
