/**
 * The composition root: the only place the shell's parts are wired together. Loads the effective
 * config, builds the Kafka client and logger, ensures topics, publishes the config snapshot, then
 * runs the processor until stopped.
 */
import pino, { type Logger } from 'pino';
import { actuatorStateTopic, configSnapshot, coreConfigOf, extraTelemetryTopics, inputTopics, loadEffectiveConfig, resultsTopic, type EffectiveConfig } from './config/index.js';
import { execDriver, webhookDriver } from './actuator/drivers.js';
import { ActuatorRunner } from './actuator/runner.js';
import { encodeRecord } from './codec/index.js';
import { nodePrimitives } from './primitives.js';
import { loadCheckpointSigner } from './checkpoint-key.js';
import { kafkaForConfig, SERVICE_PREFLIGHT_BUDGET_MS } from './io/client.js';
import { checkpointTopicSpec, ensureTopics, topicSpecs } from './io/topics.js';
import { ProcessorRunner } from './kafka/runner.js';
import { toShellError } from './io/kafka-errors.js';
import { retryStartupStep } from './io/startup.js';
import type { ProcessingHaltedError } from './errors.js';
import type { Kafka } from './io/client.js';
import { createPlainProducer } from './io/produce.js';
import { logEvent } from './log-events.js';
import { ProcessorMetrics } from './metrics/metrics.js';
import { serveMetrics } from './metrics/server.js';

export interface ProcessOptions {
  configFile?: string;
  brokers?: string;
  appId?: string;
  groupId?: string;
  logFile?: string;
  /** Root of the tasks' local state stores (default DEFAULT_STATE_DIR). */
  stateDir?: string;
  /** Upper bound on inputs per transaction. */
  maxInputsPerTransaction?: number;
  env?: NodeJS.ProcessEnv;
  /** Serve /metrics, /healthz and /readyz on this port (0: any free port); none when undefined. */
  metricsPort?: number;
  /** The metrics server's address; loopback by default. */
  metricsHost?: string;
}

export interface RunningProcessor {
  effective: EffectiveConfig;
  logger: Logger;
  /** Settles only if processing halted on a permanent failure; the caller stops and exits non-zero. */
  halted: Promise<ProcessingHaltedError>;
  /** The port /metrics is served on, when --metrics-port was given. */
  metricsPort?: number;
  stop(): Promise<void>;
}

function createLogger(logFile: string | undefined, metrics: ProcessorMetrics | undefined, service = 'exoarmur-process'): Logger {
  const options = { base: { service, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  // Synchronous appends: the log is evidence, and a SIGKILL must not eat its tail.
  const destination = logFile ? pino.destination({ dest: logFile, append: true, mkdir: true, sync: true }) : pino.destination(1);
  if (metrics === undefined) return pino(options, destination);
  // The metrics count the same named log events the service log holds (metrics/metrics.ts).
  const tee = { write: (line: string) => metrics.observe(JSON.parse(line) as Record<string, unknown>) };
  return pino(options, pino.multistream([{ stream: destination }, { stream: tee }]));
}

async function publishConfigSnapshot(kafka: Kafka, effective: EffectiveConfig, logger: Logger): Promise<void> {
  const producer = createPlainProducer(kafka, { idempotent: true });
  await producer.connect();
  try {
    const encoded = encodeRecord('config', configSnapshot(effective, new Date().toISOString()));
    await producer.send({ topic: effective.config.topics.config, acks: -1, messages: [{ key: effective.config_hash, value: encoded.value, headers: encoded.headers }] });
  } finally {
    // Not awaited: a disconnect can wait on a request a dead broker never answers (the step's deadline covers the send).
    void producer.disconnect().catch(() => undefined);
  }
  logger.info({ ...logEvent('config_published'), config_hash: effective.config_hash, topic: effective.config.topics.config }, 'config snapshot published');
}

export async function startProcessor(options: ProcessOptions): Promise<RunningProcessor> {
  const flags: Record<string, unknown> = {};
  if (options.appId !== undefined) flags['app_id'] = options.appId;
  const effective = loadEffectiveConfig({ file: options.configFile, env: options.env ?? process.env, brokers: options.brokers, flags });
  const { config } = effective;
  const metrics = options.metricsPort === undefined ? undefined : new ProcessorMetrics(config.topics);
  const served = metrics === undefined ? undefined : await serveMetrics(metrics, options.metricsPort!, options.metricsHost ?? '127.0.0.1');
  const logger = createLogger(options.logFile, metrics);
  if (served !== undefined) logger.info({ ...logEvent('metrics_serving'), port: served.port, host: options.metricsHost ?? '127.0.0.1' }, 'serving /metrics, /healthz and /readyz');
  const groupId = options.groupId ?? config.app_id;
  const kafka = kafkaForConfig(effective, { clientId: `${config.app_id}-process`, logger, env: options.env ?? process.env, preflightBudgetMs: SERVICE_PREFLIGHT_BUDGET_MS });
  const { topics } = config;
  // The key is checked against the config before anything is written.
  const checkpoints = config.checkpoints ? { topic: config.checkpoints.topic, signer: loadCheckpointSigner(config.checkpoints) } : null;
  logger.info(
    { ...logEvent('starting'), config_hash: effective.config_hash, app_id: config.app_id, group_id: groupId, topics, guarantee: config.processing_guarantee },
    'starting',
  );

  await retryStartupStep(
    async () => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        // The actuator's own state topic is the actuator's to provision (a secure broker grants the processor nothing on it).
        const specs = topicSpecs({ partitions: config.partitions, overrides: config.topics, extraTelemetry: extraTelemetryTopics(config) }).filter(
          (spec) => spec.name !== actuatorStateTopic(config.topics),
        );
        if (config.checkpoints) specs.push(checkpointTopicSpec(config.checkpoints.topic, config.partitions));
        const report = await ensureTopics(admin, specs);
        logger.info({ ...logEvent('topics_ensured'), created: report.created }, 'topics ensured');
      } catch (error) {
        throw toShellError(error, 'ensuring topics', {});
      } finally {
        // Not awaited: a disconnect can wait on a request the dead broker never answers.
        void admin.disconnect().catch(() => undefined);
      }
    },
    { what: 'ensuring topics', logger },
  );
  await retryStartupStep(() => publishConfigSnapshot(kafka, effective, logger), { what: 'publishing the config snapshot', logger });

  let onHalt: (error: ProcessingHaltedError) => void = () => undefined;
  const halted = new Promise<ProcessingHaltedError>((resolve) => {
    onHalt = resolve;
  });
  const runner = new ProcessorRunner({
    onHalt: (error) => onHalt(error),
    kafka,
    core: coreConfigOf(effective),
    inputTopics: inputTopics(config),
    inputSpecs: config.inputs,
    primitives: nodePrimitives,
    appId: config.app_id,
    groupId,
    topics,
    guarantee: config.processing_guarantee,
    ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
    checkpoints,
    logger,
    maxInputsPerTransaction: options.maxInputsPerTransaction ?? 2000,
    partitionsConsumedConcurrently: Math.max(1, config.partitions),
  });
  await runner.start();
  const stop = async () => {
    await runner.stop();
    served?.server.close();
  };
  return { effective, logger, halted, stop, ...(served === undefined ? {} : { metricsPort: served.port }) };
}

