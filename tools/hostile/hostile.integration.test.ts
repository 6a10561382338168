/**
 * The hostile-input corpus on the real broker through a real `exoarmur process` child: every
 * record gets exactly one receipt, the reason code the corpus names and (when rejected) its dead
 * letter; the processor never exits until told to, then stops cleanly; chains verify and no
 * delivery is dropped. The report lands in a temporary directory.
 */
import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withAdmin } from '../../processor/io/client.js';
import { topicsForRun } from '../reality/naming.js';
import { testBrokers, testKafka } from '../testing/broker.js';
import { generateCorpus } from './generate.js';
import { runHostile } from './run.js';

test('every hostile record gets its receipt, reason code and dead letter on the real broker; the processor never crashes', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'exoarmur-hostile-'));
  const { report, dir } = await runHostile({ brokers: testBrokers(), seed: 18, outDir: out });
  t.deepEqual(report.mismatches, []);
  t.deepEqual(report.violations, []);
  t.deepEqual(report.processor_exit, { code: 0, signal: null, restarts: 0 });
  const corpus = generateCorpus(18);
  const expectedCounts: Record<string, number> = {};
  for (const record of corpus.records) expectedCounts[record.class] = (expectedCounts[record.class] ?? 0) + 1;
  t.deepEqual(Object.fromEntries(report.table.map((row) => [row.class, row.count])), expectedCounts);
  t.is(report.records, corpus.records.length);
  t.deepEqual(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')), report);
  // Its inputs keep their records: each carries the corpus's fixed past timestamp, which a time retention counts from.
  const topics = topicsForRun(report.run_id);
  const retention = await withAdmin(testKafka(), async (admin) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [topics.telemetry, topics.operator_actions].map((name) => ({ type: 2 /* TOPIC */, name, configNames: ['retention.ms'] })),
    });
    return resources.map((r) => `${r.resourceName} ${r.configEntries[0]?.configValue}`).sort();
  });
  t.deepEqual(retention, [`${topics.operator_actions} -1`, `${topics.telemetry} -1`]);
});
