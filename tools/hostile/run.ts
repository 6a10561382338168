/**
 * Replays the hostile corpus on a real broker through a real `exoarmur process` child: fresh
 * topics (run-id prefix), the corpus's operator registry in the config, the first phase (setup and
 * everything that needs no state), then the operator actions aimed at the setup's approvals. The
 * processor must keep running through all of it and stop cleanly; then every record is judged from
 * the committed outputs and the report (table included) is written to `<out>/<run_id>/`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ulid } from 'ulid';
import { decodeRecord } from '../../processor/codec/index.js';
import type { DeadLetterV1 } from '../../processor/core/types.js';
import { ExoArmurError } from '../../processor/errors.js';
import { createKafka, withAdmin, type Kafka } from '../../processor/io/client.js';
import { committedShare, groupProgress } from '../../processor/io/offsets.js';
import { createPlainProducer } from '../../processor/io/produce.js';
import { readTopic } from '../../processor/io/read.js';
import { ensureTopics, topicSpecs, type TopicSpec } from '../../processor/io/topics.js';
import { pollUntil } from '../lib/poll.js';
import { ProcessorChild } from '../lib/children.js';
import { exactlyOnceViolations, readRunOutcomes } from '../process/outcomes.js';
import { appIdForRun, runPrefix, topicsForRun } from '../reality/naming.js';
import { CORPUS_RECORD_TIME_MS, PARTITIONS, type Phase } from './corpus.js';
import { classTable, observe, tableMarkdown, type ClassRow, type Observation, type SentRecord } from './evaluate.js';
import { generateCorpus } from './generate.js';

export interface HostileRunOptions {
  brokers: string[];
  seed: number;
  /** The report goes to `<outDir>/<run_id>/`. */
  outDir: string;
}

export interface HostileReport {
  run_id: string;
  seed: number;
  records: number;
  table: ClassRow[];
  /** Whole-run checks: one receipt per delivery, gapless verifying chains, a dead letter per rejection. */
  violations: string[];
  /** The processor's exit after SIGTERM (0 = it finished its transaction and left cleanly). */
  processor_exit: { code: number | null; signal: string | null; restarts: 0 };
  mismatches: Observation[];
  observations: Observation[];
}

async function send(kafka: Kafka, topics: ReturnType<typeof topicsForRun>, records: ReturnType<typeof generateCorpus>['records']): Promise<SentRecord[]> {
  const producer = createPlainProducer(kafka, { idempotent: true });
  await producer.connect();
  const sent: SentRecord[] = [];
  try {
    for (const record of records) {
      const topic = topics[record.topic];
      const [meta] = await producer.send({
        topic,
        acks: -1,
        messages: [{ partition: record.partition, key: record.key, value: record.value, headers: record.headers, timestamp: String(CORPUS_RECORD_TIME_MS) }],
      });
      sent.push({ record, topic, partition: record.partition, offset: meta!.baseOffset! });
    }
  } finally {
    await producer.disconnect();
  }
  return sent;
}

/**
 * The run's topics, its inputs keeping their records: every corpus record carries CORPUS_RECORD_TIME_MS,
 * a fixed past time, and a broker's time retention counts from the record's timestamp, so the default
 * 7 days deleted a run's inputs at the broker's next retention check (every 5 minutes), mid-run.
 */
function runTopicSpecs(runId: string): TopicSpec[] {
  return topicSpecs({ prefix: runPrefix(runId), partitions: PARTITIONS }).map((spec) =>
    spec.role === 'telemetry' || spec.role === 'operator_actions' ? { ...spec, configs: { ...spec.configs, 'retention.ms': '-1' } } : spec,
  );
}

