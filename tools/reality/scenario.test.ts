/** The scenario format (DESIGN §5 plus `raw`, `sensor` and `config`): every step kind parses, every malformed line names its line. */
import test from 'ava';
import { ExoArmurError } from '../../processor/errors.js';
import { parseScenario, scenarioActors } from './scenario.js';

const telemetry = { event_id: '01JS0000000000000000000001', tenant_id: 't1', correlation_id: 'c1' };

test('each step kind parses to its step, in file order, with its line number', (t) => {
  const text = [
    JSON.stringify({ telemetry }),
    '',
    JSON.stringify({ raw: '{"truncated' }),
    JSON.stringify({ operator: { action: 'approve', event_id: telemetry.event_id, actor_id: 'alice' } }),
    JSON.stringify({ operator: { action: 'kill_switch_on', actor_id: 'carol', scope: 'tenant', tenant_id: 't2', reason: 'r' } }),
    JSON.stringify({ wait: 'settled' }),
    JSON.stringify({ fault: 'kill_broker' }),
    JSON.stringify({ config: { pinned_policy_sha256: '0'.repeat(64) } }),
    JSON.stringify({ expect: { event_id: telemetry.event_id, final: 'RELEASED' } }),
  ].join('\n');
  const steps = parseScenario(text);
  t.deepEqual(
    steps.map((s) => `${s.kind}@${s.lineNo}`),
    ['telemetry@1', 'raw@3', 'operator@4', 'operator@5', 'wait@6', 'fault@7', 'config@8', 'expect@9'],
  );
  t.deepEqual(steps[0], { kind: 'telemetry', line: JSON.stringify(telemetry), event: telemetry, lineNo: 1 });
  t.deepEqual(steps[1], { kind: 'raw', line: '{"truncated', lineNo: 3 });
  t.deepEqual(steps[6], { kind: 'config', partial: { pinned_policy_sha256: '0'.repeat(64) }, lineNo: 8 });
  t.deepEqual(scenarioActors(steps), ['alice', 'carol']);
});

test('a sensor step names its sample, format, tenant and, when given, cell', (t) => {
  const sensor = { format: 'suricata', file: 'fixtures/sensors/suricata/flow.json', tenant_id: 't1', cell_id: 'ids-dmz' };
  t.deepEqual(parseScenario(JSON.stringify({ sensor })), [{ kind: 'sensor', sensor, lineNo: 1 }]);
});

test('a repeated telemetry line is the same bytes twice', (t) => {
  const line = JSON.stringify({ telemetry });
  const steps = parseScenario(`${line}\n${line}\n`);
  t.deepEqual(
    steps.map((s) => s.kind === 'telemetry' && s.line),
    [line.slice('{"telemetry":'.length, -1), line.slice('{"telemetry":'.length, -1)],
  );
});

const invalid: Array<[string, unknown, RegExp]> = [
  ['not JSON', '{nope', /not JSON/],
  ['two keys', { wait: 'settled', fault: 'restart' }, /exactly one key/],
  ['unknown step', { sleep: 5 }, /unknown step "sleep"/],
  ['telemetry not an object', { telemetry: 'x' }, /telemetry must be an object/],
  ['raw not a string', { raw: { a: 1 } }, /raw must be a string/],
  ['unknown operator action', { operator: { action: 'escalate', actor_id: 'a' } }, /operator.action must be one of/],
  ['operator without actor', { operator: { action: 'approve', event_id: 'e' } }, /actor_id must be a string/],
  ['approve without event', { operator: { action: 'approve', actor_id: 'a' } }, /approve needs event_id/],
  ['kill switch without scope', { operator: { action: 'kill_switch_on', actor_id: 'a' } }, /needs scope global or tenant/],
  ['tenant switch without tenant', { operator: { action: 'kill_switch_off', actor_id: 'a', scope: 'tenant' } }, /needs tenant_id/],
  ['wait other than settled', { wait: 'forever' }, /wait must be "settled"/],
  ['unknown fault', { fault: 'kill_disk' }, /fault must be one of/],
  ['config not an object', { config: [1] }, /config must be a partial config object/],
  ['expect without event', { expect: { final: 'RELEASED' } }, /expect needs event_id/],
  ['unknown final', { expect: { event_id: 'e', final: 'MAYBE' } }, /expect.final must be one of/],
  ['sensor in an unknown format', { sensor: { format: 'snort', file: 'f', tenant_id: 't1' } }, /sensor.format must be one of suricata, falco, wazuh, ocsf, ecs/],
  ['sensor without a file', { sensor: { format: 'falco', tenant_id: 't1' } }, /sensor.file must name a sample file/],
  ['sensor without a tenant', { sensor: { format: 'falco', file: 'f' } }, /sensor.tenant_id must be a tenant id/],
  ['sensor with an unknown key', { sensor: { format: 'falco', file: 'f', tenant_id: 't1', topic: 'x' } }, /sensor has unknown key "topic"/],
];

for (const [name, step, message] of invalid) {
  test(`rejected, naming file and line: ${name}`, (t) => {
    const line = typeof step === 'string' ? step : JSON.stringify(step);
    const error = t.throws(() => parseScenario(`{"wait":"settled"}\n${line}\n`, 'x.jsonl'), { instanceOf: ExoArmurError });
    t.is(error?.code, 'SCENARIO_INVALID');
    t.regex(error?.message ?? '', message);
    t.regex(error?.message ?? '', typeof step === 'string' ? /x\.jsonl:2: not JSON/ : /^x\.jsonl:2: /);
  });
}
