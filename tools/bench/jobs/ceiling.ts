/**
 * The ceiling row: the output shape of the exactly_once catch-up run just measured (records per
 * input per output topic and inputs per transaction from its log, key and value sizes and headers
 * from its output topics), replayed by the bare kafkajs loop of ceiling.ts over the same input
 * topic on the same broker; every catch-up row then gets its ratio to it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTopic } from '../../../processor/io/read.js';
import { row, topicsFor, type Context } from '../context.js';
import { runCeiling, type OutputShape, type RoleShape } from '../ceiling.js';
import { ensureRunTopics } from '../processor-run.js';
import { ratePerSecond, ratio } from '../stats.js';
import { machineRow, type CatchUpPair } from './catch-up.js';

const ROLES = ['audit', 'execute', 'dlq', 'state'] as const;
const SAMPLE = 2_000;

/** Output records per role and inputs per transaction, from the run's batch_committed log events. */
function countsFromLog(logFile: string): { inputs: number; batches: number; outputs: Record<string, number> } {
  let inputs = 0;
  let batches = 0;
  const outputs: Record<string, number> = {};
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"batch_committed"')) continue;
    const entry = JSON.parse(line) as { inputs: number; outputs: Record<string, number> };
    inputs += entry.inputs;
    batches += 1;
    for (const [role, count] of Object.entries(entry.outputs)) outputs[role] = (outputs[role] ?? 0) + count;
  }
  return { inputs, batches, outputs };
}

/** Average key and value bytes and the headers of up to SAMPLE records of a topic's partition 0. */
async function sampleTopic(ctx: Context, topic: string): Promise<{ keyBytes: number; valueBytes: number; headers: Record<string, Buffer> }> {
  let keyBytes = 0;
  let valueBytes = 0;
  let count = 0;
  let headers: Record<string, Buffer> = {};
  await readTopic(ctx.kafka, {
    topic,
    partitions: [0],
    limit: SAMPLE,
    purpose: 'ceiling shape sample',
    onRecord: ({ message }) => {
      count += 1;
      keyBytes += message.key?.length ?? 0;
      valueBytes += message.value?.length ?? 0;
      if (count === 1) headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, Buffer.from(value as Buffer)]));
    },
  });
  return count === 0 ? { keyBytes: 0, valueBytes: 0, headers } : { keyBytes: keyBytes / count, valueBytes: valueBytes / count, headers };
}

export async function measureShape(ctx: Context, pair: CatchUpPair, outputTopics: Record<(typeof ROLES)[number], string>): Promise<OutputShape> {
  const { eos } = pair;
  const counts = countsFromLog(join(eos.dir, `${eos.name}.0.log`));
  const roles: RoleShape[] = [];
  for (const role of ROLES) {
    const records = counts.outputs[role] ?? 0;
    if (records === 0) continue;
    const sample = await sampleTopic(ctx, eos.topics[role]);
    roles.push({ role, topic: outputTopics[role], recordsPerInput: records / counts.inputs, ...sample });
  }
  return { roles, inputsPerTransaction: eos.maxInputsPerTransaction };
}

export async function ceiling(ctx: Context, pair: CatchUpPair) {
  const name = `${pair.eos.name}-ceiling`;
  const topics = topicsFor(ctx, name);
  await ensureRunTopics(ctx.kafka, topics, ctx.options.partitions);
  const shape = await measureShape(ctx, pair, topics);
  const result = await runCeiling(ctx.kafka, {
    inputTopic: pair.eos.topics.telemetry,
    partitions: ctx.options.partitions,
    events: pair.size,
    shape,
    appId: `bench-${ctx.runId.toLowerCase()}-${name}`,
    timeoutMs: Math.max(180_000, pair.size * 2),
  });
  const perSecond = ratePerSecond(result.inputs, result.elapsedMs);
  const steady = ratePerSecond(result.inputs - result.committedAtFirstCommit, result.elapsedMs - result.firstCommitMs);
  const shapeText = shape.roles.map((r) => `${r.role} ${r.recordsPerInput.toFixed(2)}/input × ${Math.round(r.valueBytes)} B`).join(', ');
  const command = `bare kafkajs consume-transform-produce (tools/bench/ceiling.ts) over ${pair.eos.topics.telemetry}: ${shapeText}; ≤ ${shape.inputsPerTransaction} inputs/transaction`;
  const measurement = 'ceiling (bare kafkajs loop, processor output shape)';
  row(ctx, { measurement, figure: 'inputs/s (start → all committed)', value: perSecond, unit: 'inputs/s', n: pair.size, command });
  row(ctx, { measurement, figure: 'steady-state inputs/s (after first commit)', value: steady, unit: 'inputs/s', n: pair.size, command });
  row(ctx, { measurement, figure: 'output records/s', value: ratePerSecond(result.outputs, result.elapsedMs), unit: 'records/s', n: result.outputs, command });
  row(ctx, { measurement, figure: 'CPU per 1k inputs (user+sys, bench process)', value: Math.round((result.cpuMs / result.inputs) * 1000), unit: 'ms', n: pair.size, command });
  machineRow(ctx, measurement, result.machine, pair.size, command);
  for (const guarantee of ['at_least_once', 'exactly_once'] as const) {
    const run = pair.results[guarantee];
    row(ctx, {
      measurement: `catch-up ${guarantee}`,
      figure: 'events/s ÷ ceiling inputs/s',
      value: ratio(run.events_per_s, perSecond),
      unit: '×',
      n: pair.size,
      command: 'ratio of two rows',
    });
    row(ctx, {
      measurement: `catch-up ${guarantee}`,
      figure: 'steady events/s ÷ ceiling steady inputs/s',
      value: ratio(run.steady_events_per_s, steady),
      unit: '×',
      n: pair.size,
      command: 'ratio of two rows',
    });
    // CPU per input barely moves with other load on the machine, so this ratio holds on a busy one too.
    row(ctx, {
      measurement: `catch-up ${guarantee}`,
      figure: 'ceiling CPU per 1k ÷ processor CPU per 1k',
      value: ratio((result.cpuMs / result.inputs) * 1000, run.processor_cpu_ms_per_1k_events),
      unit: '×',
      n: pair.size,
      command: 'ratio of two rows',
    });
  }
  return {
    shape: shape.roles.map((r) => ({ role: r.role, records_per_input: r.recordsPerInput, key_bytes: r.keyBytes, value_bytes: r.valueBytes, headers: Object.keys(r.headers) })),
    inputs_per_transaction: shape.inputsPerTransaction,
    inputs: result.inputs,
    outputs: result.outputs,
    transactions: result.transactions,
    elapsed_ms: result.elapsedMs,
    inputs_per_s: perSecond,
    steady_inputs_per_s: steady,
    cpu_ms_per_1k_inputs: Math.round((result.cpuMs / result.inputs) * 1000),
    machine_cpu: result.machine,
  };
}
