/**
 * `recordRun` against the real broker: a real `exoarmur process` child consumes telemetry (with
 * duplicate deliveries and malformed records); the run is recorded from the broker, the directory
 * holds exactly the committed records, replays offline with 0 mismatches, and a second recording
 * of the same run is byte-identical.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { malformedTelemetry, syntheticTelemetry, withDuplicates } from '../process/synthetic.js';
import { testBrokers } from '../testing/broker.js';
import { processorFixture, processToEnd, readFixtureAudit } from '../testing/processor.js';
import { RECORDED_FILES, SUMMED_FILES, type InputLine } from './format.js';
import { recordingTool, recordRun } from './record.js';

const lines = (dir: string, name: string): string[] =>
  readFileSync(join(dir, name), 'utf8')
    .split('\n')
    .filter((l) => l !== '');

test('recordRun writes a processed run as a directory that holds its committed records and replays offline identically', async (t) => {
  const brokers = testBrokers();
  const fixture = await processorFixture('record', brokers.join(','));
  const valid = syntheticTelemetry({ count: 20, tenants: 2, cells: 3, hosts: 5 });
  const deliveries = [...withDuplicates(valid, 4), ...malformedTelemetry(valid[0]!)];
  await processToEnd(t, fixture, deliveries);

  const out = mkdtempSync(join(tmpdir(), 'exoarmur-record-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const first = join(out, 'first');
  const second = join(out, 'second');
  const topics = fixture.topics;
  const { meta, check } = await recordRun({ brokers, runId: fixture.appId, topics, outDir: first });

  t.deepEqual(check.problems, []);
  t.true(check.ok);
  const audit = await readFixtureAudit(fixture);
  t.deepEqual(
    lines(first, RECORDED_FILES.audit).map((l) => JSON.parse(l) as unknown),
    JSON.parse(JSON.stringify(audit)) as unknown,
    'audit.jsonl is the committed trail, by (partition, seq)',
  );
  const dlq = lines(first, RECORDED_FILES.dlq).length;
  t.deepEqual(meta, {
    format: 2,
    run_id: fixture.appId,
    partitions: 3,
    topics,
    counts: {
      inputs: { telemetry: deliveries.length, operator: 0 },
      receipts: deliveries.length,
      audit: audit.length,
      audit_per_partition: [0, 1, 2].map((p) => audit.filter((r) => r.input.partition === p).length),
      execute: lines(first, RECORDED_FILES.execute).length,
      dlq,
      config_snapshots: 1,
    },
    recorded_with: recordingTool(),
  });
  t.is(dlq, 3, 'one dead letter per malformed delivery');
  t.like(check.report, { compared: audit.length, matched: audit.length, mismatched: 0, inputs_replayed: deliveries.length, pass: true });

  const inputs = lines(first, RECORDED_FILES.inputs).map((l) => JSON.parse(l) as InputLine);
  const receipts = audit.filter((r) => r.event_kind.startsWith('telemetry_'));
  t.deepEqual(
    inputs.map((i) => `${i.topic}/${i.partition}@${i.offset}`),
    receipts
      .map((r) => `${r.input.topic}/${r.input.partition}@${r.input.offset}`)
      .sort((a, b) => {
        const [pa, oa] = a.split('/').pop()!.split('@').map(Number);
        const [pb, ob] = b.split('/').pop()!.split('@').map(Number);
        return pa! - pb! || oa! - ob!;
      }),
    'exactly the inputs the receipts point at, in (partition, offset) order',
  );
  const recordedValues = inputs.map((i) => Buffer.from(i.value_base64 ?? '', 'base64').toString('utf8'));
  t.deepEqual(recordedValues.sort(), [...deliveries].sort(), 'the recorded values are the delivered bytes, once per delivery');

  await recordRun({ brokers, runId: fixture.appId, topics, outDir: second });
  for (const name of [...SUMMED_FILES, RECORDED_FILES.sums])
    t.is(readFileSync(join(second, name), 'utf8'), readFileSync(join(first, name), 'utf8'), `${name} is the same on a second recording`);
});
