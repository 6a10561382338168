import test from 'ava';
import { extraTelemetryTopics, inputTopics } from './inputs.js';
import { mergeConfig } from './model.js';
import { topicSpecs } from '../io/topics.js';

test('input topics: telemetry, the inputs table in name order (the telemetry topic once), then operator, then results', (t) => {
  const config = mergeConfig({
    inputs: { 'sensors.zeta': { format: 'falco', tenant_id: 'a' }, 'exoarmur.telemetry.v1': { format: 'exoarmur' }, 'sensors.alpha': { format: 'suricata', tenant_id: 'a' } },
  });
  t.deepEqual(inputTopics(config), [
    { topic: 'exoarmur.telemetry.v1', source: 'telemetry' },
    { topic: 'sensors.alpha', source: 'telemetry' },
    { topic: 'sensors.zeta', source: 'telemetry' },
    { topic: 'exoarmur.operator-actions.v1', source: 'operator' },
    { topic: 'exoarmur.execution-results.v1', source: 'result' },
  ]);
  t.deepEqual(extraTelemetryTopics(config), ['sensors.alpha', 'sensors.zeta']);
  t.deepEqual(inputTopics(mergeConfig({ topics: { results: 'acme.results' } })), [
    { topic: 'exoarmur.telemetry.v1', source: 'telemetry' },
    { topic: 'exoarmur.operator-actions.v1', source: 'operator' },
    { topic: 'acme.results', source: 'result' },
  ]);
});

test('extra telemetry topics are provisioned exactly like the telemetry topic', (t) => {
  const specs = topicSpecs({ partitions: 4, extraTelemetry: ['sensors.alpha'] });
  const telemetry = specs.find((s) => s.name === 'exoarmur.telemetry.v1')!;
  t.deepEqual(
    specs.find((s) => s.name === 'sensors.alpha'),
    { ...telemetry, name: 'sensors.alpha' },
  );
  t.is(specs.length, 10);
});
