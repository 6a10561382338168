/**
 * The hostile corpus through the real codec and core with no broker (the broker replay is
 * hostile.integration.test.ts): every record gets exactly the receipt, reason code and dead letter
 * the corpus names, and the same seed gives the same bytes.
 */
import test from 'ava';
import { buildEffectiveConfig, coreConfigOf, DEFAULT_CONFIG, mergeConfig } from '../../processor/config/index.js';
import type { AuditRecordV1, DeadLetterV1, StateValue } from '../../processor/core/index.js';
import { driveBatch } from '../../processor/engine/batch.js';
import { nodePrimitives } from '../../processor/primitives.js';
import { CORPUS_RECORD_TIME_MS } from './corpus.js';
import { classTable, observe, type SentRecord } from './evaluate.js';
import { generateCorpus } from './generate.js';

function driveOffline(seed: number): { sent: SentRecord[]; audit: AuditRecordV1[]; letters: DeadLetterV1[] } {
  const corpus = generateCorpus(seed);
  const config = coreConfigOf(buildEffectiveConfig(mergeConfig(corpus.config)));
  const caches = new Map<number, Map<string, StateValue>>();
  const offsets = new Map<string, number>();
  const sent: SentRecord[] = [];
  const audit: AuditRecordV1[] = [];
  const letters: DeadLetterV1[] = [];
  for (const phase of ['first', 'actions'] as const) {
    for (const record of corpus.records.filter((r) => r.phase === phase)) {
      const topic = DEFAULT_CONFIG.topics[record.topic];
      const slot = `${topic}/${record.partition}`;
      const offset = String(offsets.get(slot) ?? 0);
      offsets.set(slot, Number(offset) + 1);
      const cache = caches.get(record.partition) ?? new Map<string, StateValue>();
      caches.set(record.partition, cache);
      const message = { topic, partition: record.partition, offset, key: record.key, value: record.value, headers: record.headers, timestamp: String(CORPUS_RECORD_TIME_MS) };
      const { steps } = driveBatch(cache, [{ source: record.topic === 'telemetry' ? 'telemetry' : 'operator', message, processTime: 1772366400000, config }], nodePrimitives, {
        encode: true,
      });
      for (const { records } of steps) {
        for (const out of records) {
          if (out.role === 'audit') audit.push(out.value as AuditRecordV1);
          if (out.role === 'dlq') letters.push(out.value as DeadLetterV1);
        }
      }
      sent.push({ record, topic, partition: record.partition, offset });
    }
  }
  return { sent, audit, letters };
}

test('every hostile record gets the receipt, reason code and dead letter the corpus names (real codec and core, no broker)', (t) => {
  const { sent, audit, letters } = driveOffline(18);
  const observations = observe(sent, audit, letters);
  t.deepEqual(
    observations.filter((o) => o.problem !== '').map((o) => `${o.class} / ${o.name}: ${o.problem}`),
    [],
  );
  const classes = classTable(observations).map((row) => row.class);
  for (const required of [
    'truncated_json',
    'wrong_type',
    'huge_values',
    'deep_nesting',
    'invalid_utf8',
    'nul_bytes',
    'unrepresentable_numbers',
    'duplicate_keys',
    'proto_keys',
    'timestamp_edges',
    'oversized_headers',
    'unknown_schema',
    'operator_forged',
    'operator_replayed',
    'operator_expired',
    'operator_wrong_hash',
    'operator_wrong_tenant',
    'operator_wrong_partition',
  ]) {
    t.true(classes.includes(required), `class ${required} is in the corpus`);
  }
});

test('the corpus is a function of its seed', (t) => {
  const bytesOf = (seed: number): string[] =>
    generateCorpus(seed).records.map((r) => `${r.name}|${r.partition}|${r.key?.toString('hex') ?? ''}|${r.value?.toString('base64') ?? 'null'}`);
  t.deepEqual(bytesOf(7), bytesOf(7));
  t.notDeepEqual(bytesOf(7), bytesOf(8));
});
