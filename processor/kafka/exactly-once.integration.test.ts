/**
 * Exactly-once of `exoarmur process` on the real broker (KAFKA_BROKERS), with real child
 * processes: duplicates and malformed input, SIGKILL at random points, a rebalance between two
 * instances, kcat as producer and read_committed reader, and a zombie's open transaction.
 * Serial: each test runs processor children, and the machine is shared.
 */
import test, { type ExecutionContext } from 'ava';
import kafkajs from 'kafkajs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exactlyOnceViolations, receiptCount } from '../../tools/process/outcomes.js';
import { malformedTelemetry, syntheticTelemetry, withDuplicates } from '../../tools/process/synthetic.js';
import { testBrokers } from '../../tools/testing/broker.js';
import { classifyKafkaError } from '../io/kafka-errors.js';
import { seededRandom, testSeed } from '../../tools/testing/seed.js';
import {
  injectViaCli,
  inputCoordinates,
  fixtureStateDir,
  processorFixture,
  readFixtureOutcomes,
  startProcessorChild,
  uniqueEventKeys,
  waitAllCommitted,
  waitCommittedFraction,
  type ProcessorFixture,
  stopCleanly,
  track,
} from '../../tools/testing/processor.js';

const run = promisify(execFile);
const { Partitioners } = kafkajs;
const brokers = () => testBrokers().join(',');

async function assertExactlyOnce(t: ExecutionContext, fixture: ProcessorFixture, lines: readonly string[]): Promise<void> {
  const outcomes = await readFixtureOutcomes(fixture);
  const inputs = await inputCoordinates(fixture);
  t.is(inputs.length, lines.length, 'every delivery is in the input topic');
  t.deepEqual(exactlyOnceViolations(outcomes, { uniqueKeys: uniqueEventKeys(lines), inputs }), []);
  t.is(receiptCount(outcomes), lines.length);
}

test.serial('duplicates and malformed input: one receipt per delivery, one outcome set per key, dead letters', async (t) => {
  const fixture = await processorFixture('dups', brokers());
  const valid = syntheticTelemetry({ count: 400 });
  const lines = [...withDuplicates(valid, 100), ...malformedTelemetry(valid[0]!)];
  const injected = await injectViaCli(fixture, lines);
  t.deepEqual(injected, { topic: fixture.topics.telemetry, sent: 503, keyed: 502, unkeyed: 1 });
  // The operator topic is Avro: garbage without schema headers, and a schema nobody knows.
  const operatorProducer = fixture.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await operatorProducer.connect();
  await operatorProducer.send({
    topic: fixture.topics.operator_actions,
    acks: -1,
    messages: [
      { partition: 1, key: 't:c', value: Buffer.from([0, 1, 2, 3]) },
      { partition: 2, key: 't:c', value: Buffer.from('{}'), headers: { 'exoarmur-schema': 'exoarmur.NoSuchRecordV9', 'exoarmur-schema-fingerprint': 'ff' } },
    ],
  });
  await operatorProducer.disconnect();

  const processor = track(t, startProcessorChild(fixture, 'p1'));
  await waitAllCommitted(fixture);
  await stopCleanly(t, processor);

  const outcomes = await readFixtureOutcomes(fixture);
  t.deepEqual(outcomes.receiptsByKind, { telemetry_received: 400, telemetry_duplicate: 100, telemetry_rejected: 3, action_rejected: 2 });
  t.is(outcomes.dlqCount, 5);
  await assertExactlyOnce(t, fixture, [...lines, 'operator garbage 1', 'operator garbage 2']);
  // A duplicate's receipt is all it produces.
  t.is(outcomes.outcomeKindsByKey.size, 400);
  t.true(processor.events('batch_committed').length > 0);
  t.true(processor.events('config_published').length === 1);
});

