/** A scenario's sensor step as sent: the sample's bytes, its format and tenant headers, the key and event id its adapter gives. */
import test from 'ava';
import { ExoArmurError } from '../../processor/errors.js';
import { repoRoot } from '../broker/paths.js';
import { sensorOutgoing } from './sensor-samples.js';

test('an alert sample is keyed by its mapped tenant and correlation and names its mapped event id', (t) => {
  const sent = sensorOutgoing({ format: 'falco', file: 'fixtures/sensors/falco/run-shell-untrusted.json', tenant_id: 't1' }, repoRoot());
  t.deepEqual(
    { ...sent, line: sent.line.length },
    {
      line: sent.line.length,
      key: 't1:host:e822ea6618ae',
      headers: { 'exoarmur-format': 'falco', 'exoarmur-tenant': 't1' },
      eventId: '01J4PHKR9ZPPD4XJVTTWEHECD2',
    },
  );
  t.false(sent.line.endsWith('\n'));
  t.true(sent.line.startsWith('{'));
});

test('a record that is not an alert is still sent, keyed by its sample, with no event id', (t) => {
  const sent = sensorOutgoing({ format: 'suricata', file: 'fixtures/sensors/suricata/flow.json', tenant_id: 't1', cell_id: 'ids-dmz' }, repoRoot());
  t.like(sent, {
    key: 't1:fixtures/sensors/suricata/flow.json',
    headers: { 'exoarmur-format': 'suricata', 'exoarmur-tenant': 't1', 'exoarmur-cell': 'ids-dmz' },
    eventId: null,
  });
});

test('a missing sample is a scenario error naming the file', (t) => {
  const error = t.throws(() => sensorOutgoing({ format: 'ecs', file: 'fixtures/sensors/ecs/nope.json', tenant_id: 't1' }, repoRoot()), { instanceOf: ExoArmurError });
  t.is(error?.code, 'SCENARIO_INVALID');
  t.regex(error?.message ?? '', /fixtures\/sensors\/ecs\/nope\.json does not exist/);
});
