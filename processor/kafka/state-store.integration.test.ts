/**
 * The local state store is never ahead of the changelog: SIGKILL the processor again and again
 * while it writes its stores (a full restore into an empty state directory, then small
 * transactions, each followed by a store write), and after every kill compare each store with the
 * committed changelog itself: its checkpoint is within the log, and its contents are exactly the
 * last committed value of every key below the checkpoint. Then the run completes exactly once.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { topicWatermarks } from '../io/offsets.js';
import { readPartitions } from '../io/read.js';
import { receiptCount } from '../../tools/process/outcomes.js';
import { syntheticTelemetry, withDuplicates } from '../../tools/process/synthetic.js';
import {
  exactlyOnceCheck,
  injectedFixture,
  injectViaCli,
  startProcessorChild,
  stopCleanly,
  track,
  waitAllCommitted,
  type ProcessorFixture,
} from '../../tools/testing/processor.js';
import { storeKey, taskStoreDir, TaskStore } from './state-store.js';

interface StoreCheck {
  partition: number;
  checkpoint: bigint | null;
  end: bigint;
  /** Keys whose stored bytes differ from the changelog's last committed value below the checkpoint. */
  differing: string[];
}

/** Compares every task store under `stateDir` with the committed changelog up to its checkpoint. */
async function checkStores(fixture: ProcessorFixture, stateDir: string): Promise<StoreCheck[]> {
  const marks = await topicWatermarks(fixture.kafka, fixture.topics.state);
  const checks: StoreCheck[] = [];
  for (const [partition, { low, high }] of marks) {
    const dir = taskStoreDir(stateDir, fixture.appId, partition);
    if (!existsSync(dir)) continue;
    const store = TaskStore.open(dir);
    try {
      const checkpoint = store.checkpoint();
      const at = checkpoint === undefined ? null : BigInt(checkpoint.offset);
      const expected = new Map<string, string>();
      if (at !== null && at > low) {
        await readPartitions(fixture.kafka, {
          topic: fixture.topics.state,
          ranges: new Map([[partition, { from: low, to: at < high ? at : high }]]),
          purpose: 'store check',
          onBatch: (_p, messages) => {
            for (const m of messages) {
              const key = storeKey(m.key!.toString('utf8'));
              if (m.value === null) expected.delete(key);
              else expected.set(key, m.value.toString('hex'));
            }
          },
        });
      }
      const differing: string[] = [];
      const seen = new Set<string>();
      for (const { key, value } of store.entries()) {
        seen.add(key);
        if (expected.get(key) !== value?.toString('hex')) differing.push(key);
      }
      for (const key of expected.keys()) if (!seen.has(key)) differing.push(key);
      checks.push({ partition, checkpoint: at, end: high, differing });
    } finally {
      await store.close();
    }
  }
  return checks;
}

test.serial('SIGKILL while the processor writes its state stores never leaves a store ahead of the changelog', async (t) => {
  const lines = withDuplicates(syntheticTelemetry({ count: 3000 }), 300);
  const fixture = await injectedFixture('store-kill', lines.slice(0, 2000));
  // A first instance fills the changelog; its stores are not used again.
  const filler = track(t, startProcessorChild(fixture, 'fill', ['--state-dir', join(fixture.dir, 'state-fill')]));
  await waitAllCommitted(fixture);
  await stopCleanly(t, filler);
  await injectViaCli(fixture, lines.slice(2000));

  // A new state directory: the first run restores in full, later runs from their checkpoints. Even
  // rounds are killed just after the fence, while restore writes the stores; odd rounds after their
  // first committed batch, while small transactions (20 inputs) each end in a store write.
  const stateDir = join(fixture.dir, 'state-killed');
  const args = ['--state-dir', stateDir, '--max-inputs-per-transaction', '20'];
  let partialCheckpoints = 0;
  for (let round = 0; round < 6; round += 1) {
    const name = `kill-${round}`;
    const child = track(t, startProcessorChild(fixture, name, args));
    await child.waitForEvent(round % 2 === 0 ? 'producer_fenced_previous' : 'batch_committed', { timeoutMs: 120_000 });
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
    const exit = await child.kill('SIGKILL');
    t.is(exit.signal, 'SIGKILL');
    for (const check of await checkStores(fixture, stateDir)) {
      t.true(check.checkpoint === null || check.checkpoint <= check.end, `partition ${check.partition}: checkpoint ${check.checkpoint} beyond the changelog end ${check.end}`);
      t.deepEqual(check.differing, [], `partition ${check.partition}: store differs from the changelog below checkpoint ${check.checkpoint}`);
      if (check.checkpoint !== null && check.checkpoint < check.end) partialCheckpoints += 1;
    }
  }
  t.log(`stores checked after 6 kills; ${partialCheckpoints} partition stores were behind the changelog end when killed`);

  const last = track(t, startProcessorChild(fixture, 'last', args));
  await waitAllCommitted(fixture, 120_000);
  await stopCleanly(t, last);
  for (const check of await checkStores(fixture, stateDir)) {
    t.deepEqual(check.differing, [], `partition ${check.partition} after the final run`);
  }
  t.true(
    last.events('state_restored').every((entry) => entry['restore_mode'] === 'delta'),
    'the last run restored every partition from its checkpoint',
  );
  const { outcomes, violations } = await exactlyOnceCheck(fixture, lines);
  t.deepEqual(violations, []);
  t.is(receiptCount(outcomes), lines.length);
});
