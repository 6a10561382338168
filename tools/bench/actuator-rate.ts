/**
 * How many intents per second the reference actuator performs end to end on a real broker: N
 * released intents on a fresh execute topic, the loopback webhook receiver (tools/actuate/receiver.ts)
 * and `exoarmur actuate` as a child process; the clock runs from the actuator's start to the last
 * result read back (so it includes the actuator's start-up, state restore and group join).
 *
 *   KAFKA_BROKERS=host:port node dist/tools/bench/actuator-rate.js [--intents 300] [--partitions 3] [-- actuate flags...]
 *
 * Flags after `--` go to `exoarmur actuate` unchanged (e.g. `--max-in-flight 1`). It also checks
 * what the speed must not cost: one result per intent and one applied effect per Idempotency-Key.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ulid } from 'ulid';
import { encodeRecord } from '../../processor/codec/index.js';
import { brokersFromEnvironment } from '../../processor/config/index.js';
import type { ExecutionIntentV1, ExecutionResultV1 } from '../../processor/core/types.js';
import { UsageError } from '../../processor/errors.js';
import { createKafka } from '../../processor/io/client.js';
import { ensureTopics, topicNames, topicSpecs } from '../../processor/io/topics.js';
import { receivedRequests, receiverCounts, startReceiver } from '../actuate/receiver.js';
import { CliChild } from '../lib/children.js';
import { pollUntil } from '../lib/poll.js';
import { readDecoded } from '../process/outcomes.js';

const { values, positionals } = parseArgs({
  options: { intents: { type: 'string', default: '300' }, partitions: { type: 'string', default: '3' } },
  allowPositionals: true,
});
const count = Number(values.intents);
const partitions = Number(values.partitions);
const brokers = brokersFromEnvironment(process.env);
if (brokers === undefined) throw new UsageError('BROKERS_MISSING', 'set KAFKA_BROKERS=host:port (e.g. tools/broker/with-test-broker.sh node dist/tools/bench/actuator-rate.js)');

const runId = `actbench-${ulid().toLowerCase()}`;
const topics = topicNames({ prefix: `${runId}.` });
const kafka = createKafka({ brokers, clientId: runId });
const admin = kafka.admin();
await admin.connect();
await ensureTopics(
  admin,
  topicSpecs({ prefix: `${runId}.`, partitions }).filter((s) => [topics.execute, topics.results, topics.actuator_state].includes(s.name)),
);
await admin.disconnect();
const dir = mkdtempSync(join(tmpdir(), 'exoarmur-actuator-rate-'));
const configFile = join(dir, 'config.json');
writeFileSync(configFile, JSON.stringify({ app_id: runId, partitions, topics }));
const requestLog = join(dir, 'requests.jsonl');
const receiver = await startReceiver({ host: '127.0.0.1', port: 0, logFile: requestLog });

const intents: ExecutionIntentV1[] = Array.from({ length: count }, (_, i) => ({
  intent_id: `${runId}-${String(i).padStart(6, '0')}`,
  intent_hash: i.toString(16).padStart(64, '0'),
  tenant_id: 'bench',
  correlation_id: `host:bench-${i}`,
  trace_id: `trace-${i}`,
  subject: `bench-${i}`,
  action_class: 'A2_hard_containment',
  intent_type: 'isolate',
  claim_type: 'bench:isolate',
  released_by: { rule: 'SG-403', approval_id: null, approvers: [] },
  event_time: '2026-03-01T10:00:00.000Z',
  config_hash: 'c'.repeat(64),
  source_audit_id: `${runId}-audit-${i}`,
}));
const producer = kafka.producer({ idempotent: true });
await producer.connect();
await producer.send({
  topic: topics.execute,
  acks: -1,
  messages: intents.map((intent, i) => {
    const encoded = encodeRecord('execute', intent);
    return { partition: i % partitions, key: intent.subject, value: encoded.value, headers: encoded.headers };
  }),
});
await producer.disconnect();

const startedMs = Date.now();
const actuator = new CliChild([
  'actuate',
  '--config',
  configFile,
  '--brokers',
  brokers.join(','),
  '--driver',
  'webhook',
  '--url',
  `http://127.0.0.1:${receiver.port}/bench`,
  '--log-file',
  join(dir, 'actuate.log'),
  ...positionals,
]);
try {
  const results = await pollUntil(
    async () => {
      const read = await readDecoded<ExecutionResultV1>(kafka, topics.results, 'result');
      return read.length >= count ? read : undefined;
    },
    {
      timeoutMs: 900_000,
      intervalMs: 250,
      what: `${count} execution results`,
      giveUp: () => (actuator.running ? undefined : new Error(`the actuator exited: ${actuator.output.stderr}`)),
    },
  );
  const seconds = (Date.now() - startedMs) / 1000;
  const counts = receiverCounts(receivedRequests(readFileSync(requestLog, 'utf8')));
  const applied = Object.values(counts.per_key).filter((k) => k.applied === 1).length;
  const distinct = new Set(results.map((r) => r.intent_id)).size;
  process.stdout.write(
    `${JSON.stringify({
      intents: count,
      partitions,
      actuate_flags: positionals.join(' '),
      seconds: Math.round(seconds * 10) / 10,
      intents_per_s: Math.round((count / seconds) * 10) / 10,
      results: results.length,
      distinct_results: distinct,
      succeeded: results.filter((r) => r.outcome === 'succeeded').length,
      requests: counts.requests,
      keys_applied_once: applied,
    })}\n`,
  );
  if (results.length !== count || distinct !== count || applied !== count) process.exitCode = 1;
} finally {
  await actuator.kill('SIGTERM');
  receiver.server.close();
  rmSync(dir, { recursive: true, force: true });
}
