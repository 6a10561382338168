/**
 * The adapters over records the formats' own projects published (fixtures/sensors/, each with its
 * source and licence in fixtures/sensors/README.md): one whole mapped event per format, the id,
 * time and severity of every other alert sample, and the non-alert samples counted as such.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TelemetryEventV1 } from '../../core/types.js';
import { decodeSensor, type SensorFormat } from './index.js';

const SAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'fixtures', 'sensors');
const CTX = { tenant_id: 'acme', cell_id: null, received_at: '2026-01-01T00:00:00.000Z' };

function sample(format: SensorFormat, name: string): Buffer {
  return readFileSync(join(SAMPLES, format, `${name}.json`));
}

function mapped(format: SensorFormat, name: string): TelemetryEventV1 {
  const decoded = decodeSensor(format, sample(format, name), CTX);
  if (!decoded.ok) throw new Error(`${format}/${name}: ${decoded.reason_code}: ${decoded.reason}`);
  return decoded.value;
}

const refs = (r: Partial<TelemetryEventV1['entity_refs']>): TelemetryEventV1['entity_refs'] => ({ host: null, user: null, process: null, ip: null, service: null, ...r });

test('suricata: the EVE alert from the Suricata user guide, whole', (t) => {
  const signature = 'ET ATTACK_RESPONSE Win32/LeftHook Stealer Browser Extension Config Inbound';
  t.deepEqual(mapped('suricata', 'alert-lefthook-stealer'), {
    schema_version: '1',
    event_id: '01HAKERP0WTWQXFHDBBJXDEY2B',
    tenant_id: 'acme',
    cell_id: 'suricata',
    observed_at: '2023-09-18T06:13:41.532Z',
    received_at: '2026-01-01T00:00:00.000Z',
    source: { kind: 'suricata', name: 'Suricata', host: null, sensor_id: 'suricata' },
    event_type: 'suricata:1:2045001',
    severity: 'high',
    attributes: {
      format: 'suricata',
      rule_id: '1:2045001',
      rule_name: signature,
      source_event_id: null,
      source_severity: 1,
      signature,
      category: 'A Network Trojan was detected',
      action: 'allowed',
      src_ip: '142.11.240.191',
      src_port: 35361,
      dest_ip: '192.168.100.237',
      dest_port: 49175,
      proto: 'TCP',
      app_proto: 'http',
      flow_id: 1676750115612680,
      community_id: null,
    },
    entity_refs: refs({ ip: '142.11.240.191' }),
    correlation_id: 'ip:142.11.240.191',
    trace_id: '01HAKERP0WTWQXFHDBBJXDEY2B',
  });
});

test('falco: the event-generator alert (nanosecond time, uuid), whole', (t) => {
  const container = 'elastic-package-service-10413-falco-event-generator-1';
  const event = mapped('falco', 'run-shell-untrusted');
  t.true(String(event.attributes['output']).startsWith('2024-08-07T13:49:16.479964318+0000: Notice Shell spawned by untrusted binary'));
  t.deepEqual(
    { ...event, attributes: { ...event.attributes, output: null } },
    {
      schema_version: '1',
      event_id: '01J4PHKR9ZPPD4XJVTTWEHECD2',
      tenant_id: 'acme',
      cell_id: 'falco:e822ea6618ae',
      observed_at: '2024-08-07T13:49:16.479Z',
      received_at: '2026-01-01T00:00:00.000Z',
      source: { kind: 'falco', name: 'Falco', host: 'e822ea6618ae', sensor_id: 'falco:e822ea6618ae' },
      event_type: 'falco:Run shell untrusted',
      severity: 'low',
      attributes: {
        format: 'falco',
        rule_id: null,
        rule_name: 'Run shell untrusted',
        source_event_id: '23716645-4d9d-4254-9429-2a287a9af199',
        source_severity: 'Notice',
        priority: 'Notice',
        falco_source: 'syscall',
        tags: ['T1059.004', 'container', 'host', 'maturity_stable', 'mitre_execution', 'process', 'shell'],
        output: null,
        container_id: '2ae6a7f15b6e',
        k8s_namespace: null,
        k8s_pod: null,
        command_line: 'bash -c ls > /dev/null',
      },
      entity_refs: refs({ host: 'e822ea6618ae', user: 'root', process: 'bash', service: container }),
      correlation_id: 'host:e822ea6618ae',
      trace_id: '23716645-4d9d-4254-9429-2a287a9af199',
    },
  );
});

test('wazuh: the alerts.json line from wazuh-qa (+0000 offset without colon), whole', (t) => {
  t.deepEqual(mapped('wazuh', 'sshd-brute-force'), {
    schema_version: '1',
    event_id: '01G2SHGQ513M6MD4MXMS4BJZX4',
    tenant_id: 'acme',
    cell_id: 'wazuh:localhost.localdomain',
    observed_at: '2022-05-11T12:29:19.905Z',
    received_at: '2026-01-01T00:00:00.000Z',
    source: { kind: 'wazuh', name: 'Wazuh', host: 'localhost.localdomain', sensor_id: 'wazuh:localhost.localdomain' },
    event_type: 'wazuh:5712',
    severity: 'medium',
    attributes: {
      format: 'wazuh',
      rule_id: '5712',
      rule_name: 'sshd: brute force trying to get access to the system. Non existent user.',
      source_event_id: 'localhost.localdomain/1652272159.1549653',
      source_severity: 10,
      level: 10,
      groups: ['syslog', 'sshd', 'authentication_failures'],
      mitre_ids: ['T1110'],
      agent_id: '000',
      location: '/var/log/secure',
      decoder: 'sshd',
      manager: 'localhost.localdomain',
    },
    entity_refs: refs({ host: 'localhost.localdomain', user: 'paco', process: 'sshd', ip: '172.17.1.1' }),
    correlation_id: 'host:localhost.localdomain',
    trace_id: 'localhost.localdomain/1652272159.1549653',
  });
});

test('ocsf: the GuardDuty Detection Finding (-04:00 time_dt), whole', (t) => {
  const finding = 'arn:aws:guardduty:us-east-2:111111111111:detector/1ac1bfceda6679698215d5d0EXAMPLE/finding/a6c556fcbc9bea427a19f8b787099a0b';
  const type = 'TTPs/Defense Evasion/Stealth:IAMUser-CloudTrailLoggingDisabled';
  t.deepEqual(mapped('ocsf', 'detection-finding-guardduty'), {
    schema_version: '1',
    event_id: '01HAPZJY9QG0488NNVG37MXNTA',
    tenant_id: 'acme',
    cell_id: 'ocsf:Amazon/GuardDuty',
    observed_at: '2023-09-19T15:05:22.487Z',
    received_at: '2026-01-01T00:00:00.000Z',
    source: { kind: 'ocsf', name: 'GuardDuty', host: null, sensor_id: 'ocsf:Amazon/GuardDuty' },
    event_type: `ocsf:GuardDuty:${type}`,
    severity: 'low',
    attributes: {
      format: 'ocsf',
      rule_id: type,
      rule_name: 'AWS CloudTrail trail arn:aws:cloudtrail:us-east-2:111111111111:trail/delete-me was disabled.',
      source_event_id: null,
      source_severity: 2,
      class_uid: 2004,
      class_name: 'Detection Finding',
      activity_id: 1,
      finding_uid: finding,
      vendor: 'Amazon',
      cloud_account: '111111111111',
      status: 'New',
    },
    entity_refs: refs({ ip: '52.94.133.131', service: 'AWS::IAM::AccessKey:ASIATMJPC7EXAMPLE' }),
    correlation_id: finding,
    trace_id: '01HAPZJY9QG0488NNVG37MXNTA',
  });
});

test('ecs: the Elastic Falco integration alert document (nested and flat dotted keys), whole', (t) => {
  t.deepEqual(mapped('ecs', 'falco-alert'), {
    schema_version: '1',
    event_id: '01J4PHKR9ZR8BMK11QP9GX3SVZ',
    tenant_id: 'acme',
    cell_id: 'ecs:e822ea6618ae',
    observed_at: '2024-08-07T13:49:16.479Z',
    received_at: '2026-01-01T00:00:00.000Z',
    source: { kind: 'ecs', name: 'falco', host: 'e822ea6618ae', sensor_id: 'ecs:e822ea6618ae' },
    event_type: 'ecs:Run shell untrusted',
    severity: 'low',
    attributes: {
      format: 'ecs',
      rule_id: null,
      rule_name: 'Run shell untrusted',
      source_event_id: null,
      source_severity: 2,
      dataset: 'falco.alerts',
      module: null,
      category: 'process',
      technique: 'T1059',
      source_ip: null,
      destination_ip: null,
    },
    entity_refs: refs({ host: 'docker-fleet-agent', user: 'root', process: 'bash', ip: '192.168.160.9', service: 'elastic-package-service-10413-falco-event-generator-1' }),
    correlation_id: 'host:docker-fleet-agent',
    trace_id: '01J4PHKR9ZR8BMK11QP9GX3SVZ',
  });
});

test('the other alert samples: event time, severity, claim and subject', (t) => {
  const pick = (e: TelemetryEventV1): unknown[] => [e.observed_at, e.severity, e.event_type, e.entity_refs];
  t.deepEqual(pick(mapped('suricata', 'alert-http-corruption')), ['2017-04-07T21:24:37.251Z', 'medium', 'suricata:1:2018358', refs({ ip: '192.168.2.14' })]);
  t.deepEqual(pick(mapped('falco', 'kernel-module-injection')), [
    '2023-01-03T15:11:39.558Z',
    'medium',
    'falco:Linux Kernel Module Injection Detected',
    refs({ host: 'host0.local', user: 'user.name' }),
  ]);
  t.deepEqual(pick(mapped('falco', 'sidekick-test-input')), ['2001-01-01T01:10:00.000Z', 'low', 'falco:Test rule', refs({ host: 'test-host', process: 'falcosidekick' })]);
  t.deepEqual(pick(mapped('ocsf', 'detection-finding-okta')), [
    '2024-08-13T15:58:20.000Z',
    'low',
    'ocsf:Okta System Log:security.threat.detected',
    refs({ ip: '10.0.0.1', service: '/app/office365/1111111111/sso/wsfed/active' }),
  ]);
  t.deepEqual(pick(mapped('ocsf', 'security-finding-falco')), ['2023-01-03T15:11:39.558Z', 'medium', 'ocsf:Falco:syscalls', refs({ host: 'host0.local', user: 'user.name' })]);
  t.deepEqual(pick(mapped('ocsf', 'security-finding-qradar')), ['2023-04-24T14:44:23.218Z', 'high', 'ocsf:QRadar SIEM:CRE', refs({ ip: '99.99.99.99' })]);
});

test('every non-alert sample is not_an_alert with its kind named, never a malformed record', (t) => {
  const expected: Record<string, string> = {
    'suricata/anomaly': 'suricata event_type "anomaly" is not an alert',
    'suricata/fileinfo': 'suricata event_type "fileinfo" is not an alert',
    'suricata/flow': 'suricata event_type "flow" is not an alert',
    'suricata/http': 'suricata event_type "http" is not an alert',
    'suricata/mqtt': 'suricata event_type "mqtt" is not an alert',
    'falco/syscall-event-drop': 'falco "Falco internal: syscall event drop" is a sensor health report, not a detection',
    'ecs/suricata-eve-ssh': 'ecs event.kind "event"; alerts carry event.kind "alert"',
  };
  for (const [path, reason] of Object.entries(expected)) {
    const [format, name] = path.split('/') as [SensorFormat, string];
    t.deepEqual(decodeSensor(format, sample(format, name), CTX), { ok: false, reason_code: 'not_an_alert', reason, hint: { tenant_id: 'acme' } }, path);
  }
});

test('all 18 sample files decode to the same result twice (replay re-derives it from the bytes)', (t) => {
  const formats: SensorFormat[] = ['suricata', 'falco', 'wazuh', 'ocsf', 'ecs'];
  const files = formats.flatMap((f) =>
    readdirSync(join(SAMPLES, f))
      .filter((n) => n.endsWith('.json'))
      .map((n) => [f, n.slice(0, -5)] as const),
  );
  t.is(files.length, 18);
  for (const [format, name] of files) t.deepEqual(decodeSensor(format, sample(format, name), CTX), decodeSensor(format, sample(format, name), CTX));
});
