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
import { externalBroker, secureBrokerOf, startRunBroker, stopRunBroker } from './broker-control.js';
import { writeBundle } from './bundle.js';
import { phaseLine, withProgress } from '../lib/progress.js';
import { writeSecurityFile } from './security.js';
import { unmetExpectations } from './expectations.js';
import { overall, passFailText, type Gate } from './gates.js';
import { appIdForRun, groupForRun, runPrefix } from './naming.js';
import { doubleInject, playScenario } from './player.js';
import { createRunContext, PARTITIONS, startProcessor, stopProcessor, writeRunConfig } from './run-context.js';
import { parseScenario, scenarioActors, type Step } from './scenario.js';

export interface RealityOptions {
  scenarioDir: string;
  outDir: string;
  brokers?: string | undefined;
  /** Run the embedded broker secure (SASL/SCRAM over TLS, role ACLs) and the processor as its role; the bundle's security.json says so. */
  secure?: boolean;
  log?: (line: string) => void;
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
  return { steps: parseScenario(readFileSync(file, 'utf8'), file), config };
}

export async function runReality(options: RealityOptions): Promise<RealityResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const runId = ulid();
  const bundleDir = resolve(options.outDir, runId);
  const workDir = join(repoRoot(), '.exoarmur', 'reality', 'runs', runId);
  mkdirSync(bundleDir, { recursive: true });
  mkdirSync(workDir, { recursive: true });
  const { steps, config } = readScenario(options.scenarioDir);
  if (options.secure === true && options.brokers) throw new UsageError('CLI_USAGE', '--secure runs its own embedded broker: drop --brokers');
  const phases = 4;
  log(phaseLine(1, phases, options.brokers ? `using the broker at ${options.brokers}` : 'starting a fresh embedded broker for this run'));
  const broker = options.brokers
    ? externalBroker(options.brokers)
    : await withProgress(log, { what: 'the embedded broker to answer' }, () => startRunBroker(join(workDir, 'broker'), options.secure === true));
  log(`run ${runId}: broker ${broker.brokers}${broker.owned ? ` (embedded, ${broker.dataDir})` : ' (external)'}`);
  const observed = steps.flatMap((s) => (s.kind === 'telemetry' && typeof s.event['observed_at'] === 'string' ? [s.event['observed_at']] : [])).sort();
  const ctx = createRunContext({
    runId,
    broker,
    actors: scenarioActors(steps),
    config,
    workDir,
    serviceLog: join(bundleDir, 'service.log'),
    maxInputsPerTransaction: MAX_INPUTS_PER_TRANSACTION,
    earliestObservedAt: observed[0] ?? '2026-01-01T00:00:00.000Z',
    log,
  });
  writeRunConfig(ctx);
  try {
    await ctx.kafka.ensureTopics(runPrefix(runId), PARTITIONS);
    if (broker.secure !== null) {
      await writeSecurityFile(bundleDir, secureBrokerOf(broker), {
        topics: ctx.kafka.topics,
        appId: appIdForRun(runId),
        groupId: groupForRun(runId),
        readerGroupPrefix: 'exoarmur.read.',
      });
      log(`secure: SASL_SSL (SCRAM-SHA-512 over TLS), StandardAuthorizer, processor as User:processor`);
    }
    startProcessor(ctx);
    log(phaseLine(2, phases, `playing the scenario: ${steps.length} steps, with its faults`));
    await playScenario(ctx, steps);
    const played = await ctx.kafka.readTrail();
    const unmet = unmetExpectations(steps, ctx.deliveries, played.audit, ctx.kafka.topics.telemetry);
    log(`scenario played: ${ctx.deliveries.length} telemetry deliveries, ${ctx.actionCoordinates.length} operator records`);
    log(phaseLine(3, phases, `double-inject: delivering all ${ctx.deliveries.length} telemetry deliveries again`));
    const doubled = await doubleInject(ctx, played);
    log(`double-inject: digest ${doubled.before.digest === doubled.after.digest ? 'equal' : 'DIFFERENT'}`);
    const expectations = { lines: steps.filter((s) => s.kind === 'expect').length, unmet };
    log(phaseLine(4, phases, `replaying the run from the broker, writing the bundle to ${bundleDir} and judging its gates`));
    const gates = await withProgress(log, { what: 'the replay, the read-back and verify' }, () => writeBundle(ctx, { bundleDir, doubled, expectations }));
    return { runId, bundleDir, gates, overall: overall(gates), passFail: passFailText(runId, gates) };
  } finally {
    await stopProcessor(ctx).catch(() => undefined);
    await ctx.kafka.close().catch(() => undefined);
    if (broker.owned) await stopRunBroker(broker).catch(() => undefined);
  }
}
