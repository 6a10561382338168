/**
 * Durability: a broker of its own (free port, temp data dir) takes committed transactional writes,
 * is SIGKILLed, restarts on the same data dir, and still holds exactly what was committed.
 */
import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka } from '../../processor/kafka/client.js';
import { ensureTopics, topicSpecs } from '../../processor/kafka/topics.js';
import { collectRecords, pollUntil, uniqueName } from '../testing/broker.js';
import { brokerStatus, startBroker, stopBroker } from './broker.js';

test('committed records and the state topic survive kill -9 and restart; an aborted write never appears', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'exoarmur-restart-'));
  t.teardown(async () => {
    await stopBroker({ dataDir, kill: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  const first = await startBroker({ dataDir, port: 0 });
  t.false(first.alreadyRunning);
  const specs = topicSpecs({ prefix: `${uniqueName('restart')}.` });
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
  // Reading up to the end offsets proves nothing more is coming: the counts are exact.
  // The abort's markers may not have been written before the kill; the restarted transaction
  // coordinator completes them, after which the last stable offsets are final.
  const expectedEnds = [[0, '13'], [1, '12'], [2, '13']];
  let lastSeen = '';
  const ends = await pollUntil(async () => {
    const offsets = (await admin.fetchTopicOffsets(audit)).map(({ partition, high }) => [partition, high]).sort();
    lastSeen = JSON.stringify(offsets);
    return lastSeen === JSON.stringify(expectedEnds) ? offsets : undefined;
  }, { what: 'final last stable offsets', timeoutMs: 90_000 }).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; last seen ${lastSeen}, expected ${JSON.stringify(expectedEnds)}`);
  });
  const auditRecords = collector.records.filter((r) => r.topic === audit);
  t.deepEqual(
    [0, 1, 2].map((p) => auditRecords.filter((r) => r.partition === p).map((r) => r.value)),
    [0, 1, 2].map((p) => Array.from({ length: 10 + p }, (_, i) => `audit-${p}-${i}`)),
  );
  t.false(auditRecords.some((r) => r.value === 'aborted'));
  t.deepEqual(
    collector.records.filter((r) => r.topic === state).map((r) => [r.partition, r.key, r.value]).sort(),
    [[0, 'head-0', 'seq-9'], [1, 'head-1', 'seq-10'], [2, 'head-2', 'seq-11']],
  );
  // Log end per partition = its records + one commit marker; partition 0 also holds the aborted record and its abort marker.
  t.deepEqual(ends, expectedEnds);

  const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: state, configNames: ['cleanup.policy'] }] });
  t.is(configs.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue, 'compact');
});
