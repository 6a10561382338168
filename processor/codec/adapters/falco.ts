/**
 * Falco JSON output (`json_output: true`; docs/adapters/falco.md). Every record is a rule firing,
 * except Falco's own health reports ("Falco internal: …", e.g. syscall event drops), which are not
 * alerts. Falco 0.36+ writes a `uuid` per alert: that is the trusted id when present.
 */
import type { JsonValue, Severity } from '../../core/types.js';
import { invalid, refs, type AdapterOutcome } from './adapter.js';
import { at, firstText, firstTime, isObject, text, type Json } from './fields.js';

const TIME_FIELDS = ['time', 'output_fields.evt.time', 'output_fields.evt.rawtime', 'output_fields.evt.time.iso8601'] as const;

const PRIORITY: Record<string, Severity> = {
  emergency: 'critical',
  alert: 'critical',
  critical: 'critical',
  error: 'high',
  warning: 'medium',
  notice: 'low',
  informational: 'low',
  info: 'low',
  debug: 'low',
};

export function mapFalco(record: Json): AdapterOutcome {
  const rule = text(record, 'rule');
  if (rule === null) return invalid('missing_field', 'falco record has no "rule" string');
  if (rule.startsWith('Falco internal')) return { kind: 'not_an_alert', reason: `falco "${rule}" is a sensor health report, not a detection` };
  const priority = text(record, 'priority');
  const severity = priority === null ? undefined : PRIORITY[priority.toLowerCase()];
  if (severity === undefined) return invalid('bad_severity', `falco priority ${JSON.stringify(at(record, 'priority') ?? null)} is not one of ${Object.keys(PRIORITY).join(', ')}`);
  const fields = isObject(record['output_fields']) ? record['output_fields'] : {};
  const hostname = firstText(record, ['hostname', 'output_fields.evt.hostname']);
  const uuid = text(record, 'uuid');
  const tags = Array.isArray(record['tags']) ? record['tags'].filter((t): t is string => typeof t === 'string') : [];
  const attributes: Record<string, JsonValue> = {
    priority,
    falco_source: text(record, 'source'),
    tags,
    output: text(record, 'output'),
    container_id: text(fields, 'container.id'),
    k8s_namespace: text(fields, 'k8s.ns.name'),
    k8s_pod: text(fields, 'k8s.pod.name'),
    command_line: text(fields, 'proc.cmdline'),
  };
  return {
    kind: 'alert',
    mapped: {
      time: firstTime(record, TIME_FIELDS),
      time_fields: TIME_FIELDS,
      source_id: uuid,
      tenant_id: null,
      cell_id: hostname === null ? 'falco' : `falco:${hostname}`,
      product: 'Falco',
      sensor_host: hostname,
      rule_id: null,
      rule_name: rule,
      event_type: `falco:${rule}`,
      severity,
      raw_severity: priority,
      refs: refs({
        host: hostname,
        user: text(fields, 'user.name'),
        process: firstText(fields, ['proc.name', 'proc.exepath']),
        ip: firstText(fields, ['fd.rip', 'fd.sip']),
        service: firstText(fields, ['container.name', 'k8s.pod.name']),
      }),
      correlation_id: null,
      attributes,
    },
  };
}
