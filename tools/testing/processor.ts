/**
 * Integration-test fixture for `exoarmur process`: a private set of topics (random prefix), a
 * config file naming them, a random app id (= group id and transactional id prefix), and helpers to
 * inject telemetry, run real processor children and wait — by polling — until every input is committed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { Kafka } from '../../processor/io/client.js';
import { createKafka } from '../../processor/io/client.js';
import { ensureTopics, topicSpecs, topicNames } from '../../processor/io/topics.js';
import { ProcessorChild, runCli } from '../lib/children.js';
import { committedShare, groupProgress } from '../../processor/io/offsets.js';
import { exactlyOnceViolations, readDecoded, readRunOutcomes, type RunOutcomes } from '../process/outcomes.js';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { readTopic } from '../../processor/io/read.js';
import { decodeTelemetry } from '../../processor/codec/index.js';
import { pollUntil } from '../lib/poll.js';
import { testBrokers, uniqueName } from './broker.js';
import type { Topics } from '../../processor/config/types.js';

export interface ProcessorFixture {
  brokers: string;
  appId: string;
  dir: string;
  configFile: string;
  topics: Topics;
  kafka: Kafka;
}

/** Every child a test starts is SIGKILLed at teardown if still running (a failed test leaves nothing behind). */
export function track(t: ExecutionContext, child: ProcessorChild): ProcessorChild {
  t.teardown(async () => {
    if (child.running) await child.kill('SIGKILL');
  });
  return child;
}

/** SIGTERM the child and assert it finished its transaction, left the group and exited 0. */
export async function stopCleanly(t: ExecutionContext, child: ProcessorChild): Promise<void> {
  const exit = await child.kill('SIGTERM');
  t.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, exit.stderr);
}

export async function processorFixture(name: string, brokers: string, extraConfig: Record<string, unknown> = {}): Promise<ProcessorFixture> {
  const prefix = `${uniqueName(name)}.`;
  const names = topicNames({ prefix });
  const topics = names;
  const dir = mkdtempSync(join(tmpdir(), `exoarmur-${name}-`));
  const appId = uniqueName(`${name}-app`);
  const config = {
    app_id: appId,
    brokers: brokers.split(','),
    partitions: 3,
    topics,
    ...extraConfig,
  };
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const kafka = createKafka({ brokers: brokers.split(','), clientId: `${name}-test` });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topicSpecs({ prefix, partitions: 3 }));
  } finally {
    await admin.disconnect();
  }
  return { brokers, appId, dir, configFile, topics, kafka };
}

/** Sends lines through `exoarmur inject` (a real child process) and returns its report. */
export async function injectViaCli(
  fixture: ProcessorFixture,
  lines: readonly string[],
  file = `inject-${Date.now()}-${Math.random().toString(36).slice(2)}.jsonl`,
): Promise<{ topic: string; sent: number; keyed: number; unkeyed: number }> {
  const path = join(fixture.dir, file);
  writeFileSync(path, `${lines.join('\n')}\n`);
  // Lines a test sends to be dead-lettered go unchecked (--raw); a file of valid events goes through inject's check.
  const raw = lines.some((line) => !decodeTelemetry(Buffer.from(line, 'utf8')).ok);
  const run = await runCli(['inject', path, '--topic', fixture.topics.telemetry, '--brokers', fixture.brokers, ...(raw ? ['--raw'] : [])]);
  return JSON.parse(run.stdout.trim()) as { topic: string; sent: number; keyed: number; unkeyed: number };
}

/** A fixture on the test broker (KAFKA_BROKERS) with `lines` already sent through `exoarmur inject`. */
export async function injectedFixture(name: string, lines: readonly string[], extraConfig: Record<string, unknown> = {}): Promise<ProcessorFixture> {
  const fixture = await processorFixture(name, testBrokers().join(','), extraConfig);
  await injectViaCli(fixture, lines);
  return fixture;
}

/** The fixture's default root of the processor's local state stores (a test may pass its own --state-dir). */
export function fixtureStateDir(fixture: ProcessorFixture): string {
  return join(fixture.dir, 'state');
}

/** Starts `exoarmur process` as a child on the fixture's broker, config and state directory; its log goes to `<dir>/<name>.log`. */
export function startProcessorChild(fixture: ProcessorFixture, name: string, args: string[] = []): ProcessorChild {
  const stateDir = args.includes('--state-dir') ? [] : ['--state-dir', fixtureStateDir(fixture)];
  return new ProcessorChild({ brokers: fixture.brokers, configFile: fixture.configFile, logFile: join(fixture.dir, `${name}.log`), args: [...stateDir, ...args] });
}