test.serial('SIGKILL the processor at seeded points three times: nothing lost, nothing doubled, chains gapless; restarts restore from the store or in full', async (t) => {
  const seed = testSeed();
  const random = seededRandom(seed);
  const fixture = await processorFixture('sigkill', brokers());
  const valid = syntheticTelemetry({ count: 2400 });
  const lines = [...withDuplicates(valid, 300, random), ...malformedTelemetry(valid[1]!)];
  const half = Math.floor(lines.length / 2);
  await injectViaCli(fixture, lines.slice(0, half));
  // Small transactions, so a kill lands mid-transaction as well as between them.
  const args = ['--max-inputs-per-transaction', '40'];
  // Restart 2 gets an empty state directory (a new machine): it restores in full; the others keep their store.
  const stateDirs = [fixtureStateDir(fixture), fixtureStateDir(fixture), join(fixture.dir, 'state-new'), join(fixture.dir, 'state-new')];
  const runs = [track(t, startProcessorChild(fixture, 'run-0', [...args, '--state-dir', stateDirs[0]!]))];
  for (let kill = 1; kill <= 3; kill += 1) {
    if (kill === 2) await injectViaCli(fixture, lines.slice(half));
    const at = Math.min(0.9, kill * 0.22 + random() * 0.1);
    t.log(`seed ${seed}: SIGKILL ${kill} once ${(at * 100).toFixed(1)}% of inputs are committed`);
    await waitCommittedFraction(fixture, at);
    const exit = await runs[kill - 1]!.kill('SIGKILL');
    t.is(exit.signal, 'SIGKILL');
    runs.push(track(t, startProcessorChild(fixture, `run-${kill}`, [...args, '--state-dir', stateDirs[kill]!])));
  }
  await waitAllCommitted(fixture, 120_000);
  await stopCleanly(t, runs[3]!);

  await assertExactlyOnce(t, fixture, lines);
  // A rebalance may rebuild a task within a run, so a run can restore a partition more than once: the first restore counts.
  const firstRestores = (run: number) => {
    const first = new Map<number, Record<string, unknown>>();
    for (const entry of runs[run]!.events('state_restored')) if (!first.has(Number(entry['partition']))) first.set(Number(entry['partition']), entry);
    return [...first.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
  };
  const modes = (run: number) => firstRestores(run).map((entry) => entry['restore_mode']);
  // The first run restored into empty stores; the runs after a kill on the same directory restored from their checkpoints.
  t.deepEqual(modes(0), ['full', 'full', 'full']);
  t.deepEqual(modes(1), ['delta', 'delta', 'delta']);
  t.deepEqual(modes(3), ['delta', 'delta', 'delta']);
  // The run on a new directory rebuilt every partition's state from the changelog before processing.
  t.deepEqual(modes(2), ['full', 'full', 'full']);
  t.true(
    firstRestores(2).every((entry) => Number(entry['restored_records']) > 0),
    JSON.stringify(firstRestores(2)),
  );
});

/** The telemetry partitions a group_joined log line assigns to its member. */
function assignedPartitions(fixture: ProcessorFixture, joined: Record<string, unknown> | undefined): number[] {
  const assignment = (joined?.['assignment'] ?? {}) as Record<string, number[]>;
  return [...(assignment[fixture.topics.telemetry] ?? [])].sort((a, b) => a - b);
}

test.serial('two instances in one group, one SIGKILLed mid-stream: the other takes exactly its partitions, exactly-once holds', async (t) => {
  const fixture = await processorFixture('rebalance', brokers());
  const lines = withDuplicates(syntheticTelemetry({ count: 2500 }), 200);
  const args = ['--max-inputs-per-transaction', '50'];
  // Each instance on its own state directory, as on its own machine.
  const first = track(t, startProcessorChild(fixture, 'a', [...args, '--state-dir', join(fixture.dir, 'state-a')]));
  await first.waitForEvent('group_joined');
  const second = track(t, startProcessorChild(fixture, 'b', [...args, '--state-dir', join(fixture.dir, 'state-b')]));
  // Both members are in the group once instance a has rejoined for the second generation.
  await second.waitForEvent('group_joined');
  await first.waitForEvent('group_joined', { count: 2 });
  await injectViaCli(fixture, lines);
  await waitCommittedFraction(fixture, 0.3);

  const held = assignedPartitions(fixture, first.events('group_joined').at(-1));
  const kept = assignedPartitions(fixture, second.events('group_joined').at(-1));
  t.true(held.length > 0 && kept.length > 0, `a holds ${held.join(',')}, b holds ${kept.join(',')}`);
  t.deepEqual([...held, ...kept].sort(), [0, 1, 2], 'the two members split the three partitions');
  const joinsBefore = second.events('group_joined').length;
  t.is((await first.kill('SIGKILL')).signal, 'SIGKILL');
  // No leave request from a crash: b rejoins once a's session times out.
  const rejoined = (await second.waitForEvent('group_joined', { count: joinsBefore + 1, timeoutMs: 90_000 })).at(-1);
  t.deepEqual(assignedPartitions(fixture, rejoined), [0, 1, 2]);
  t.deepEqual(
    assignedPartitions(fixture, rejoined).filter((p) => !kept.includes(p)),
    held,
    'b took exactly the partitions a held',
  );
  await waitAllCommitted(fixture, 120_000);
  await stopCleanly(t, second);

  await assertExactlyOnce(t, fixture, lines);
  t.true(first.events('batch_committed').length > 0, 'instance a processed before it was killed');
  t.true(
    held.every((p) => second.events('batch_committed').some((e) => e['partition'] === p)),
    'b committed on every partition it took over',
  );
});

test.serial('kcat produces telemetry; kcat read_committed sees only committed audit records; a zombie is fenced', async (t) => {
  const fixture = await processorFixture('kcat', brokers());
  const lines = syntheticTelemetry({ count: 150 });
  const keyed = lines.map((line) => {
    const event = JSON.parse(line) as { tenant_id: string; correlation_id: string };
    return `${event.tenant_id}:${event.correlation_id}\t${line}`;
  });
  // A zombie owner of task 0 (same transactional id) with an open transaction on the audit topic.
  const zombie = fixture.kafka.producer({ transactionalId: `${fixture.appId}.0`, idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await zombie.connect();
  t.teardown(() => zombie.disconnect());
  const zombieTxn = await zombie.transaction();
  await zombieTxn.send({ topic: fixture.topics.audit, messages: [{ partition: 0, key: 'zombie', value: 'never committed' }] });

  await new Promise<void>((resolve, reject) => {
    const child = execFile('kcat', ['-P', '-b', fixture.brokers, '-t', fixture.topics.telemetry, '-K', '\t', '-X', 'partitioner=murmur2_random'], (error) =>
      error ? reject(error) : resolve(),
    );
    child.stdin?.end(`${keyed.join('\n')}\n`);
  });

  const processor = track(t, startProcessorChild(fixture, 'p'));
  await waitAllCommitted(fixture);
  await stopCleanly(t, processor);
  const refused = await t.throwsAsync(() => zombieTxn.commit(), undefined, 'the fenced zombie cannot commit');
  t.is(classifyKafkaError(refused), 'fenced', `the commit failed for being fenced, not for any reason: ${String(refused)}`);

  const outcomes = await readFixtureOutcomes(fixture);
  const kcatRead = async (isolation: string) =>
    (await run('kcat', ['-C', '-b', fixture.brokers, '-t', fixture.topics.audit, '-X', `isolation.level=${isolation}`, '-e', '-q', '-f', '%p %o %k\\n'])).stdout
      .split('\n')
      .filter((line) => line !== '');
  const committed = await kcatRead('read_committed');
  const uncommitted = await kcatRead('read_uncommitted');
  t.is(committed.length, outcomes.audit.length);
  t.false(committed.some((line) => line.endsWith(' zombie')));
  t.deepEqual(
    uncommitted.filter((line) => line.endsWith(' zombie')),
    ['0 0 zombie'],
  );
  t.is(outcomes.receiptsByKind['telemetry_received'], 150);
  await assertExactlyOnce(t, fixture, lines);
});
