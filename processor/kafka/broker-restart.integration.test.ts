/**
 * SIGKILL the broker mid-stream and restart it on the same data dir: the processor recovers on
 * its own and the exactly-once counts hold. This test runs its OWN broker (free ports, private
 * data dir) so killing it disturbs no other test.
 */
import test from 'ava';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startBroker, stopBroker } from '../../tools/broker/broker.js';
import { stateRoot } from '../../tools/broker/paths.js';
import { exactlyOnceViolations, receiptCount } from '../../tools/process/outcomes.js';
import { syntheticTelemetry, withDuplicates } from '../../tools/process/synthetic.js';
import { uniqueName } from '../../tools/testing/broker.js';
import {
  injectViaCli,
  inputCoordinates,
  processorFixture,
  readFixtureOutcomes,
  startProcessorChild,
  uniqueEventKeys,
  waitAllCommitted,
  waitCommittedFraction,
} from '../../tools/testing/processor.js';

test('SIGKILL the broker mid-stream and restart it: the processor recovers, exactly-once holds', async (t) => {
  const dataDir = join(stateRoot(), uniqueName('test-broker-restart'));
  t.teardown(async () => {
    await stopBroker({ dataDir, kill: true }).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });
  const broker = await startBroker({ dataDir, port: 0 });
  const fixture = await processorFixture('brokerkill', broker.brokers);
  const lines = withDuplicates(syntheticTelemetry({ count: 3000 }), 300);
  await injectViaCli(fixture, lines);

  const processor = startProcessorChild(fixture, 'p', ['--max-inputs-per-transaction', '50']);
  t.teardown(async () => {
    if (processor.running) await processor.kill('SIGKILL');
  });
  await waitCommittedFraction(fixture, 0.3);
  const killed = await stopBroker({ dataDir, kill: true });
  t.true(killed.stopped);
  const restarted = await startBroker({ dataDir, port: broker.port, controllerPort: broker.controllerPort });
  t.false(restarted.alreadyRunning);

  await waitAllCommitted(fixture, 180_000);
  t.true(processor.running, 'the processor survived the broker outage without a restart');
  const exit = await processor.kill('SIGTERM');
  t.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, exit.stderr);

  const outcomes = await readFixtureOutcomes(fixture);
  const inputs = await inputCoordinates(fixture);
  t.is(inputs.length, lines.length);
  t.deepEqual(exactlyOnceViolations(outcomes, { uniqueKeys: uniqueEventKeys(lines), inputs }), []);
  t.is(receiptCount(outcomes), lines.length);
  t.log(
    `recovery: ${processor.events('batch_failed').length} failed batches, ${processor.events('task_start_failed').length} failed task starts, ${processor.events('consumer_crashed').length} consumer crashes`,
  );
});
