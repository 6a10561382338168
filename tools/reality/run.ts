/**
 * `exoarmur reality`: one run of a scenario on a real broker with real faults, the double-inject,
 * the expectation checks, and the evidence bundle with its seven gates. This module only wires the
 * steps together: player.ts plays, faults.ts injects, bundle.ts writes, gates.ts judges.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ulid } from 'ulid';
import { UsageError } from '../../processor/errors.js';
import { repoRoot } from '../broker/paths.js';
import { stopBroker } from '../broker/broker.js';
import { cleanUpOnSignals } from '../lib/run-cleanup.js';
import { embeddedBrokerControl, externalBroker, secureBrokerOf, startRunBroker } from './broker-control.js';
import { writeBundle } from './bundle.js';
import { abandonCompose, finishCompose, startCompose, type ComposePlayed } from './compose-run.js';
import { phaseLine, withProgress } from '../lib/progress.js';
import { runAclScope, writeSecurityFile } from './security.js';
import { unmetExpectations } from './expectations.js';
import { planFaults } from './fault-plan.js';
import type { DeploymentFacts } from '../bundle/compose-facts.js';
import { overall, passFailText, type Gate } from './gates.js';
import { runPrefix } from './naming.js';
import { awaitResults, outcomeCounts, startActuation, stopActuation } from './actuation.js';
import { doubleInject, playScenario } from './player.js';
import { sensorOutgoing } from './sensor-samples.js';
import { createRunContext, PARTITIONS, startProcessor, stopProcessor, waitSettled, writeRunConfig, type RunContext } from './run-context.js';
import { parseScenario, scenarioActors, type Step } from './scenario.js';

export interface RealityOptions {
  scenarioDir: string;
  outDir: string;
  brokers?: string | undefined;
  /** Run the embedded broker secure (SASL/SCRAM over TLS, role ACLs) and the processor as its role; the bundle's security.json says so. */
  secure?: boolean;
  log?: (line: string) => void;
  /** Where the harness adds kills to a scenario without fault steps (default: the run id). */
  seed?: string | undefined;
  /** Strip every fault step and add none: gate 2 is then UNPROVEN. */
  noFaults?: boolean;
  /** False leaves the docker-compose phase out (gate 4 UNPROVEN, saying so); by default it runs wherever an engine can. */
  compose?: boolean;
}

export interface RealityResult {
  runId: string;
  bundleDir: string;
  gates: Gate[];
  overall: 'PASS' | 'FAIL';
  passFail: string;
}

/** Small transactions so a SIGKILL during the burst lands between and inside committed batches. */
const MAX_INPUTS_PER_TRANSACTION = 20;

function readScenario(dir: string): { steps: Step[]; config: Record<string, unknown> } {
  const file = join(dir, 'scenario.jsonl');
  if (!existsSync(file)) throw new UsageError('SCENARIO_MISSING', `no scenario.jsonl in ${dir}: pass --scenario with a directory like fixtures/scenarios/default`);
  const configFile = join(dir, 'config.json');
  const config = existsSync(configFile) ? (JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>) : {};
  const steps = parseScenario(readFileSync(file, 'utf8'), file);
  // A missing or unreadable sample fails the run before any broker starts.
  for (const step of steps) if (step.kind === 'sensor') sensorOutgoing(step.sensor, repoRoot());
  return { steps, config };
}