/** Polls until the group committed every input; fails at once, naming the processor's last words, if the processor exits. */
async function waitCommitted(kafka: Kafka, appId: string, inputs: string[], processor: ProcessorChild): Promise<void> {
  let exited = false;
  const exit = processor.exited.then((run) => {
    exited = true;
    throw new ExoArmurError('PROCESSOR_EXITED', `the processor exited ${run.code ?? run.signal} on hostile input: ${run.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  });
  const committed = pollUntil(
    async () => {
      if (exited) return true;
      const share = committedShare(await groupProgress(kafka, appId, inputs));
      return share.total > 0n && share.committed >= share.total;
    },
    { timeoutMs: 180_000, intervalMs: 250, what: 'every hostile input committed by the processor' },
  );
  await Promise.race([committed, exit]);
  exit.catch(() => undefined);
}

async function readDeadLetters(kafka: Kafka, topic: string): Promise<DeadLetterV1[]> {
  const out: DeadLetterV1[] = [];
  await readTopic(kafka, {
    topic,
    onRecord: ({ message }) => {
      const decoded = decodeRecord('dlq', message.value, message.headers);
      if (!decoded.ok) throw new ExoArmurError('OUTCOME_RECORD_UNDECODABLE', `${topic}@${message.offset}: ${decoded.reason}`);
      out.push(decoded.value as DeadLetterV1);
    },
  });
  return out;
}

export async function runHostile(options: HostileRunOptions): Promise<{ report: HostileReport; dir: string }> {
  const runId = ulid();
  const dir = resolve(options.outDir, runId);
  mkdirSync(dir, { recursive: true });
  const corpus = generateCorpus(options.seed);
  const topics = topicsForRun(runId);
  const appId = appIdForRun(runId);
  const kafka = createKafka({ brokers: options.brokers, clientId: `hostile-${runId}` });
  await withAdmin(kafka, (admin) => ensureTopics(admin, runTopicSpecs(runId)));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, `${JSON.stringify({ app_id: appId, partitions: PARTITIONS, topics, ...corpus.config }, null, 2)}\n`);

  const processor = new ProcessorChild({ brokers: options.brokers.join(','), configFile, logFile: join(dir, 'service.log') });
  const inputs = [topics.telemetry, topics.operator_actions];
  const sent: SentRecord[] = [];
  let exit;
  try {
    for (const phase of ['first', 'actions'] satisfies Phase[]) {
      sent.push(
        ...(await send(
          kafka,
          topics,
          corpus.records.filter((r) => r.phase === phase),
        )),
      );
      await waitCommitted(kafka, appId, inputs, processor);
    }
  } finally {
    exit = await processor.kill('SIGTERM');
  }

  const outcomes = await readRunOutcomes(kafka, topics);
  const letters = await readDeadLetters(kafka, topics.dlq);
  const observations = observe(sent, outcomes.audit, letters);
  const everyInput = sent.map((s) => `${s.topic}/${s.partition}/${s.offset}`);
  const violations = exactlyOnceViolations(outcomes, { uniqueKeys: new Set(), inputs: everyInput });
  if (exit.code !== 0) violations.push(`the processor exited ${exit.code ?? exit.signal} after SIGTERM: ${exit.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  const report: HostileReport = {
    run_id: runId,
    seed: options.seed,
    records: sent.length,
    table: classTable(observations),
    violations,
    processor_exit: { code: exit.code, signal: exit.signal, restarts: 0 },
    mismatches: observations.filter((o) => o.problem !== ''),
    observations,
  };
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, 'report.md'), hostileSummary(report));
  return { report, dir };
}

/** The table and the verdict, as report.md holds them and the CLI prints them. */
export function hostileSummary(report: HostileReport): string {
  const verdict = report.mismatches.length === 0 && report.violations.length === 0 ? 'PASS' : 'FAIL';
  const first = report.mismatches[0];
  return [
    `# Hostile input ${report.run_id} (seed ${report.seed}): ${report.records} records, ${verdict}`,
    '',
    tableMarkdown(report.table),
    ...report.violations.map((v) => `violation: ${v}`),
    ...(first === undefined ? [] : [`first mismatch: ${first.class} / ${first.name} at ${first.at}: ${first.problem}`]),
    '',
  ].join('\n');
}
