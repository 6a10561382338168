/**
 * One I/O layer owns the Kafka client: outside processor/io only the exactly-once shell
 * (processor/kafka) and the benchmark's raw-client baseline and ceiling loop may import it. Everything else uses
 * processor/io, so replacing the client touches these modules alone.
 */
import test from 'ava';
import { readSourceGraph } from '../../tools/testing/source-graph.js';

const ALLOWED = [/^processor\/io\//, /^processor\/kafka\//, /^tools\/bench\/produce\.ts$/, /^tools\/bench\/ceiling\.ts$/];

test('only the I/O layer, the exactly-once shell and the bench baseline import the Kafka client', (t) => {
  const importers = [...readSourceGraph().values()].filter((m) => !m.path.endsWith('.test.ts') && m.packages.includes('kafkajs')).map((m) => m.path);
  t.true(importers.includes('processor/io/read.ts'), 'the scan sees the I/O layer');
  t.deepEqual(
    importers.filter((path) => !ALLOWED.some((re) => re.test(path))),
    [],
  );
});
