/**
 * Catch-up benchmark: pre-load N telemetry events on 3 partitions of fresh topics, then start one
 * `exoarmur process` and time it until every input is committed.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 node dist/tools/process/catchup-bench.js [--events 100000]
 *     [--max-inputs-per-transaction 2000] [--guarantee exactly_once|at_least_once]
 *
 * Prints one JSON line: events, wall time from spawn and from the first committed batch, events/s.
 */
import { parseArgs } from 'node:util';
import { brokersFromEnv } from '../../processor/kafka/client.js';
import { injectLines } from '../inject/inject.js';
import { inputProgress, logEntries, processorFixture, startProcessorChild, waitAllCommitted } from '../testing/processor.js';
import { syntheticTelemetry } from './synthetic.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    'max-inputs-per-transaction': { type: 'string', default: '2000' },
    guarantee: { type: 'string', default: 'exactly_once' },
  },
});
const events = Number(values.events);
const guarantee = values.guarantee === 'at_least_once' ? 'at_least_once' : 'exactly_once';
const brokers = brokersFromEnv().join(',');
const fixture = await processorFixture('bench', brokers, { processing_guarantee: guarantee });
const loadStarted = Date.now();
await injectLines(fixture.kafka, fixture.topics.telemetry, syntheticTelemetry({ count: events, tenants: 5, hosts: 500 }), 5000);
const loadMs = Date.now() - loadStarted;

const spawned = Date.now();
const processor = startProcessorChild(fixture, 'bench', ['--max-inputs-per-transaction', values['max-inputs-per-transaction']]);
try {
  await waitAllCommitted(fixture, 30 * 60_000);
  const doneAt = Date.now();
  const batches = logEntries(fixture, 'bench', 'batch committed');
  const firstBatchAt = Math.min(...batches.map((b) => Date.parse(String(b['time']))));
  const firstBatchStartMs = Number(batches.find((b) => Date.parse(String(b['time'])) === firstBatchAt)?.['txn_ms'] ?? 0);
  const progress = await inputProgress(fixture);
  const fromSpawnMs = doneAt - spawned;
  const steadyMs = doneAt - firstBatchAt;
  process.stdout.write(
    `${JSON.stringify({
      events,
      committed: Number(progress.committed),
      guarantee,
      max_inputs_per_transaction: Number(values['max-inputs-per-transaction']),
      transactions: batches.length,
      preload_ms: loadMs,
      wall_ms_from_spawn: fromSpawnMs,
      wall_ms_from_first_commit: steadyMs,
      events_per_s_from_spawn: Math.round(events / (fromSpawnMs / 1000)),
      events_per_s_steady: Math.round(events / ((steadyMs + firstBatchStartMs) / 1000)),
      log: `${fixture.dir}/bench.log`,
    })}\n`,
  );
} finally {
  await processor.kill('SIGTERM');
}