export async function runReality(options: RealityOptions): Promise<RealityResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const runId = ulid();
  const bundleDir = resolve(options.outDir, runId);
  const workDir = join(repoRoot(), '.exoarmur', 'reality', 'runs', runId);
  mkdirSync(bundleDir, { recursive: true });
  mkdirSync(workDir, { recursive: true });
  const scenario = readScenario(options.scenarioDir);
  if (options.secure === true && options.brokers) throw new UsageError('CLI_USAGE', '--secure runs its own embedded broker: drop --brokers');
  const plan = planFaults(scenario.steps, options.seed ?? runId, { noFaults: options.noFaults === true });
  const { steps } = plan;
  const config = scenario.config;
  for (const note of plan.notes) log(`faults: ${note}`);
  const compose = options.compose !== false;
  const phases = compose ? 6 : 5;
  const runBrokerDir = join(workDir, 'broker');
  // Filled in as the run starts its parts, so a signal at any point stops what exists by then.
  const owned: { ctx?: RunContext; composeRun: Promise<ComposePlayed> | null } = { composeRun: null };
  const cleanup = cleanUpOnSignals(async () => {
    if (owned.composeRun !== null) await abandonCompose(owned.composeRun).catch(() => undefined);
    if (owned.ctx !== undefined) {
      await stopActuation(owned.ctx.actuation).catch(() => undefined);
      await stopProcessor(owned.ctx).catch(() => undefined);
      await owned.ctx.kafka.close().catch(() => undefined);
    }
    // By its data dir, so a broker still starting (or restarted by a fault) is stopped too.
    if (!options.brokers) await stopBroker({ dataDir: runBrokerDir }).catch(() => undefined);
  }, log);
  try {
    log(phaseLine(1, phases, options.brokers ? `using the broker at ${options.brokers}` : 'starting a fresh embedded broker for this run'));
    const broker = options.brokers
      ? externalBroker(options.brokers)
      : await withProgress(log, { what: 'the embedded broker to answer' }, () => startRunBroker(runBrokerDir, options.secure === true));
    log(`run ${runId}: broker ${broker.brokers}${broker.owned ? ` (embedded, ${broker.dataDir})` : ' (external)'}`);
    const observed = steps.flatMap((s) => (s.kind === 'telemetry' && typeof s.event['observed_at'] === 'string' ? [s.event['observed_at']] : [])).sort();
    const ctx = createRunContext({
      runId,
      broker,
      brokerControl: embeddedBrokerControl(broker),
      actors: scenarioActors(steps),
      config,
      workDir,
      serviceLog: join(bundleDir, 'service.log'),
      processorArgs: ['--max-inputs-per-transaction', String(MAX_INPUTS_PER_TRANSACTION)],
      earliestObservedAt: observed[0] ?? '2026-01-01T00:00:00.000Z',
      log,
    });
    owned.ctx = ctx;
    ctx.faults.notes.push(...plan.notes);
    const initialConfig = structuredClone(ctx.configPartial);
    writeRunConfig(ctx);
    // The compose run (gate 4) starts now and plays beside the embedded run on its own broker; only its comparison waits.
    owned.composeRun = compose
      ? startCompose({ steps, initialConfig, embedded: ctx, workDir, faultsRequired: options.noFaults !== true, maxInputsPerTransaction: MAX_INPUTS_PER_TRANSACTION, log })
      : null;
    await ctx.kafka.ensureTopics(runPrefix(runId), PARTITIONS);
    if (broker.secure !== null) {
      await writeSecurityFile(bundleDir, secureBrokerOf(broker), runAclScope(runId, ctx.kafka, PARTITIONS));
      log(`secure: SASL_SSL (SCRAM-SHA-512 over TLS), StandardAuthorizer, processor as User:processor`);
    }
    await startProcessor(ctx);
    log(phaseLine(2, phases, `playing the scenario: ${steps.length} steps, with its faults`));
    await playScenario(ctx, steps);
    log(phaseLine(3, phases, 'actuating: the reference actuator performs every released intent through a webhook receiver'));
    ctx.actuation = await startActuation(ctx, { work: workDir, bundle: bundleDir });
    const results = await awaitResults(ctx, ctx.actuation);
    await waitSettled(ctx);
    log(`actuation: ${results.length} results (${outcomeCounts(results)})`);
    const played = await ctx.kafka.readTrail();
    const unmet = unmetExpectations(steps, ctx.deliveries, played.audit, ctx.kafka.topics.telemetry);
    log(`scenario played: ${ctx.deliveries.length} telemetry deliveries, ${ctx.actionCoordinates.length} operator records`);
    log(phaseLine(4, phases, `double-inject: delivering all ${ctx.deliveries.length} telemetry deliveries again`));
    const doubled = await doubleInject(ctx, played);
    log(`double-inject: digest ${doubled.before.digest === doubled.after.digest ? 'equal' : 'DIFFERENT'}`);
    // Stopped before the bundle is hashed: its request log and service log are final.
    await stopActuation(ctx.actuation);
    const expectations = { lines: steps.filter((s) => s.kind === 'expect').length, unmet };
    let deployment: DeploymentFacts = { engine: 'skipped', reason: 'the compose phase was left out of this run (--no-compose)' };
    let composeSecure: { credentialsFile: string } | null = null;
    const composeRun = owned.composeRun;
    if (composeRun !== null) {
      log(phaseLine(5, phases, 'waiting for the same scenario on docker-compose to finish (gate 4), comparing its decisions'));
      const played = await withProgress(log, { what: 'the docker-compose run' }, () => composeRun);
      owned.composeRun = null;
      composeSecure = played.secure;
      deployment = await finishCompose(played, { ctx, trail: doubled.trail, deliveries: ctx.deliveries, steps }, bundleDir, log);
    }
    log(phaseLine(phases, phases, `replaying the run from the broker, writing the bundle to ${bundleDir} and judging its gates`));
    const gates = await withProgress(log, { what: 'the replay, the read-back and verify' }, () =>
      writeBundle(ctx, { bundleDir, doubled, expectations, deployment, faultsDisabled: options.noFaults === true, composeSecure }),
    );
    return { runId, bundleDir, gates, overall: overall(gates), passFail: passFailText(runId, gates) };
  } finally {
    cleanup.release();
    await cleanup.run();
  }
}