export interface ActuateOptions {
  configFile?: string;
  brokers?: string;
  /** The actuator group (dedupe scope); default `<app_id>.actuator`. */
  groupId?: string;
  logFile?: string;
  driver: { kind: 'webhook'; url: string } | { kind: 'exec'; command: string };
  timeoutMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** The most intents of one partition attempted at once. */
  maxInFlight: number;
  env?: NodeJS.ProcessEnv;
}

export interface RunningActuator {
  logger: Logger;
  runner: ActuatorRunner;
  stop(): Promise<void>;
}

/** `exoarmur actuate`: the reference actuator over the execute topic (processor/actuator). */
export async function startActuator(options: ActuateOptions): Promise<RunningActuator> {
  const logger = createLogger(options.logFile, undefined, 'exoarmur-actuate');
  const effective = loadEffectiveConfig({ file: options.configFile, env: options.env ?? process.env, brokers: options.brokers });
  const { config } = effective;
  const kafka = kafkaForConfig(effective, { clientId: `${config.app_id}-actuate`, logger, env: options.env ?? process.env, preflightBudgetMs: SERVICE_PREFLIGHT_BUDGET_MS });
  const topics = { execute: config.topics.execute, results: resultsTopic(config.topics), state: actuatorStateTopic(config.topics) };
  const admin = kafka.admin();
  try {
    await admin.connect();
    const wanted = new Set([topics.execute, topics.results, topics.state]);
    await ensureTopics(
      admin,
      topicSpecs({ partitions: config.partitions, overrides: config.topics }).filter((spec) => wanted.has(spec.name)),
    );
  } catch (error) {
    throw toShellError(error, 'ensuring the actuator topics', {});
  } finally {
    await admin.disconnect();
  }
  const driver =
    options.driver.kind === 'webhook'
      ? webhookDriver({ url: options.driver.url, timeoutMs: options.timeoutMs })
      : execDriver({ command: options.driver.command, timeoutMs: options.timeoutMs });
  const runner = new ActuatorRunner(
    {
      kafka,
      groupId: options.groupId ?? `${config.app_id}.actuator`,
      topics,
      driver,
      maxAttempts: options.maxAttempts,
      backoffBaseMs: options.backoffBaseMs,
      backoffCapMs: options.backoffCapMs,
      maxInFlight: options.maxInFlight,
      now: () => new Date(),
    },
    logger,
  );
  await runner.start();
  return { logger, runner, stop: () => runner.stop() };
}
