/**
 * Wazuh `alerts.json` records (4.x manager output; docs/adapters/wazuh.md). Every line is an
 * alert. The record `id` ("<epoch>.<offset in the alerts log>") is unique per manager, so the
 * trusted id is `<manager.name>/<id>`.
 */
import type { JsonValue, Severity } from '../../core/types.js';
import { invalid, refs, type AdapterOutcome } from './adapter.js';
import { at, firstText, firstTime, isObject, numberAt, text, type Json } from './fields.js';

const TIME_FIELDS = ['timestamp', '@timestamp'] as const;

export function mapWazuh(record: Json): AdapterOutcome {
  const rule = record['rule'];
  if (!isObject(rule)) return invalid('missing_field', 'wazuh alert has no "rule" object');
  const ruleId = text(rule, 'id');
  if (ruleId === null) return invalid('missing_field', 'wazuh alert has no rule.id');
  const level = numberAt(rule, 'level');
  if (level === null || level < 0) return invalid('bad_severity', `wazuh rule.level must be a number from 0 to 16, got ${JSON.stringify(rule['level'] ?? null)}`);
  const manager = text(record, 'manager.name');
  const alertId = text(record, 'id');
  const agentName = text(record, 'agent.name');
  const groups = Array.isArray(rule['groups']) ? rule['groups'].filter((g): g is string => typeof g === 'string') : [];
  const mitre = at(rule, 'mitre.id');
  const attributes: Record<string, JsonValue> = {
    level,
    groups,
    mitre_ids: Array.isArray(mitre) ? mitre.filter((m): m is string => typeof m === 'string') : [],
    agent_id: text(record, 'agent.id'),
    location: text(record, 'location'),
    decoder: text(record, 'decoder.name'),
    manager,
  };
  return {
    kind: 'alert',
    mapped: {
      time: firstTime(record, TIME_FIELDS),
      time_fields: TIME_FIELDS,
      source_id: alertId === null ? null : `${manager ?? ''}/${alertId}`,
      tenant_id: null,
      cell_id: manager === null ? 'wazuh' : `wazuh:${manager}`,
      product: 'Wazuh',
      sensor_host: manager,
      rule_id: ruleId,
      rule_name: text(rule, 'description'),
      event_type: `wazuh:${ruleId}`,
      severity: severityOf(level),
      raw_severity: level,
      refs: refs({
        host: agentName,
        user: firstText(record, ['data.dstuser', 'data.srcuser', 'data.win.eventdata.targetUserName']),
        process: firstText(record, ['data.program_name', 'predecoder.program_name']),
        ip: firstText(record, ['data.srcip', 'agent.ip']),
      }),
      correlation_id: null,
      attributes,
    },
  };
}

/** The Wazuh dashboard's bands: 0–6 low, 7–11 medium, 12–14 high, 15 and above critical. */
function severityOf(level: number): Severity {
  if (level >= 15) return 'critical';
  if (level >= 12) return 'high';
  if (level >= 7) return 'medium';
  return 'low';
}
