/**
 * Hand-made edge cases of the sensor adapters: the time forms sensors write, which id is trusted,
 * how the format, tenant and cell are chosen, and a precise reason for each malformed record.
 */
import test from 'ava';
import { mergeConfig } from '../../config/model.js';
import { eventTime } from './fields.js';
import type { AdapterContext } from './adapter.js';
import { decodeSensor, decodeTelemetryInput, type SensorFormat } from './index.js';

const CTX: AdapterContext = { tenant_id: 'acme', cell_id: null, received_at: '2026-01-01T00:00:00.000Z' };
const bytes = (v: unknown): Buffer => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
const eve = (over: Record<string, unknown> = {}, alert: Record<string, unknown> = {}): Record<string, unknown> => ({
  timestamp: '2026-03-01T10:00:00.123456-0400',
  event_type: 'alert',
  src_ip: '10.0.0.5',
  dest_ip: '10.0.0.9',
  alert: { gid: 1, signature_id: 2000001, signature: 'TEST', severity: 2, ...alert },
  ...over,
});
const falco = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  time: '2026-03-01T14:00:00.123456789Z',
  rule: 'Terminal shell in container',
  priority: 'Critical',
  hostname: 'node-1',
  output_fields: { 'user.name': 'root', 'proc.name': 'bash' },
  ...over,
});

function reason(format: SensorFormat, value: unknown, ctx = CTX): string {
  const d = decodeSensor(format, bytes(value), ctx);
  return d.ok ? 'ok' : `${d.reason_code}: ${d.reason}`;
}

test('time forms: offsets without colon, nanoseconds, epoch s/ms/us/ns, a space for T', (t) => {
  const iso = (v: unknown): string => {
    const r = eventTime(v);
    return r.ok ? r.iso : `error: ${r.problem}`;
  };
  t.is(iso('2026-03-01T10:00:00.123456-0400'), '2026-03-01T14:00:00.123Z');
  t.is(iso('2026-03-01T10:00:00+0530'), '2026-03-01T04:30:00.000Z');
  t.is(iso('2026-03-01T10:00:00.999999999Z'), '2026-03-01T10:00:00.999Z');
  t.is(iso('2026-03-01 10:00:00.5+00:00'), '2026-03-01T10:00:00.500Z');
  t.is(iso(1772359200), '2026-03-01T10:00:00.000Z');
  t.is(iso(1772359200123), '2026-03-01T10:00:00.123Z');
  t.is(iso(1772359200123456), '2026-03-01T10:00:00.123Z');
  // Falco's evt.time: nanoseconds past 2^53, as JSON.parse hands them over.
  t.is(iso(Number('1772359200123456789')), '2026-03-01T10:00:00.123Z');
  t.is(iso('1772359200123'), '2026-03-01T10:00:00.123Z');
  t.is(iso('2026-03-01T10:00:00.123'), 'error: "2026-03-01T10:00:00.123" has no UTC offset, so its instant is unknown');
  t.is(iso('2026-02-30T10:00:00Z'), 'error: "2026-02-30T10:00:00Z" is not a calendar time');
  t.is(iso('yesterday'), 'error: "yesterday" is not an ISO 8601 / RFC 3339 time');
  t.is(iso(-5), 'error: -5 is not an epoch time');
  t.is(iso('9999-01-01T00:00:00Z'), 'error: "9999-01-01T00:00:00Z" is outside 1970..9000');
  t.is(iso(true), 'error: true is not a time');
});

test('event id: a trusted source id survives re-serialisation; without one only identical bytes share an id', (t) => {
  const id = (format: SensorFormat, raw: string): string => {
    const d = decodeSensor(format, Buffer.from(raw), CTX);
    return d.ok ? d.value.event_id : d.reason;
  };
  const withUuid = falco({ uuid: '5b4c8f0e-0000-4000-8000-000000000001' });
  t.is(id('falco', JSON.stringify(withUuid)), id('falco', JSON.stringify(withUuid, null, 2)));
  t.not(id('falco', JSON.stringify(falco())), id('falco', JSON.stringify(falco(), null, 2)));
  t.is(id('falco', JSON.stringify(falco())), id('falco', JSON.stringify(falco())));
  // Suricata's flow_id is shared by every alert of a flow: two alerts of one flow keep two ids.
  const a = id('suricata', JSON.stringify(eve({ flow_id: 7 })));
  const b = id('suricata', JSON.stringify(eve({ flow_id: 7 }, { signature_id: 2000002 })));
  t.not(a, b);
  // The ULID's time part is the event time (2026-03-01T14:00:00.123Z).
  t.is(a.slice(0, 10), '01KJMV5SVV');
});

