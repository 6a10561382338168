/**
 * Both kills in one run, on a broker this test owns (free ports, private data dir): the processor
 * is SIGKILLed while one of its transactions is open (stopped with SIGSTOP first, so "open" is seen,
 * not guessed), and later the broker is SIGKILLed mid-stream and restarted on its data dir. The
 * kill points are drawn from a seed that is logged (EXOARMUR_TEST_SEED replays one). Afterwards:
 * exact counts of every receipt kind, dead letters, outcome sets and releases (the releases from
 * the same deliveries through the real core offline), no exactly-once violation, and the records
 * of the killed transaction visible read_uncommitted but never read_committed.
 */
import test from 'ava';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startBroker, stopBroker } from '../../tools/broker/broker.js';
import { stateRoot } from '../../tools/broker/paths.js';
import { exactlyOnceViolations } from '../../tools/process/outcomes.js';
import { malformedTelemetry, syntheticTelemetry, withDuplicates } from '../../tools/process/synthetic.js';
import { uniqueName } from '../../tools/testing/broker.js';
import { CoreRun } from '../../tools/testing/core-run.js';
import { seededRandom, testSeed } from '../../tools/testing/seed.js';
import { auditRecordsAt, killInsideTransaction } from '../../tools/testing/transactions.js';
import {
  injectViaCli,
  inputCoordinates,
  processorFixture,
  readFixtureOutcomes,
  startProcessorChild,
  track,
  uniqueEventKeys,
  waitAllCommitted,
  waitCommittedFraction,
} from '../../tools/testing/processor.js';
import { configWith } from '../testing/harness.js';

test('SIGKILL the processor inside an open transaction, then the broker mid-stream: exact counts, exactly-once, the killed transaction aborted', async (t) => {
  const seed = testSeed();
  const random = seededRandom(seed);
  const processorKillAt = 0.15 + random() * 0.2;
  const brokerKillAt = 0.55 + random() * 0.15;
  t.log(`seed ${seed}: processor SIGKILL once ${(processorKillAt * 100).toFixed(1)}% of inputs are committed, broker SIGKILL at ${(brokerKillAt * 100).toFixed(1)}%`);

  const dataDir = join(stateRoot(), uniqueName('test-broker-kills'));
  t.teardown(async () => {
    await stopBroker({ dataDir, kill: true }).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const broker = await startBroker({ dataDir, port: 0 });
  const fixture = await processorFixture('kills', broker.brokers);
  // Enough input that the kill attempts (each lets the processor run on) never reach the end of it.
  const valid = syntheticTelemetry({ count: 2000 });
  const lines = [...withDuplicates(valid, 200, random), ...malformedTelemetry(valid[0]!)];
  await injectViaCli(fixture, lines);

  // Small transactions: many of them, each holding audit, state and dlq records until its commit.
  const args = ['--max-inputs-per-transaction', '30'];
  const first = track(t, startProcessorChild(fixture, 'first', args));
  await waitCommittedFraction(fixture, processorKillAt, 120_000);
  const killed = await killInsideTransaction(fixture, first);
  t.log(
    `seed ${seed}: SIGKILL landed inside an open transaction: audit partition ${killed.partition}, offsets ${killed.from}..${killed.to} uncommitted (attempt ${killed.attempts})`,
  );
  t.is(killed.exit.signal, 'SIGKILL');

  const second = track(t, startProcessorChild(fixture, 'second', args));
  await waitCommittedFraction(fixture, brokerKillAt, 180_000, second);
  // The broker dies under the second processor's stream, never while it starts (the attempts above
  // may have carried the first one past brokerKillAt already): after its first commit at the earliest.
  await second.waitForEvent('batch_committed', { timeoutMs: 120_000 });
  t.true((await stopBroker({ dataDir, kill: true })).stopped);
  t.false((await startBroker({ dataDir, port: broker.port, controllerPort: broker.controllerPort })).alreadyRunning);
  await waitAllCommitted(fixture, 240_000, second);
  t.true(second.running, 'the processor survived the broker outage without a restart');
  // A broker that completed a transaction without its markers (docs/design.md §3) shows here; the counts below must hold either way.
  for (const line of second.events('leftover_transaction_aborted')) t.log(`seed ${seed}: leftover records aborted at a task start: ${JSON.stringify(line['ranges'])}`);
  const exit = await second.kill('SIGTERM');
  t.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, exit.stderr);

  // Exact counts: every delivery one receipt of its kind, one outcome set per unique event, and the
  // releases of the same deliveries through the real core (one partition keeps each key's order).
  const outcomes = await readFixtureOutcomes(fixture);
  const offline = new CoreRun(configWith(), 1);
  for (const line of lines) offline.telemetry(0, line);
  const expectedReleases = offline.outputs.get(0)!.execute.length;
  // The violations first: a failure names the inputs, records and chain positions, not only counts.
  t.deepEqual(exactlyOnceViolations(outcomes, { uniqueKeys: uniqueEventKeys(lines), inputs: await inputCoordinates(fixture) }), [], `seed ${seed}`);
  t.deepEqual(outcomes.receiptsByKind, { telemetry_received: 2000, telemetry_duplicate: 200, telemetry_rejected: 3 }, `seed ${seed}`);
  t.is(outcomes.dlqCount, 3);
  t.is(outcomes.outcomeKindsByKey.size, 2000);
  t.true(expectedReleases > 0);
  t.is(outcomes.execute.length, expectedReleases, `seed ${seed}`);

  // The killed transaction: its records are in the log, aborted by the next owner's fence.
  const uncommitted = await auditRecordsAt(fixture, killed.partition, 'read_uncommitted');
  const committed = await auditRecordsAt(fixture, killed.partition, 'read_committed');
  const inKilled = (offset: bigint) => offset >= killed.from && offset <= killed.to;
  t.true(uncommitted.filter(inKilled).length > 0, 'the open transaction wrote audit records before the kill');
  t.deepEqual(committed.filter(inKilled), [], 'none of them is visible read_committed');
  // An independent client (librdkafka) counts what is committed on every audit partition exactly as our reader does.
  for (const partition of [0, 1, 2]) {
    const committedThere = partition === killed.partition ? committed : await auditRecordsAt(fixture, partition, 'read_committed');
    t.is(committedThere.length, outcomes.audit.filter((r) => r.input.partition === partition).length, `audit partition ${partition}`);
  }
});
