/**
 * The reference actuator on the real broker (issue 15, deliverable 5): a loopback HTTP receiver
 * that applies each Idempotency-Key's effect once and counts every request; the actuator is
 * SIGKILLed in the middle of requests several times and restarted. Every intent ends with exactly
 * one result, every key had exactly one effect, every repeated request carried its intent's key,
 * and an endpoint that keeps failing ends in gave_up after the attempt budget, never retried forever.
 */
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRecord } from '../../processor/codec/index.js';
import type { ExecutionIntentV1, ExecutionResultV1 } from '../../processor/core/types.js';
import { ensureTopics, topicNames, topicSpecs } from '../../processor/io/topics.js';
import { CliChild } from '../lib/children.js';
import { pollUntil } from '../lib/poll.js';
import { readDecoded } from '../process/outcomes.js';
import { testBrokers, testKafka, uniqueName } from '../testing/broker.js';

const INTENTS = 12;
/**
 * One more than the kills: a healthy intent whose attempt every kill interrupted still has one left
 * (the actuator starts a chunk's requests together, so a kill interrupts every request in flight).
 */
const MAX_ATTEMPTS = 4;
/** Request numbers (1-based, over requests to healthy subjects) during which the actuator is SIGKILLed. */
const KILL_AT = new Set([2, 5, 9]);

function intentOf(i: number, runId: string): ExecutionIntentV1 {
  const subject = i === 0 ? 'always-fails' : `host-${i}`;
  return {
    intent_id: `${runId}-intent-${String(i).padStart(2, '0')}`,
    intent_hash: String(i).padStart(64, '0'),
    tenant_id: 'acme',
    correlation_id: `host:${subject}`,
    trace_id: `trace-${i}`,
    subject,
    action_class: 'A2_hard_containment',
    intent_type: 'isolate',
    claim_type: 'suricata:1:2045001',
    released_by: { rule: 'SG-403', approval_id: null, approvers: [] },
    event_time: '2026-03-01T10:00:00.000Z',
    config_hash: 'c'.repeat(64),
    source_audit_id: `${runId}-audit-${i}`,
  };
}