test('format, tenant and cell: the header wins over the topic config, which wins over the record', (t) => {
  const spec = { format: 'suricata', tenant_id: 'from-config', cell_id: 'ids-dmz' };
  const viaConfig = decodeTelemetryInput(bytes(eve()), undefined, spec, CTX.received_at);
  t.true(viaConfig.ok);
  if (viaConfig.ok) t.deepEqual([viaConfig.value.tenant_id, viaConfig.value.cell_id, viaConfig.value.source.kind], ['from-config', 'ids-dmz', 'suricata']);
  const viaHeaders = decodeTelemetryInput(bytes(falco()), { 'exoarmur-format': 'falco', 'exoarmur-tenant': 'beta', 'exoarmur-cell': 'k8s-east' }, spec, CTX.received_at);
  t.true(viaHeaders.ok);
  if (viaHeaders.ok) t.deepEqual([viaHeaders.value.tenant_id, viaHeaders.value.cell_id, viaHeaders.value.source.kind], ['beta', 'k8s-east', 'falco']);
  const unknown = decodeTelemetryInput(bytes(eve()), { 'exoarmur-format': 'snort' }, spec, CTX.received_at);
  t.deepEqual(unknown, { ok: false, reason_code: 'unknown_format', reason: 'exoarmur-format header "snort" is not one of exoarmur, suricata, falco, wazuh, ocsf, ecs' });
  const native = decodeTelemetryInput(bytes(eve()), undefined, undefined, CTX.received_at);
  t.deepEqual(native.ok ? 'ok' : native.reason_code, 'unknown_field');
});

test('malformed records are rejected with a precise reason', (t) => {
  t.regex(reason('suricata', '{"event_type": "alert"'), /^not_json: the value is not valid UTF-8 JSON: Expected ',' or '}' after property value in JSON at position 22/);
  t.is(reason('suricata', [eve()]), 'not_object: the value is JSON array, not a suricata record object');
  t.is(reason('suricata', { timestamp: '2026-03-01T10:00:00Z' }), 'missing_field: suricata EVE record has no "event_type" string');
  t.is(reason('suricata', eve({ alert: 'x' })), 'missing_field: suricata alert record has no "alert" object');
  t.is(reason('suricata', eve({}, { signature_id: 'ET-1' })), 'missing_field: suricata alert.signature_id must be a non-negative integer, got "ET-1"');
  t.is(reason('suricata', eve({}, { severity: 0 })), 'bad_severity: suricata alert.severity must be a positive integer (1 = highest), got 0');
  t.is(reason('suricata', eve({ timestamp: '2026-03-01T10:00:00' })), 'bad_timestamp: suricata timestamp "2026-03-01T10:00:00" has no UTC offset, so its instant is unknown');
  t.is(reason('suricata', eve({ timestamp: undefined })), 'missing_field: suricata record has no event time (looked at timestamp)');
  t.is(reason('suricata', eve({ src_ip: undefined })), 'no_subject: suricata alert names no host, user, process, ip or service to act on');
  t.is(reason('suricata', eve(), { ...CTX, tenant_id: null }).startsWith('no_tenant: suricata records carry no tenant'), true);
  t.is(
    reason('falco', falco({ priority: 'Loud' })),
    'bad_severity: falco priority "Loud" is not one of emergency, alert, critical, error, warning, notice, informational, info, debug',
  );
  t.is(reason('falco', falco({ rule: '' })), 'missing_field: falco record has no "rule" string');
  t.is(reason('wazuh', { timestamp: '2026-03-01T10:00:00.000+0000', rule: { id: '5712' } }), 'bad_severity: wazuh rule.level must be a number from 0 to 16, got null');
  t.is(reason('wazuh', { timestamp: '2026-03-01T10:00:00.000+0000' }), 'missing_field: wazuh alert has no "rule" object');
  t.is(reason('ocsf', { class_uid: 2004, severity_id: 7, time: 1772359200123 }), 'bad_severity: ocsf severity_id 7 is not one of 0-6 or 99');
  t.is(reason('ocsf', { severity_id: 3 }), 'missing_field: ocsf event has no numeric "class_uid"');
  t.is(
    reason('ocsf', { class_uid: 3002, class_name: 'Authentication' }),
    'not_an_alert: ocsf class_uid 3002 (Authentication) is not a Detection (2004) or Security (2001) Finding',
  );
  t.is(
    reason('ecs', { 'event.kind': 'alert', 'rule.name': 'x' }),
    'bad_severity: ecs alert states no severity: none of kibana.alert.severity, kibana.alert.risk_score, event.risk_score, event.severity is usable',
  );
  t.is(
    reason('ecs', { event: { kind: 'alert', severity: 50 } }),
    'missing_field: ecs alert names no rule (rule.id, rule.name, kibana.alert.rule.rule_id or kibana.alert.rule.name)',
  );
  t.is(reason('ecs', {}), 'not_an_alert: ecs event.kind is missing; alerts carry event.kind "alert"');
});

