/**
 * Suricata EVE JSON (docs/adapters/suricata.md). Only `event_type: "alert"` records are alerts;
 * flow, dns, http, stats, anomaly… are not. EVE has no per-alert id (flow_id is shared by every
 * record of a flow), so the event id derives from the record's bytes.
 */
import type { JsonValue, Severity } from '../../core/types.js';
import { invalid, refs, type AdapterOutcome } from './adapter.js';
import { at, firstTime, isObject, numberAt, text, type Json } from './fields.js';

const TIME_FIELDS = ['timestamp'] as const;

export function mapSuricata(record: Json): AdapterOutcome {
  const eventType = at(record, 'event_type');
  if (typeof eventType !== 'string' || eventType.length === 0) return invalid('missing_field', 'suricata EVE record has no "event_type" string');
  if (eventType !== 'alert') return { kind: 'not_an_alert', reason: `suricata event_type "${eventType}" is not an alert` };
  const alert = record['alert'];
  if (!isObject(alert)) return invalid('missing_field', 'suricata alert record has no "alert" object');
  const sid = numberAt(alert, 'signature_id');
  if (sid === null || !Number.isInteger(sid) || sid < 0)
    return invalid('missing_field', `suricata alert.signature_id must be a non-negative integer, got ${JSON.stringify(alert['signature_id'])}`);
  const gid = numberAt(alert, 'gid') ?? 1;
  const level = alert['severity'];
  if (typeof level !== 'number' || !Number.isInteger(level) || level < 1) {
    return invalid('bad_severity', `suricata alert.severity must be a positive integer (1 = highest), got ${JSON.stringify(level)}`);
  }
  const targetIp = text(alert, 'target.ip');
  const ip = targetIp ?? text(record, 'src_ip');
  const sensor = text(record, 'host');
  const attributes: Record<string, JsonValue> = {
    signature: text(alert, 'signature'),
    category: text(alert, 'category'),
    action: text(alert, 'action'),
    src_ip: text(record, 'src_ip'),
    src_port: numberAt(record, 'src_port'),
    dest_ip: text(record, 'dest_ip'),
    dest_port: numberAt(record, 'dest_port'),
    proto: text(record, 'proto'),
    app_proto: text(record, 'app_proto'),
    flow_id: numberAt(record, 'flow_id'),
    community_id: text(record, 'community_id'),
  };
  return {
    kind: 'alert',
    mapped: {
      time: firstTime(record, TIME_FIELDS),
      time_fields: TIME_FIELDS,
      source_id: null,
      tenant_id: null,
      cell_id: sensor === null ? 'suricata' : `suricata:${sensor}`,
      product: 'Suricata',
      sensor_host: sensor,
      rule_id: `${gid}:${sid}`,
      rule_name: text(alert, 'signature'),
      event_type: `suricata:${gid}:${sid}`,
      severity: severityOf(level, alert),
      raw_severity: level,
      refs: refs({ ip }),
      correlation_id: text(record, 'community_id'),
      attributes,
    },
  };
}

/**
 * Suricata's priority: 1 high, 2 medium, 3 and beyond low. Emerging Threats rules also state a
 * signature_severity; "Critical" there lifts a priority-1 alert to critical.
 */
function severityOf(level: number, alert: Json): Severity {
  if (level === 1) {
    const stated = at(alert, 'metadata.signature_severity');
    const critical = Array.isArray(stated) && stated.some((s) => typeof s === 'string' && s.toLowerCase() === 'critical');
    return critical ? 'critical' : 'high';
  }
  return level === 2 ? 'medium' : 'low';
}
