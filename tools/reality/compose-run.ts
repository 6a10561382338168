/**
 * Gate 4's proof: after the embedded run, the same scenario is played against the system brought up with
 * docker-compose (broker, `exoarmur topics ensure`, processor), with `docker kill` of the processor and of
 * the broker container (each up again), and its decisions read back and compared with the embedded run's
 * by event id. The compose path is the production docker-compose.yml's Redpanda where its pinned image can
 * be had, else the air-gapped Apache Kafka images `make images` builds. Then `docker-compose down -v`, and
 * the dockerd this run started is stopped.
 */
import { chmodSync, chownSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../broker/ports.js';
import { repoRoot } from '../broker/paths.js';
import { runCommand, tail } from '../compose/docker.js';
import { engineEnv, startEngine, stopEngine, type Engine } from '../compose/engine.js';
import { ComposeStack } from '../compose/stack.js';
import { ExoArmurError } from '../../processor/errors.js';
import type { Trail, Delivery } from './analysis.js';
import type { ComposeFlavour, DeploymentFacts, ImageRecord } from '../bundle/compose-facts.js';
import { writeComposeEvidence, writeComposeSummary, type ComposeRecord } from './compose-evidence.js';
import { compareDecisions, decisionsByEvent, scenarioEventIds } from './decisions.js';
import { RunKafka } from './live.js';
import { groupForRun } from './naming.js';
import { playScenario } from './player.js';
import type { BrokerControl, ProcessorControl } from './controls.js';
import type { RunContext } from './run-context.js';
import type { Step } from './scenario.js';

export interface ComposePhaseInput {
  runId: string;
  steps: readonly Step[];
  /** The run's config as it was before the scenario's config steps changed it. */
  initialConfig: Record<string, unknown>;
  embedded: { ctx: RunContext; trail: Trail; deliveries: readonly Delivery[] };
  bundleDir: string;
  workDir: string;
  /** False for a --no-faults run: the kills are then not required. */
  faultsRequired: boolean;
  maxInputsPerTransaction: number;
  log: (line: string) => void;
  /** The phase line printed when the compose run itself starts. */
  phase: string;
}

type Flavour = ComposeFlavour;
const FILES: Record<Flavour, { file: string; broker: string }> = {
  redpanda: { file: 'docker-compose.yml', broker: 'redpanda' },
  'airgap-kafka': { file: 'docker-compose.airgap.yml', broker: 'kafka' },
};

/** The pinned Redpanda image of the production file, if it can be had (present, or pulled where a registry answers). */
async function redpandaAvailable(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<boolean> {
  const image = /image: (docker\.redpanda\.com\/\S+)/.exec(readFileSync(join(repoRoot(), FILES.redpanda.file), 'utf8'))?.[1];
  if (image === undefined) return false;
  if ((await runCommand('docker', ['image', 'inspect', image], { env })).code === 0) return true;
  const pulled = await runCommand('docker', ['pull', '-q', image], { env, timeoutMs: 300_000 });
  log(`compose: ${image} ${pulled.code === 0 ? 'pulled' : `cannot be pulled (${tail(pulled, 1)}): the air-gapped images are used`}`);
  return pulled.code === 0;
}

async function buildImages(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<ImageRecord[]> {
  const result = await runCommand(join(repoRoot(), 'tools', 'compose', 'images.sh'), [], { env, cwd: repoRoot(), timeoutMs: 1_800_000 });
  for (const line of result.stderr.trim().split('\n')) if (line.startsWith('images: ')) log(`compose: ${line.slice('images: '.length)}`);
  if (result.code !== 0) throw new ExoArmurError('COMPOSE_FAILED', `make images failed (exit ${result.code}): ${tail(result)}`);
  return result.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as ImageRecord);
}

/** The engine and images a compose run needs, made ready while the embedded run plays; the engine is stopped by whoever ends it. */
export interface ComposeReady {
  engine: Engine;
  flavour: Flavour;
  images: ImageRecord[];
  /** Why the images could not be had; null when they are ready. */
  failure: string | null;
  seconds: Record<string, number>;
}

const since = (t: number) => Math.round((Date.now() - t) / 100) / 10;

/** Starts (or finds) the engine, then picks the compose path and builds the images it needs; never throws. */
export async function prepareCompose(log: (line: string) => void): Promise<ComposeReady> {
  const started = Date.now();
  const engine = await startEngine();
  const seconds: Record<string, number> = { engine: since(started) };
  if (!engine.ok) return { engine, flavour: 'airgap-kafka', images: [], failure: null, seconds };
  log(
    `compose: Docker engine ${engine.host}${engine.startedPid === null ? ' (already running)' : ` (dockerd ${engine.startedPid} started by this run)`}; images build while the embedded run plays`,
  );
  try {
    const env = engineEnv(engine);
    const flavour: Flavour = (await redpandaAvailable(env, log)) ? 'redpanda' : 'airgap-kafka';
    const building = Date.now();
    const images = await buildImages(env, log);
    seconds['images'] = since(building);
    return { engine, flavour, images, failure: null, seconds };
  } catch (error) {
    return { engine, flavour: 'airgap-kafka', images: [], failure: (error as Error).message.split('\n')[0]!, seconds };
  }
}

/** Stops the dockerd the preparation started (the run failed before its compose phase). */
export async function releaseCompose(ready: Promise<ComposeReady>): Promise<void> {
  await stopEngine((await ready).engine);
}

class ComposeProcessor implements ProcessorControl {
  starts = 1;
  constructor(private readonly stack: ComposeStack) {}
  get running(): boolean {
    // Restarting: its restart policy is bringing it back, as a supervisor would.
    const status = this.stack.statusSync('processor');
    return status === 'running' || status === 'restarting';
  }
  async start(): Promise<void> {
    await this.stack.upService('processor');
    this.starts += 1;
  }
  kill(): Promise<void> {
    return this.stack.kill('processor');
  }
  stop(): Promise<void> {
    return this.stack.stopService('processor');
  }
  exitedError(): Error {
    return new ExoArmurError('PROCESSOR_EXITED', `the processor container exited: ${this.stack.logTailSync('processor')}`);
  }
}

function composeBroker(stack: ComposeStack, service: string): BrokerControl {
  return {
    kill: () => stack.kill(service),
    stop: () => stack.stopService(service),
    restart: async () => {
      await stack.upService(service);
      await stack.waitHealthy(service);
    },
  };
}

/** Plays the scenario on the compose stack and compares decisions; the stack is left up for the evidence. */
async function playOnStack(input: ComposePhaseInput, stack: ComposeStack, flavour: Flavour, brokers: string, configDir: string, record: ComposeRecord): Promise<void> {
  const embedded = input.embedded.ctx;
  const kafka = new RunKafka(brokers, `reality-compose-${input.runId}`, embedded.kafka.topics, groupForRun(input.runId), embedded.kafka.checkpointTopic);
  const ctx: RunContext = {
    ...embedded,
    broker: { brokers, dataDir: null, owned: true, port: Number(brokers.split(':')[1]), controllerPort: 0, secure: null },
    brokerControl: composeBroker(stack, FILES[flavour].broker),
    processor: new ComposeProcessor(stack),
    kafka,
    configFile: join(configDir, 'config.json'),
    configPartial: structuredClone(input.initialConfig),
    deliveries: [],
    actionCoordinates: [],
    faults: { processorKills: 0, brokerKills: 0, acrossBrokerKills: [], notes: [] },
    log: (line) => input.log(`compose: ${line}`),
  };
  try {
    await stack.containerId('processor');
    await stack.containerId(FILES[flavour].broker);
    await playScenario(ctx, input.steps);
    const trail = await kafka.readTrail();
    const ids = scenarioEventIds(input.steps);
    const expected = decisionsByEvent(input.embedded.trail.audit, input.embedded.deliveries, embedded.kafka.topics.telemetry, ids);
    const actual = decisionsByEvent(trail.audit, ctx.deliveries, kafka.topics.telemetry, ids);
    record.decisions = { embedded: [...expected.values()], compose: [...actual.values()] };
    record.faults = { processor_kills: ctx.faults.processorKills, broker_kills: ctx.faults.brokerKills, notes: ctx.faults.notes };
    input.log(`compose: ${actual.size} scenario events decided, ${compareDecisions(expected, actual).length} differ from the embedded run`);
  } finally {
    await kafka.close().catch(() => undefined);
  }
}

export async function composePhase(ready: ComposeReady, input: ComposePhaseInput): Promise<DeploymentFacts> {
  const engine = ready.engine;
  if (!engine.ok) {
    input.log(`compose: no Docker engine (${engine.reason})`);
    return { engine: 'unavailable', reason: engine.reason, enable: engine.enable };
  }
  input.log(input.phase);
  const dir = join(input.workDir, 'compose');
  const configDir = join(dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const flavour = ready.flavour;
  const record: ComposeRecord = {
    flavour,
    project: `exoarmur-${input.runId.toLowerCase()}`,
    engine: { host: engine.host, started_pid: engine.startedPid, stopped: '' },
    images: ready.images,
    ports: {},
    faults: { processor_kills: 0, broker_kills: 0, notes: [] },
    faults_required: input.faultsRequired,
    decisions: null,
    failure: ready.failure,
    seconds: { ...ready.seconds },
  };
  let stack: ComposeStack | null = null;
  try {
    if (ready.failure !== null) throw new ExoArmurError('COMPOSE_FAILED', ready.failure);
    const ports = {
      kafka: await freePort(),
      controller: await freePort(),
      metrics: await freePort(),
      rpc: await freePort(),
      admin: await freePort(),
      schema: await freePort(),
      proxy: await freePort(),
    };
    record.ports = ports;
    const brokers = `127.0.0.1:${ports.kafka}`;
    // The config dir is mounted read-only into the processor container, whose user (node, uid 1000) reads it.
    // The compose broker is plain (no SASL): a --secure run's login settings are the embedded broker's only.
    // The checkpoint key goes beside it, owned by that user alone.
    const { broker_auth: _auth, ...plainConfig } = input.initialConfig;
    const checkpoints = plainConfig['checkpoints'] as Record<string, unknown> | undefined;
    if (checkpoints !== undefined) {
      copyFileSync(input.embedded.ctx.checkpointKeyFile, join(configDir, 'checkpoint.key'));
      if (process.getuid?.() === 0) chownSync(join(configDir, 'checkpoint.key'), 1000, 1000);
      else chmodSync(join(configDir, 'checkpoint.key'), 0o644);
      plainConfig['checkpoints'] = { ...checkpoints, key_file: '/etc/exoarmur/checkpoint.key' };
    }
    writeFileSync(join(configDir, 'config.json'), `${JSON.stringify({ ...plainConfig, brokers: [brokers] }, null, 2)}\n`, { mode: 0o644 });
    const env = engineEnv(engine, {
      EXOARMUR_KAFKA_PORT: String(ports.kafka),
      EXOARMUR_KAFKA_CONTROLLER_PORT: String(ports.controller),
      EXOARMUR_REDPANDA_PORT: String(ports.kafka),
      EXOARMUR_REDPANDA_RPC_PORT: String(ports.rpc),
      EXOARMUR_REDPANDA_ADMIN_PORT: String(ports.admin),
      EXOARMUR_REDPANDA_SCHEMA_PORT: String(ports.schema),
      EXOARMUR_REDPANDA_PROXY_PORT: String(ports.proxy),
      EXOARMUR_METRICS_PORT: String(ports.metrics),
      EXOARMUR_CONFIG_DIR: configDir,
      EXOARMUR_TOPIC_PREFIX: (input.embedded.ctx.kafka.topics.telemetry.match(/^(.*\.)telemetry\.v1$/) ?? ['', ''])[1]!,
      EXOARMUR_PARTITIONS: String(input.initialConfig['partitions'] ?? 3),
      EXOARMUR_MAX_INPUTS_PER_TRANSACTION: String(input.maxInputsPerTransaction),
    });
    stack = new ComposeStack(join(repoRoot(), FILES[flavour].file), record.project, env, repoRoot());
    input.log(`compose: docker-compose -f ${FILES[flavour].file} -p ${record.project} up -d (broker on ${brokers})`);
    const up = Date.now();
    await stack.up();
    record.seconds['up'] = since(up);
    input.log(`compose: up in ${record.seconds['up']} s`);
    const played = Date.now();
    await playOnStack(input, stack, flavour, brokers, configDir, record);
    record.seconds['scenario'] = since(played);
  } catch (error) {
    record.failure = (error as Error).message.split('\n')[0]!;
    input.log(`compose: FAILED ${record.failure}`);
  }
  const evidence = Date.now();
  const summary = await writeComposeEvidence(input.bundleDir, stack, record, join(repoRoot(), FILES[flavour].file));
  record.engine.stopped = await stopEngine(engine);
  summary.engine = record.engine;
  summary.seconds['evidence'] = since(evidence);
  writeComposeSummary(input.bundleDir, summary);
  input.log(`compose: ${summary.down.ok ? 'down -v done' : 'down -v FAILED'}; ${record.engine.stopped}`);
  return { engine: 'ran' };
}
