/**
 * The control run for the exactly-once checker: the same processor with processing_guarantee
 * at_least_once (no transactions) is SIGKILLed after it wrote a batch's outputs but before it
 * committed that batch's input offsets (caught there with SIGSTOP). Restarted, it processes those
 * inputs again, so the committed outputs hold real duplicates; the checker must report every one of
 * them, as counted here independently from the raw audit trail, and nothing else of that kind.
 */
import test from 'ava';
import { committedShare, groupProgress } from '../io/offsets.js';
import { readDecoded } from '../../tools/process/outcomes.js';
import { syntheticTelemetry } from '../../tools/process/synthetic.js';
import {
  exactlyOnceCheck,
  injectedFixture,
  startProcessorChild,
  stopCleanly,
  stopWhen,
  track,
  waitAllCommitted,
  waitCommittedFraction,
  type ProcessorFixture,
} from '../../tools/testing/processor.js';
import type { AuditRecordV1 } from '../core/index.js';

const RECEIPTS = new Set(['telemetry_received', 'telemetry_duplicate', 'telemetry_rejected']);

/** Receipts already written for inputs at or past the group's committed offset: outputs whose offsets are not committed. */
async function uncommittedReceipts(fixture: ProcessorFixture): Promise<number> {
  const rows = await groupProgress(fixture.kafka, fixture.appId, [fixture.topics.telemetry]);
  const audit = await readDecoded<AuditRecordV1>(fixture.kafka, fixture.topics.audit, 'audit');
  return audit.filter((r) => {
    const row = rows.find((x) => x.partition === r.input.partition)!;
    return RECEIPTS.has(r.event_kind) && BigInt(r.input.offset) >= (row.committed ?? row.low);
  }).length;
}

test('at_least_once + SIGKILL between produce and offset commit: the checker reports exactly the duplicates the trail holds', async (t) => {
  const lines = syntheticTelemetry({ count: 900 });
  const fixture = await injectedFixture('alos-control', lines, { processing_guarantee: 'at_least_once' });
  const args = ['--max-inputs-per-transaction', '30'];
  const first = track(t, startProcessorChild(fixture, 'first', args));
  await waitCommittedFraction(fixture, 0.2, 120_000);
  const caught = await stopWhen(
    first,
    async () => {
      const receipts = await uncommittedReceipts(fixture);
      return receipts > 0 ? receipts : undefined;
    },
    'the processor stopped between a produce and its offset commit',
  );
  t.log(
    `SIGKILL with ${caught} receipts written past the committed offsets (${committedShare(await groupProgress(fixture.kafka, fixture.appId, [fixture.topics.telemetry])).committed} inputs committed)`,
  );
  await first.kill('SIGKILL');
  const second = track(t, startProcessorChild(fixture, 'second', args));
  await waitAllCommitted(fixture, 180_000);
  await stopCleanly(t, second);

  // Counted here from the raw trail: receipts per input coordinate.
  const { outcomes, violations: problems } = await exactlyOnceCheck(fixture, lines);
  const perInput = new Map<string, number>();
  for (const r of outcomes.audit) {
    if (!RECEIPTS.has(r.event_kind)) continue;
    const at = `${r.input.topic}/${r.input.partition}/${r.input.offset}`;
    perInput.set(at, (perInput.get(at) ?? 0) + 1);
  }
  const doubled = [...perInput].filter(([, n]) => n > 1).map(([at, n]) => `input ${at} has ${n} receipts`);
  t.true(doubled.length >= caught, `at least the ${caught} inputs caught past the commit were processed twice (${doubled.length})`);

  t.deepEqual(problems.filter((p) => / has \d+ receipts$/.test(p)).sort(), doubled.sort(), 'every doubled input, and no other');
  // A re-processed input writes its receipt again under the same deterministic audit id.
  t.true(problems.some((p) => /^audit_id \S+ \(telemetry_(received|duplicate)\) written twice$/.test(p)));
});
