/** The error registry: every code has a hint and is raised somewhere; the recovery classes map to what the shell does. */
import test from 'ava';
import { readSourceGraph } from '../tools/testing/source-graph.js';
import { ERRORS, ExoArmurError, KafkaOperationError, ProducerFencedError, UsageError, type ErrorCode } from './errors.js';

test('every registered code has a hint and is raised by shipped code', (t) => {
  const shipped = [...readSourceGraph().values()].filter((m) => !m.path.endsWith('.test.ts') && !m.path.includes('/testing/'));
  // The registry's own lines name a code as `CODE:`; a raise (errors.ts's classes included) quotes it.
  const text = shipped.map((m) => m.text).join('\n');
  const unused = (Object.keys(ERRORS) as ErrorCode[]).filter((code) => !text.includes(`'${code}'`));
  t.deepEqual(unused, []);
  t.deepEqual(
    Object.entries(ERRORS)
      .filter(([, spec]) => spec.hint.trim() === '')
      .map(([code]) => code),
    [],
  );
});

test('recovery and retriable come from the registry', (t) => {
  t.like(new UsageError('KEY_EXISTS', 'x'), { recovery: 'usage', retriable: false, hint: ERRORS.KEY_EXISTS.hint });
  t.like(new ProducerFencedError('x'), { code: 'PRODUCER_FENCED', recovery: 'rebuild_task', retriable: true });
  t.like(new KafkaOperationError('READ_TIMEOUT', 'x'), { recovery: 'retriable', retriable: true });
  t.like(new ExoArmurError('PROCESSING_HALTED', 'x'), { recovery: 'permanent', retriable: false });
  t.like(new KafkaOperationError('KAFKA_OPERATION_FAILED', 'x', { retriable: true }), { recovery: 'unclassified', retriable: true });
  t.like(new KafkaOperationError('KAFKA_OPERATION_FAILED', 'x'), { recovery: 'unclassified', retriable: false });
});
