/**
 * Fencing with a real zombie: a processor stopped (SIGSTOP) while one of its transactions is open,
 * kept stopped past its session timeout while a second instance takes its partitions and fences
 * their transactional ids, then continued (SIGCONT). Its in-flight transaction must fail as
 * 'fenced', and none of the records it wrote may ever become visible read_committed.
 */
import test from 'ava';
import { join } from 'node:path';
import { syntheticTelemetry, withDuplicates } from '../../tools/process/synthetic.js';
import { exactlyOnceCheck, injectedFixture, startProcessorChild, stopCleanly, stopWhen, track, waitAllCommitted, waitCommittedFraction } from '../../tools/testing/processor.js';
import { auditRecordsAt, openAuditTransactions } from '../../tools/testing/transactions.js';
import { pollUntil } from '../../tools/lib/poll.js';

test('a zombie processor (SIGSTOP past its session, group rebalanced, SIGCONT) fails its open transaction as fenced; none of its records is visible', async (t) => {
  const lines = withDuplicates(syntheticTelemetry({ count: 1500 }), 100);
  const fixture = await injectedFixture('zombie', lines);
  const args = ['--max-inputs-per-transaction', '30'];
  // Each instance on its own state directory, as on its own machine.
  const zombie = track(t, startProcessorChild(fixture, 'zombie', [...args, '--state-dir', join(fixture.dir, 'state-zombie')]));
  await waitCommittedFraction(fixture, 0.1, 120_000);

  // Caught with a transaction open: it is the only writer, so any open transaction is its own.
  const caught = await stopWhen(zombie, async () => (await openAuditTransactions(fixture))[0], 'the processor stopped inside an open transaction');
  t.log(`zombie stopped with audit partition ${caught.partition} offsets ${caught.from}..${caught.to} in an open transaction`);

  // The successor joins; the zombie's session (10 s) expires, the successor owns every partition and fences their ids.
  const successor = track(t, startProcessorChild(fixture, 'successor', [...args, '--state-dir', join(fixture.dir, 'state-successor')]));
  await pollUntil(
    () =>
      successor.events('producer_fenced_previous').some((e) => e['partition'] === caught.partition) &&
      successor.events('batch_committed').some((e) => e['partition'] === caught.partition),
    {
      timeoutMs: 120_000,
      intervalMs: 200,
      what: `the successor fenced and committed partition ${caught.partition}`,
      giveUp: () => (successor.running ? undefined : successor.exitedError()),
    },
  );
  zombie.signal('SIGCONT');
  const failures = await pollUntil(
    () => {
      const found = zombie.events('batch_failed').filter((e) => e['partition'] === caught.partition);
      return found.length > 0 ? found : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: 'the zombie to fail its in-flight transaction', giveUp: () => (zombie.running ? undefined : zombie.exitedError()) },
  );
  t.is(failures[0]!['kind'], 'fenced', JSON.stringify(failures[0]));
  t.deepEqual(zombie.events('permanent_failure'), [], 'a fenced writer is rebuilt, never counted as permanent');

  await waitAllCommitted(fixture, 180_000);
  await stopCleanly(t, zombie);
  await stopCleanly(t, successor);

  const uncommitted = await auditRecordsAt(fixture, caught.partition, 'read_uncommitted');
  const committed = await auditRecordsAt(fixture, caught.partition, 'read_committed');
  const zombies = (offset: bigint) => offset >= caught.from && offset <= caught.to;
  t.true(uncommitted.filter(zombies).length > 0);
  t.deepEqual(committed.filter(zombies), [], "none of the zombie's in-flight records is visible read_committed");
  t.deepEqual((await exactlyOnceCheck(fixture, lines)).violations, []);
});
