import test from 'ava';
import { DEFAULT_CONFIG } from '../config/defaults.js';
import { topicNames, topicSpecs } from './topics.js';

test('default specs are DESIGN §1: names, cleanup policies, shared partition count 3, audit never expires, 4 MiB inputs and 8 MiB outputs', (t) => {
  t.deepEqual(
    topicSpecs().map(({ name, partitions, cleanupPolicy, configs }) => ({ name, partitions, cleanupPolicy, configs })),
    [
      { name: 'exoarmur.telemetry.v1', partitions: 3, cleanupPolicy: 'delete', configs: { 'cleanup.policy': 'delete', 'max.message.bytes': '4194304' } },
      { name: 'exoarmur.operator-actions.v1', partitions: 3, cleanupPolicy: 'delete', configs: { 'cleanup.policy': 'delete', 'max.message.bytes': '4194304' } },
      { name: 'exoarmur.config.v1', partitions: 1, cleanupPolicy: 'compact', configs: { 'cleanup.policy': 'compact' } },
      { name: 'exoarmur.audit.v1', partitions: 3, cleanupPolicy: 'delete', configs: { 'cleanup.policy': 'delete', 'max.message.bytes': '8388608', 'retention.ms': '-1' } },
      { name: 'exoarmur.intents.execute.v1', partitions: 3, cleanupPolicy: 'delete', configs: { 'cleanup.policy': 'delete', 'max.message.bytes': '8388608' } },
      { name: 'exoarmur.state.v1', partitions: 3, cleanupPolicy: 'compact', configs: { 'cleanup.policy': 'compact', 'max.message.bytes': '8388608' } },
      { name: 'exoarmur.dlq.v1', partitions: 3, cleanupPolicy: 'delete', configs: { 'cleanup.policy': 'delete', 'max.message.bytes': '8388608' } },
      { name: 'exoarmur.execution-results.v1', partitions: 3, cleanupPolicy: 'delete', configs: { 'cleanup.policy': 'delete', 'max.message.bytes': '4194304' } },
      { name: 'exoarmur.actuator-state.v1', partitions: 3, cleanupPolicy: 'compact', configs: { 'cleanup.policy': 'compact', 'max.message.bytes': '8388608' } },
    ],
  );
});

test('a prefix applies to defaults, an override replaces one name outright, partitions are shared', (t) => {
  const names = topicNames({ prefix: 'run1.', overrides: { audit: 'custom.audit' } });
  t.is(names.telemetry, 'run1.exoarmur.telemetry.v1');
  t.is(names.audit, 'custom.audit');
  t.is(DEFAULT_CONFIG.topics.audit, 'exoarmur.audit.v1');
  const counts = topicSpecs({ partitions: 6 }).map((spec) => [spec.role, spec.partitions]);
  t.deepEqual(counts, [
    ['telemetry', 6],
    ['operator_actions', 6],
    ['config', 1],
    ['audit', 6],
    ['execute', 6],
    ['state', 6],
    ['dlq', 6],
    ['results', 6],
    ['actuator_state', 6],
  ]);
});

test('a partition count that is not a positive integer is refused', (t) => {
  t.throws(() => topicSpecs({ partitions: 0 }), { instanceOf: RangeError });
  t.throws(() => topicSpecs({ partitions: 2.5 }), { instanceOf: RangeError });
});