test('kill -9 mid-request, three times: one result and one effect per intent, repeats carry the same key, a failing endpoint gives up', async (t) => {
  t.timeout(240_000);
  const runId = uniqueName('act');
  const topics = topicNames({ prefix: `${runId}.` });
  const kafka = testKafka();
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(
    admin,
    topicSpecs({ prefix: `${runId}.`, partitions: 3 }).filter((s) => [topics.execute, topics.results, topics.actuator_state].includes(s.name)),
  );
  await admin.disconnect();
  const dir = mkdtempSync(join(tmpdir(), 'exoarmur-actuate-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ app_id: runId, partitions: 3, topics }));

  // The receiver: applies a key's effect on its first request, answers repeats from memory.
  const effects = new Map<string, number>();
  const requests: { key: string | undefined; intentId: string; attempt: string | undefined }[] = [];
  let healthyRequests = 0;
  let actuator: CliChild | undefined;
  let kills = 0;
  const start = (): CliChild =>
    new CliChild([
      'actuate',
      '--config',
      configFile,
      '--brokers',
      testBrokers().join(','),
      '--driver',
      'webhook',
      '--url',
      url,
      '--timeout-ms',
      '3000',
      '--max-attempts',
      String(MAX_ATTEMPTS),
      '--backoff-ms',
      '100',
      '--log-file',
      join(dir, 'actuate.log'),
    ]);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const intent = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExecutionIntentV1;
      const key = req.headers['idempotency-key'] as string | undefined;
      requests.push({ key, intentId: intent.intent_id, attempt: req.headers['x-exoarmur-attempt'] as string | undefined });
      if (intent.subject === 'always-fails') {
        res.writeHead(503).end('down');
        return;
      }
      if (key !== undefined && !effects.has(key)) effects.set(key, 1);
      healthyRequests += 1;
      if (KILL_AT.has(healthyRequests) && actuator !== undefined) {
        // The effect is applied, the answer never reaches the actuator: the crash a receiver's idempotency exists for.
        actuator.signal('SIGKILL');
        kills += 1;
        void actuator.exited.then(() => {
          actuator = start();
        });
        res.destroy();
        return;
      }
      res.writeHead(200).end(`isolated ${intent.subject}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/isolate`;
  t.teardown(async () => {
    await actuator?.kill('SIGKILL');
    server.close();
  });

  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const intents = Array.from({ length: INTENTS }, (_, i) => intentOf(i, runId));
  await producer.send({
    topic: topics.execute,
    acks: -1,
    messages: intents.map((intent, i) => {
      const encoded = encodeRecord('execute', intent);
      return { partition: i % 3, key: intent.subject, value: encoded.value, headers: encoded.headers };
    }),
  });
  await producer.disconnect();

  actuator = start();
  const results = await pollUntil(
    async () => {
      const read = await readDecoded<ExecutionResultV1>(kafka, topics.results, 'result');
      // Every intent answered (a duplicate result must not end the wait early: the assertions below count them).
      return new Set(read.map((r) => r.intent_id)).size >= INTENTS ? read : undefined;
    },
    { timeoutMs: 200_000, intervalMs: 500, what: `${INTENTS} execution results`, giveUp: () => undefined },
  );

  // What the run did, shown whatever fails below: a flake must be diagnosable from the CI log alone.
  t.log(`results ${JSON.stringify(results.map((r) => [r.intent_id.slice(-9), r.outcome, r.attempt, r.detail]))}`);
  t.log(`requests ${JSON.stringify(requests.map((r) => [r.intentId.slice(-9), r.attempt]))}`);
  t.is(kills, KILL_AT.size);
  // Exactly one result per intent: no intent performed twice to completion, none lost.
  t.deepEqual(results.map((r) => r.intent_id).sort(), intents.map((i) => i.intent_id).sort());
  const failing = results.find((r) => r.subject === 'always-fails')!;
  t.like(failing, { outcome: 'gave_up', attempt: MAX_ATTEMPTS, driver: 'webhook', actuator_group: `${runId}.actuator` });
  // Its last answer is known unless a kill (of another partition's request) landed after its last attempt began.
  t.true(
    (failing.response_status === 503 && failing.detail === 'HTTP 503') ||
      (failing.response_status === null && failing.detail === 'attempts were interrupted by restarts; none answered'),
    JSON.stringify(failing),
  );
  // Never more requests than the budget; fewer only where a kill landed after an attempt's in_flight
  // commit and before its request reached the receiver (the attempt counts, as the policy says).
  const failingRequests = requests.filter((r) => r.intentId === failing.intent_id).length;
  t.true(failingRequests <= MAX_ATTEMPTS && failingRequests >= MAX_ATTEMPTS - KILL_AT.size, `requests to the failing endpoint: ${failingRequests}`);
  for (const r of results.filter((x) => x.subject !== 'always-fails')) t.like(r, { outcome: 'succeeded', response_status: 200 });
  // One effect per healthy intent, whatever the repeats.
  t.deepEqual(
    [...effects.keys()].sort(),
    intents
      .filter((i) => i.subject !== 'always-fails')
      .map((i) => i.intent_id)
      .sort(),
  );
  t.true([...effects.values()].every((n) => n === 1));
  // Every request carried its own intent's key.
  t.true(requests.every((r) => r.key === r.intentId));
  const healthy = requests.filter((r) => r.intentId !== failing.intent_id);
  const duplicates = healthy.length - effects.size;
  t.log(`requests ${requests.length}, healthy ${healthy.length}, effects ${effects.size}, duplicates carrying the same key ${duplicates}, kills ${kills}`);
  // Each kill interrupted the request that triggered it and at most every other healthy intent whose
  // result had not committed (chunks are performed together); an interrupted request was sent again.
  t.true(duplicates >= KILL_AT.size && duplicates <= KILL_AT.size * (INTENTS - 1), `duplicates ${duplicates}`);
  // A restart counts on from the durable state: an intent's attempt numbers only rise (an attempt
  // begun just before a kill may never have reached the receiver, so a number can be missing).
  for (const id of new Set(healthy.map((r) => r.intentId))) {
    const attempts = healthy.filter((r) => r.intentId === id).map((r) => Number(r.attempt));
    t.true(
      attempts.every((a, i) => a >= 1 && a <= MAX_ATTEMPTS && (i === 0 || a > attempts[i - 1]!)),
      `${id}: ${attempts.join(',')}`,
    );
  }
});
