/**
 * Durability: a broker of its own (free port, temp data dir) takes committed transactional writes,
 * is SIGKILLed, restarts on the same data dir, and still holds exactly what was committed.
 *
 * Two kinds of unfinished transaction meet the kill, each with a deterministic end:
 * - an abort whose EndTxn returned: the test waits for its markers (the last stable offset passes
 *   them) before the kill, because EndTxn returns once PREPARE_ABORT is in the transaction log and
 *   the markers follow asynchronously; an abort caught between the two was the old flake (LSO stuck
 *   at 11 while the restarted coordinator had not yet re-sent them).
 * - a transaction still open at the kill: after restart, a new owner of its transactional id
 *   (InitProducerId, the processor's fence on assignment) aborts it, and the LSO moves past it.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka } from '../../processor/io/client.js';
import { ensureTopics, topicSpecs } from '../../processor/io/topics.js';
import { pollUntil } from '../lib/poll.js';
import { collectRecords, uniqueName } from '../testing/broker.js';
import { brokerStatus, startBroker, stopBroker } from './broker.js';

test('committed records and the state topic survive kill -9 and restart; an aborted write and a transaction open at the kill never appear', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'exoarmur-restart-'));
  t.teardown(async () => {
    await stopBroker({ dataDir, kill: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  const first = await startBroker({ dataDir, port: 0 });
  t.false(first.alreadyRunning);
  const specs = topicSpecs({ prefix: `${uniqueName('restart')}.` });
  const openTransactionalId = uniqueName('restart-open-tx');
  const audit = specs.find((spec) => spec.role === 'audit')!.name;
  const state = specs.find((spec) => spec.role === 'state')!.name;

  {
    const kafka = createKafka({ brokers: [first.brokers], clientId: 'restart-writer' });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, specs);
    await admin.disconnect();
    const producer = kafka.producer({ transactionalId: uniqueName('restart-tx'), idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let partition = 0; partition < 3; partition++) {
      const tx = await producer.transaction();
      const count = 10 + partition; // distinct per partition, so a lost or misplaced batch shows
      await tx.send({ topic: audit, messages: Array.from({ length: count }, (_, i) => ({ key: `k${partition}`, value: `audit-${partition}-${i}`, partition })) });
      await tx.send({ topic: state, messages: [{ key: `head-${partition}`, value: `seq-${count - 1}`, partition }] });
      await tx.commit();
    }
    const aborted = await producer.transaction();
    await aborted.send({ topic: audit, messages: [{ key: 'k0', value: 'aborted', partition: 0 }] });
    await aborted.abort();
    await producer.disconnect();
    const watcher = kafka.admin();
    await watcher.connect();
    // The abort's markers are written after EndTxn returns: wait for them (LSO 13 = 10 records, commit marker, aborted record, abort marker).
    await pollUntil(async () => (await watcher.fetchTopicOffsets(audit)).find((o) => o.partition === 0)?.high === '13', {
      what: 'the abort markers of partition 0',
      timeoutMs: 30_000,
    });
    await watcher.disconnect();

    // Left open at the kill: an uncommitted record on partition 1 after its committed ones.
    const zombie = kafka.producer({ transactionalId: openTransactionalId, idempotent: true, maxInFlightRequests: 1 });
    await zombie.connect();
    t.teardown(() => zombie.disconnect().catch(() => undefined));
    const open = await zombie.transaction();
    await open.send({ topic: audit, messages: [{ key: 'k1', value: 'open at kill', partition: 1 }] });
  }

  const killed = await stopBroker({ dataDir, kill: true });
  t.deepEqual(killed, { stopped: true, pid: first.pid });
  t.false((await brokerStatus({ dataDir })).running);

  const second = await startBroker({ dataDir, port: 0 });
  t.log(`first start ${first.startMs} ms (formats storage), restart after kill -9 ${second.startMs} ms`);
  t.not(second.pid, first.pid);
  const kafka = createKafka({ brokers: [second.brokers], clientId: 'restart-reader' });
  const readStarted = Date.now();
  const collector = await collectRecords(kafka, [audit, state]);
  t.teardown(() => collector.stop());
  await pollUntil(() => collector.records.length >= 33 + 3, { what: 'every committed record after restart', timeoutMs: 60_000 });
  t.log(`read back in ${Date.now() - readStarted} ms`);

  const admin = kafka.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  // The transaction open at the kill holds partition 1's LSO at 12 until its owner's successor fences it.
  const successor = kafka.producer({ transactionalId: openTransactionalId, idempotent: true, maxInFlightRequests: 1 });
  const fenceStarted = Date.now();
  await successor.connect();
  const fence = await successor.transaction();
  await fence.abort();
  await successor.disconnect();
  t.log(`fenced the transaction open at the kill in ${Date.now() - fenceStarted} ms`);
  // Reading up to the end offsets proves nothing more is coming: the counts are exact.
  // Partition 1: 11 records, commit marker, the record open at the kill and the fence's abort marker.
  const expectedEnds = [
    [0, '13'],
    [1, '14'],
    [2, '13'],
  ];
  let lastSeen = '';
  const ends = await pollUntil(
    async () => {
      const offsets = (await admin.fetchTopicOffsets(audit)).map(({ partition, high }) => [partition, high]).sort();
      lastSeen = JSON.stringify(offsets);
      return lastSeen === JSON.stringify(expectedEnds) ? offsets : undefined;
    },
    { what: 'final last stable offsets', timeoutMs: 30_000 },
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; last seen ${lastSeen}, expected ${JSON.stringify(expectedEnds)}`);
  });
  const auditRecords = collector.records.filter((r) => r.topic === audit);
  t.deepEqual(
    [0, 1, 2].map((p) => auditRecords.filter((r) => r.partition === p).map((r) => r.value)),
    [0, 1, 2].map((p) => Array.from({ length: 10 + p }, (_, i) => `audit-${p}-${i}`)),
  );
  t.false(auditRecords.some((r) => r.value === 'aborted' || r.value === 'open at kill'));
  t.deepEqual(
    collector.records
      .filter((r) => r.topic === state)
      .map((r) => [r.partition, r.key, r.value])
      .sort(),
    [
      [0, 'head-0', 'seq-9'],
      [1, 'head-1', 'seq-10'],
      [2, 'head-2', 'seq-11'],
    ],
  );
  // Log end per partition = its records + one commit marker; partitions 0 and 1 also hold an aborted record and its abort marker.
  t.deepEqual(ends, expectedEnds);

  const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: state, configNames: ['cleanup.policy'] }] });
  t.is(configs.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue, 'compact');
});