test('severity scales: Suricata priority, Falco priority, Wazuh level bands, OCSF ids, ECS labels and scores', (t) => {
  const sev = (format: SensorFormat, value: unknown): string => {
    const d = decodeSensor(format, bytes(value), CTX);
    return d.ok ? d.value.severity : d.reason;
  };
  t.deepEqual(
    [1, 2, 3, 4].map((s) => sev('suricata', eve({}, { severity: s }))),
    ['high', 'medium', 'low', 'low'],
  );
  t.is(sev('suricata', eve({}, { severity: 1, metadata: { signature_severity: ['Critical'] } })), 'critical');
  t.deepEqual(
    ['Emergency', 'Error', 'Warning', 'Notice', 'debug'].map((p) => sev('falco', falco({ priority: p }))),
    ['critical', 'high', 'medium', 'low', 'low'],
  );
  const wazuh = (level: number): unknown => ({ timestamp: '2026-03-01T10:00:00.000-0400', rule: { id: '1', level }, agent: { name: 'web-1' } });
  t.deepEqual(
    [3, 7, 12, 15].map((l) => sev('wazuh', wazuh(l))),
    ['low', 'medium', 'high', 'critical'],
  );
  const ocsf = (id: number): unknown => ({ class_uid: 2004, severity_id: id, time: 1772359200123, device: { hostname: 'db-1' } });
  t.deepEqual(
    [1, 3, 4, 5, 6].map((i) => sev('ocsf', ocsf(i))),
    ['low', 'medium', 'high', 'critical', 'critical'],
  );
  const ecs = (extra: object): unknown => ({ '@timestamp': '2026-03-01T10:00:00Z', event: { kind: 'alert' }, rule: { id: 'r1' }, host: { name: 'h' }, ...extra });
  t.deepEqual(
    [
      { kibana: { alert: { severity: 'critical' } } },
      { 'kibana.alert.risk_score': 47 },
      { event: { kind: 'alert', risk_score: 73 } },
      { event: { kind: 'alert', severity: 99 } },
    ].map((x) => sev('ecs', ecs(x))),
    ['critical', 'medium', 'high', 'critical'],
  );
});

test('config inputs: validated, and absent by default so the default config hash does not move', (t) => {
  const config = mergeConfig({ inputs: { 'sensors.eve': { format: 'suricata', tenant_id: 'acme' } } });
  t.deepEqual(config.inputs, { 'sensors.eve': { format: 'suricata', tenant_id: 'acme', cell_id: null } });
  t.false('inputs' in mergeConfig({}));
  t.throws(() => mergeConfig({ inputs: { x: { format: 'snort' } } }), { message: /config key "inputs.x.format" must be one of exoarmur, suricata, falco, wazuh, ocsf, ecs/ });
  t.throws(() => mergeConfig({ inputs: { 'exoarmur.audit.v1': { format: 'ecs' } } }), { message: /config key "inputs.exoarmur.audit.v1" names the audit topic/ });
  t.throws(() => mergeConfig({ inputs: { x: { format: 'ecs', tenant_id: 'a:b' } } }), { message: /config key "inputs.x.tenant_id" contains ":"/ });
  t.throws(() => mergeConfig({ inputs: { x: { format: 'ecs', tenant: 'a' } } }), { message: /config key "inputs.x.tenant" is not a known setting/ });
});
