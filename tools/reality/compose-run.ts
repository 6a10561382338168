/**
 * Gate 4's proof: the same scenario played against the system brought up with docker-compose (broker,
 * `exoarmur topics ensure`, processor), with `docker kill` of the processor and of the broker container (each
 * up again). It starts with the run and plays while the embedded run plays (it has its own broker, topics and
 * processor; only the comparison waits for the embedded run). Then its decisions are read back and compared
 * with the embedded run's by event id, the evidence goes into the bundle, `docker-compose down -v` runs and the
 * dockerd this run started is stopped.
 */
import { chmodSync, chownSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../broker/ports.js';
import { repoRoot } from '../broker/paths.js';
import type { DeploymentFacts } from '../bundle/compose-facts.js';
import { engineEnv, stopEngine } from '../compose/engine.js';
import { ComposeStack } from '../compose/stack.js';
import { ExoArmurError } from '../../processor/errors.js';
import { prepareComposeSecure, type ComposeSecure } from '../compose/secure.js';
import { secureLogin } from '../lib/secure-clients.js';
import { composeSecurityFacts } from './compose-security.js';
import { addComposeSecurity } from './security.js';
import type { Delivery, Trail } from './analysis.js';
import { writeComposeEvidence, writeComposeSummary, type ComposeRecord } from './compose-evidence.js';
import { composeBroker, ComposeProcessor } from './compose-controls.js';
import { COMPOSE_FILES, prepareCompose, since, type ComposeReady } from './compose-prepare.js';
import { compareDecisions, decisionsByEvent, scenarioEventIds } from './decisions.js';
import { RunKafka } from './live.js';
import { groupForRun, runPrefix } from './naming.js';
import { playScenario } from './player.js';
import { sensorOutgoing } from './sensor-samples.js';
import type { RunContext } from './run-context.js';
import type { Step } from './scenario.js';

export interface ComposeRunInput {
  steps: readonly Step[];
  /** The run's config as it was before the scenario's config steps changed it. */
  initialConfig: Record<string, unknown>;
  /** The embedded run's context: the same operator keys, topic names and checkpoint key. */
  embedded: RunContext;
  workDir: string;
  /** False for a --no-faults run: the kills are then not required. */
  faultsRequired: boolean;
  maxInputsPerTransaction: number;
  log: (line: string) => void;
}

/** A compose run that has played (or failed trying), its stack still up for the evidence. */
export interface ComposePlayed {
  ready: ComposeReady;
  record: ComposeRecord;
  stack: ComposeStack | null;
  /** The secure profile's directory when the run is secure (its credentials are searched for in the bundle). */
  secure: ComposeSecure | null;
  played: { trail: Trail; deliveries: readonly Delivery[] } | null;
}

/** The compose processor's config: the run's, on the compose broker, its checkpoint key beside it in the mounted dir. */
function writeComposeConfig(input: ComposeRunInput, configDir: string, brokers: string): Record<string, unknown> {
  // The embedded broker's login settings are not the compose broker's: the secure profile logs its containers in through their environment.
  const { broker_auth: _auth, ...config } = input.initialConfig;
  const checkpoints = config['checkpoints'] as Record<string, unknown> | undefined;
  if (checkpoints !== undefined) {
    // Read by the container's user (node, uid 1000) from the read-only mount at /etc/exoarmur.
    const key = join(configDir, 'checkpoint.key');
    copyFileSync(input.embedded.checkpointKeyFile, key);
    if (process.getuid?.() === 0) chownSync(key, 1000, 1000);
    else chmodSync(key, 0o644);
    config['checkpoints'] = { ...checkpoints, key_file: '/etc/exoarmur/checkpoint.key' };
  }
  const composeConfig = { ...config, brokers: [brokers] };
  writeFileSync(join(configDir, 'config.json'), `${JSON.stringify(composeConfig, null, 2)}\n`, { mode: 0o644 });
  return composeConfig;
}

/** The secure profile's directory of a secure run (made here at run time), or null for a plaintext one. */
function secureDirOf(input: ComposeRunInput, flavour: ComposeReady['flavour']): ComposeSecure | null {
  if (input.embedded.broker.secure === null) return null;
  if (COMPOSE_FILES[flavour].secureOverride === null) throw new ExoArmurError('COMPOSE_FAILED', `the ${flavour} compose path has no secure profile`);
  return prepareComposeSecure(join(input.workDir, 'compose', 'secure'));
}

async function upAndPlay(
  input: ComposeRunInput,
  ready: ComposeReady,
  record: ComposeRecord,
  set: (s: { stack?: ComposeStack; secure?: ComposeSecure }) => void,
): Promise<ComposePlayed['played']> {
  if (!ready.engine.ok) return null;
  if (ready.failure !== null) throw new ExoArmurError('COMPOSE_FAILED', ready.failure);
  const secure = secureDirOf(input, ready.flavour);
  if (secure !== null) set({ secure });
  const configDir = join(input.workDir, 'compose', 'config');
  mkdirSync(configDir, { recursive: true });
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
  const config = writeComposeConfig(input, configDir, brokers);
  const env = engineEnv(ready.engine, {
    EXOARMUR_KAFKA_PORT: String(ports.kafka),
    EXOARMUR_KAFKA_CONTROLLER_PORT: String(ports.controller),
    EXOARMUR_REDPANDA_PORT: String(ports.kafka),
    EXOARMUR_REDPANDA_RPC_PORT: String(ports.rpc),
    EXOARMUR_REDPANDA_ADMIN_PORT: String(ports.admin),
    EXOARMUR_REDPANDA_SCHEMA_PORT: String(ports.schema),
    EXOARMUR_REDPANDA_PROXY_PORT: String(ports.proxy),
    EXOARMUR_METRICS_PORT: String(ports.metrics),
    EXOARMUR_CONFIG_DIR: configDir,
    EXOARMUR_TOPIC_PREFIX: runPrefix(input.embedded.runId),
    EXOARMUR_PARTITIONS: String(input.initialConfig['partitions'] ?? 3),
    EXOARMUR_MAX_INPUTS_PER_TRANSACTION: String(input.maxInputsPerTransaction),
    ...(secure === null ? {} : { EXOARMUR_SECURE_DIR: secure.dir }),
  });
  const files = COMPOSE_FILES[ready.flavour];
  const composeFiles = [files.file, ...(secure === null || files.secureOverride === null ? [] : [files.secureOverride])];
  const stack = new ComposeStack(
    composeFiles.map((f) => join(repoRoot(), f)),
    record.project,
    env,
    repoRoot(),
  );
  set({ stack });
  if (secure !== null) record.secureProfile = files.secureOverride;
  input.log(`compose: docker-compose ${composeFiles.map((f) => `-f ${f}`).join(' ')} -p ${record.project} up -d (broker on ${brokers})`);
  const up = Date.now();
  await stack.up();
  record.seconds['up'] = since(up);
  input.log(`compose: up in ${record.seconds['up']} s`);
  if (secure !== null) {
    record.security = await composeSecurityFacts({ stack, profile: join(repoRoot(), files.secureOverride!), secure, brokers, config });
    input.log(
      `compose: secure profile: SASL_SSL (SCRAM-SHA-512 over TLS), StandardAuthorizer, ${String(record.security['grants_listed'])} grants served, processor as User:processor`,
    );
  }
  const embedded = input.embedded;
  const login = secure === null ? {} : secureLogin({ brokers, ...secure }, 'admin');
  const kafka = new RunKafka(brokers, `reality-compose-${embedded.runId}`, embedded.kafka.topics, groupForRun(embedded.runId), embedded.kafka.checkpointTopic, login);
  const ctx: RunContext = {
    ...embedded,
    broker: {
      brokers,
      dataDir: null,
      owned: true,
      port: ports.kafka,
      controllerPort: ports.controller,
      secure: secure === null ? null : { caFile: secure.caFile, credentialsFile: secure.credentialsFile },
    },
    brokerControl: composeBroker(stack, files.broker),
    processor: new ComposeProcessor(stack),
    actuation: undefined,
    kafka,
    configFile: join(configDir, 'config.json'),
    configPartial: config,
    deliveries: [],
    actionCoordinates: [],
    faults: { processorKills: 0, brokerKills: 0, acrossBrokerKills: [], notes: [] },
    log: (line) => input.log(`compose: ${line}`),
  };
  const played = Date.now();
  try {
    await stack.containerId('processor');
    await stack.containerId(files.broker);
    await playScenario(ctx, input.steps);
    const trail = await kafka.readTrail();
    record.seconds['scenario'] = since(played);
    return { trail, deliveries: ctx.deliveries };
  } finally {
    record.faults = { processor_kills: ctx.faults.processorKills, broker_kills: ctx.faults.brokerKills, notes: ctx.faults.notes };
    await kafka.close().catch(() => undefined);
  }
}

/** Prepares the engine and images, brings the stack up and plays the scenario on it; never throws (a failure is recorded). */
export async function startCompose(input: ComposeRunInput): Promise<ComposePlayed> {
  const ready = await prepareCompose(input.log, input.embedded.broker.secure !== null);
  const engine = ready.engine;
  const record: ComposeRecord = {
    flavour: ready.flavour,
    project: `exoarmur-${input.embedded.runId.toLowerCase()}`,
    engine: engine.ok ? { host: engine.host, started_pid: engine.startedPid, stopped: '' } : { host: '', started_pid: null, stopped: '' },
    images: ready.images,
    ports: {},
    faults: { processor_kills: 0, broker_kills: 0, notes: [] },
    faults_required: input.faultsRequired,
    decisions: null,
    failure: null,
    seconds: { ...ready.seconds },
    secureProfile: null,
    security: null,
  };
  const up: { stack?: ComposeStack; secure?: ComposeSecure } = {};
  const set = (s: { stack?: ComposeStack; secure?: ComposeSecure }) => Object.assign(up, s);
  try {
    const played = await upAndPlay(input, ready, record, set);
    return { ready, record, stack: up.stack ?? null, secure: up.secure ?? null, played };
  } catch (error) {
    record.failure = (error as Error).message.split('\n')[0]!;
    input.log(`compose: FAILED ${record.failure}`);
    return { ready, record, stack: up.stack ?? null, secure: up.secure ?? null, played: null };
  }
}

/**
 * Compares the compose run's decisions with the embedded run's, writes the compose evidence into the bundle,
 * takes the stack down (`down -v`) and stops the dockerd the run started. Returns what run_facts.json records.
 */
export async function finishCompose(
  run: ComposePlayed,
  embedded: { ctx: RunContext; trail: Trail; deliveries: readonly Delivery[]; steps: readonly Step[] },
  bundleDir: string,
  log: (line: string) => void,
): Promise<DeploymentFacts> {
  const { ready, record, stack } = run;
  // A secure run's security.json says how the compose broker ran, or why it did not run secure.
  if (embedded.ctx.broker.secure !== null) {
    const why = ready.engine.ok ? (record.failure ?? 'the compose phase failed before its broker answered') : `no Docker engine: ${ready.engine.reason}`;
    addComposeSecurity(bundleDir, record.security ?? { mode: 'not run', reason: why });
  }
  if (!ready.engine.ok) {
    log(`compose: no Docker engine (${ready.engine.reason})`);
    return { engine: 'unavailable', reason: ready.engine.reason, enable: ready.engine.enable };
  }
  if (run.played !== null) {
    const ids = scenarioEventIds(embedded.steps, (sensor) => sensorOutgoing(sensor, repoRoot()).eventId);
    const expected = decisionsByEvent(embedded.trail.audit, embedded.deliveries, embedded.ctx.kafka.topics.telemetry, ids);
    const actual = decisionsByEvent(run.played.trail.audit, run.played.deliveries, embedded.ctx.kafka.topics.telemetry, ids);
    record.decisions = { embedded: [...expected.values()], compose: [...actual.values()] };
    log(`compose: ${actual.size} scenario events decided, ${compareDecisions(expected, actual).length} differ from the embedded run`);
  }
  const evidence = Date.now();
  const composeFiles = [COMPOSE_FILES[record.flavour].file, ...(record.secureProfile === null ? [] : [record.secureProfile])];
  const summary = await writeComposeEvidence(
    bundleDir,
    stack,
    record,
    composeFiles.map((f) => join(repoRoot(), f)),
  );
  record.engine.stopped = await stopEngine(ready.engine);
  summary.engine = record.engine;
  summary.seconds['evidence'] = since(evidence);
  writeComposeSummary(bundleDir, summary);
  log(`compose: ${summary.down.ok ? 'down -v done' : 'down -v FAILED'}; ${record.engine.stopped}`);
  return { engine: 'ran' };
}

/** The run failed before its compose phase ended: the stack is taken down and the dockerd the run started stopped all the same. */
export async function abandonCompose(running: Promise<ComposePlayed>): Promise<void> {
  const run = await running;
  if (run.stack !== null) await run.stack.down();
  await stopEngine(run.ready.engine);
}
