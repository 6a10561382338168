/**
 * In-process micro-benchmark of the shell's per-record work without a broker: the processor's own
 * batch loop (processor/engine/batch.ts: decode, step, apply state, Avro encode, per-transaction
 * state coalescing), one batch per chunk. Instruction-level changes show here even on a busy
 * machine, where broker runs are noise.
 *
 *   node dist/tools/bench/core-micro.js [--events 20000] [--rounds 3] [--chunk 500] [--unique-correlation]
 *
 * `--unique-correlation` gives every event its own correlation id (state that only expiry bounds).
 *
 * Inputs are deterministic (fixed event ids, process_time and Kafka timestamps), so the printed
 * `output_sha256` over every encoded key, value and header must stay the same across a change
 * that claims to keep the outputs byte-identical.
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { buildEffectiveConfig, coreConfigOf, DEFAULT_CONFIG } from '../../processor/config/index.js';
import { encodeUlid } from '../../processor/core/ids.js';
import type { StateValue } from '../../processor/core/index.js';
import { driveBatch, type BatchInput } from '../../processor/engine/batch.js';
import { nodePrimitives } from '../../processor/primitives.js';
import { syntheticTelemetry } from '../process/synthetic.js';
import { BENCH_SHAPE } from './telemetry.js';

const FIRST_EVENT_MS = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const PROCESS_TIME = '2026-01-03T00:00:00.000Z';

/** The bench data set (tools/bench/telemetry.ts) with deterministic event ids. */
function events(count: number, uniqueCorrelation: boolean): Buffer[] {
  return syntheticTelemetry({
    count,
    startMs: FIRST_EVENT_MS,
    ...BENCH_SHAPE,
    eventId: (i, observedMs) => encodeUlid(observedMs, i.toString(16).padStart(20, '0')),
    // One in eight events carries its own correlation id (state that only expiry removes).
    correlationId: (i, host) => (uniqueCorrelation || i % 8 === 0 ? `corr-once-${i}` : `corr-${host}`),
  }).map((line) => Buffer.from(line, 'utf8'));
}

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    chunk: { type: 'string', default: '500' },
    'unique-correlation': { type: 'boolean', default: false },
  },
});
const count = Number(values.events);
const chunk = Number(values.chunk);
// The defaults plus a broker (the defaults name none): the config the output digest was first taken with.
const core = coreConfigOf(buildEffectiveConfig({ ...DEFAULT_CONFIG, brokers: ['localhost:9092'] }));
const values_ = events(count, values['unique-correlation'] === true);

for (let round = 0; round < Number(values.rounds); round += 1) {
  const state = new Map<string, StateValue>();
  const digest = createHash('sha256');
  let outputs = 0;
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  for (let from = 0; from < count; from += chunk) {
    const inputs: BatchInput[] = [];
    for (let i = from; i < Math.min(count, from + chunk); i += 1) {
      inputs.push({
        source: 'telemetry',
        message: { topic: 'exoarmur.telemetry.v1', partition: 0, offset: String(i), key: null, value: values_[i]!, timestamp: String(FIRST_EVENT_MS + i * 1000) },
        processTime: PROCESS_TIME,
        config: core,
      });
    }
    const { encoded } = driveBatch(state, inputs, nodePrimitives, { encode: true });
    outputs += encoded.length;
    for (const e of encoded) {
      digest.update(`${e.key}\n${JSON.stringify(e.headers)}\n`);
      if (e.value !== null) digest.update(e.value);
      digest.update('\n');
    }
  }
  const totalMs = Number(process.hrtime.bigint() - started) / 1e6;
  // CPU time (user + system, every thread of the process) is what a shared, busy machine does not distort.
  const cpu = process.cpuUsage(cpuStarted);
  // With --expose-gc the heap figure is what the state keeps, not garbage awaiting collection.
  (globalThis as { gc?: () => void }).gc?.();
  process.stdout.write(
    `${JSON.stringify({
      round,
      events: count,
      outputs,
      state_keys: state.size,
      events_per_s: Math.round(count / (totalMs / 1000)),
      us_per_event: Math.round(((totalMs * 1000) / count) * 10) / 10,
      cpu_us_per_event: Math.round(((cpu.user + cpu.system) / count) * 10) / 10,
      collective_keys: [...state.keys()].filter((k) => k.startsWith('collective/')).length,
      heap_mb: Math.round(process.memoryUsage().heapUsed / 1048576),
      output_sha256: digest.digest('hex'),
    })}\n`,
  );
}