/** Injects `lines` through the CLI, runs one processor child until every input is committed, and stops it cleanly (asserted). */
export async function processToEnd(t: ExecutionContext, fixture: ProcessorFixture, lines: readonly string[], name = 'processor'): Promise<ProcessorChild> {
  await injectViaCli(fixture, lines);
  const processor = track(t, startProcessorChild(fixture, name));
  await waitAllCommitted(fixture);
  await stopCleanly(t, processor);
  return processor;
}

/** Inputs committed by the processor's group so far, and inputs present, summed over partitions. */
export async function inputProgress(fixture: ProcessorFixture): Promise<{ committed: bigint; total: bigint }> {
  return committedShare(await groupProgress(fixture.kafka, fixture.appId, [fixture.topics.telemetry, fixture.topics.operator_actions]));
}

/**
 * Polls until the group's committed offsets reach the end of every input partition. For
 * non-transactional inputs (inject, kcat) the end offset is exactly the number of deliveries.
 */
export async function waitAllCommitted(fixture: ProcessorFixture, timeoutMs = 90_000, processor?: ProcessorChild): Promise<void> {
  await pollUntil(
    async () => {
      const progress = await inputProgress(fixture);
      return progress.total > 0n && progress.committed >= progress.total;
    },
    { timeoutMs, intervalMs: 250, what: 'every input committed by the processor group', giveUp: exitedProcessor(processor) },
  );
}

/** Polls until at least `fraction` of the present inputs are committed. */
export async function waitCommittedFraction(fixture: ProcessorFixture, fraction: number, timeoutMs = 90_000, processor?: ProcessorChild): Promise<void> {
  await pollUntil(
    async () => {
      const progress = await inputProgress(fixture);
      return progress.total > 0n && Number(progress.committed) >= fraction * Number(progress.total);
    },
    { timeoutMs, intervalMs: 100, what: `${Math.round(fraction * 100)}% of inputs committed`, giveUp: exitedProcessor(processor) },
  );
}

/** A wait on the processor's progress ends at once, with its exit and last stderr lines, when the processor it waits on has exited. */
function exitedProcessor(processor: ProcessorChild | undefined): () => Error | undefined {
  return () => (processor === undefined || processor.running ? undefined : processor.exitedError());
}

export function readFixtureOutcomes(fixture: ProcessorFixture): Promise<RunOutcomes> {
  return readRunOutcomes(fixture.kafka, fixture.topics);
}

/** The fixture's committed outputs and every way they depart from exactly-once processing of every input, `lines` being the telemetry sent. */
export async function exactlyOnceCheck(fixture: ProcessorFixture, lines: readonly string[]): Promise<{ outcomes: RunOutcomes; violations: string[] }> {
  const outcomes = await readFixtureOutcomes(fixture);
  return { outcomes, violations: exactlyOnceViolations(outcomes, { uniqueKeys: uniqueEventKeys(lines), inputs: await inputCoordinates(fixture) }) };
}

/**
 * Stops `child` (SIGSTOP) and asks `found`; until it finds something the child is continued
 * (SIGCONT) and stopped again. Returns what it found, with the child left stopped.
 */
export async function stopWhen<T>(child: ProcessorChild, found: () => Promise<T | undefined>, what: string): Promise<T> {
  return pollUntil(
    async () => {
      child.signal('SIGSTOP');
      let value: T | undefined;
      try {
        value = await found();
      } finally {
        if (value === undefined) child.signal('SIGCONT');
      }
      return value;
    },
    { timeoutMs: 120_000, intervalMs: 50, what, giveUp: () => (child.running ? undefined : child.exitedError()) },
  );
}

/** The fixture's committed audit trail in (partition, seq) order. */
export async function readFixtureAudit(fixture: ProcessorFixture): Promise<AuditRecordV1[]> {
  const records = await readDecoded<AuditRecordV1>(fixture.kafka, fixture.topics.audit, 'audit');
  return records.sort((a, b) => a.input.partition - b.input.partition || a.seq - b.seq);
}

/** `topic/partition/offset` of every record in the input topics: each needs exactly one receipt. */
export async function inputCoordinates(fixture: ProcessorFixture): Promise<string[]> {
  const out: string[] = [];
  for (const topic of [fixture.topics.telemetry, fixture.topics.operator_actions]) {
    await readTopic(fixture.kafka, { topic, onRecord: ({ partition, message }) => out.push(`${topic}/${partition}/${message.offset}`) });
  }
  return out;
}

/** Idempotency keys (`tenant_id:event_id`) of the distinct valid telemetry events among `lines`. */
export function uniqueEventKeys(lines: readonly string[]): Set<string> {
  const keys = new Set<string>();
  for (const line of lines) {
    if (decodeTelemetry(Buffer.from(line, 'utf8')).ok) {
      const event = JSON.parse(line) as { tenant_id: string; event_id: string };
      keys.add(`${event.tenant_id}:${event.event_id}`);
    }
  }
  return keys;
}
