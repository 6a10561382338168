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
import { createKafka, saslFromConfig } from './io/client.js';
import { ensureTopics, topicSpecs } from './io/topics.js';
import { ProcessorRunner } from './kafka/runner.js';
import { toShellError } from './io/kafka-errors.js';
import type { ProcessingHaltedError } from './errors.js';
import type { Kafka } from './io/client.js';
import { createPlainProducer } from './io/produce.js';
import { logEvent } from './log-events.js';

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
}

export interface RunningProcessor {
  effective: EffectiveConfig;
  logger: Logger;
  /** Settles only if processing halted on a permanent failure; the caller stops and exits non-zero. */
  halted: Promise<ProcessingHaltedError>;
  stop(): Promise<void>;
}

function createLogger(logFile: string | undefined, service = 'exoarmur-process'): Logger {
  const base = { service, pid: process.pid };
  if (!logFile) return pino({ base, timestamp: pino.stdTimeFunctions.isoTime });
  // Synchronous appends: the log is evidence, and a SIGKILL must not eat its tail.
  return pino({ base, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: logFile, append: true, mkdir: true, sync: true }));
}

async function publishConfigSnapshot(kafka: Kafka, effective: EffectiveConfig, logger: Logger): Promise<void> {
  const producer = createPlainProducer(kafka, { idempotent: true });
  await producer.connect();
  try {
    const encoded = encodeRecord('config', configSnapshot(effective, new Date().toISOString()));
    await producer.send({ topic: effective.config.topics.config, acks: -1, messages: [{ key: effective.config_hash, value: encoded.value, headers: encoded.headers }] });
  } finally {
    await producer.disconnect();
  }
  logger.info({ ...logEvent('config_published'), config_hash: effective.config_hash, topic: effective.config.topics.config }, 'config snapshot published');
}

export async function startProcessor(options: ProcessOptions): Promise<RunningProcessor> {
  const logger = createLogger(options.logFile);
  const flags: Record<string, unknown> = {};
  if (options.appId !== undefined) flags['app_id'] = options.appId;
  const effective = loadEffectiveConfig({ file: options.configFile, env: options.env ?? process.env, brokers: options.brokers, flags });
  const { config } = effective;
  const groupId = options.groupId ?? config.app_id;
  const sasl = saslFromConfig(config.broker_auth, effective.secrets.broker_password);
  const kafka = createKafka({ brokers: config.brokers, clientId: `${config.app_id}-process`, logger, ...(sasl === undefined ? {} : { sasl }) });
  const { topics } = config;
  logger.info(
    { ...logEvent('starting'), config_hash: effective.config_hash, app_id: config.app_id, group_id: groupId, topics, guarantee: config.processing_guarantee },
    'starting',
  );

  const admin = kafka.admin();
  try {
    await admin.connect();
    const report = await ensureTopics(admin, topicSpecs({ partitions: config.partitions, overrides: config.topics, extraTelemetry: extraTelemetryTopics(config) }));
    logger.info({ ...logEvent('topics_ensured'), created: report.created }, 'topics ensured');
  } catch (error) {
    throw toShellError(error, 'ensuring topics', {});
  } finally {
    await admin.disconnect();
  }
  await publishConfigSnapshot(kafka, effective, logger);

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
    logger,
    maxInputsPerTransaction: options.maxInputsPerTransaction ?? 2000,
    partitionsConsumedConcurrently: Math.max(1, config.partitions),
  });
  await runner.start();
  return { effective, logger, halted, stop: () => runner.stop() };
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
  env?: NodeJS.ProcessEnv;
}

export interface RunningActuator {
  logger: Logger;
  runner: ActuatorRunner;
  stop(): Promise<void>;
}

/** `exoarmur actuate`: the reference actuator over the execute topic (processor/actuator). */
export async function startActuator(options: ActuateOptions): Promise<RunningActuator> {
  const logger = createLogger(options.logFile, 'exoarmur-actuate');
  const effective = loadEffectiveConfig({ file: options.configFile, env: options.env ?? process.env, brokers: options.brokers });
  const { config } = effective;
  const sasl = saslFromConfig(config.broker_auth, effective.secrets.broker_password);
  const kafka = createKafka({ brokers: config.brokers, clientId: `${config.app_id}-actuate`, logger, ...(sasl === undefined ? {} : { sasl }) });
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
      now: () => new Date(),
    },
    logger,
  );
  await runner.start();
  return { logger, runner, stop: () => runner.stop() };
}
