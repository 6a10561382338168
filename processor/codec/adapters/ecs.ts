/**
 * Elastic Common Schema alert documents (docs/adapters/ecs.md): `event.kind: "alert"` (or the
 * pre-8.0 Elastic Security "signal"). Other kinds (event, metric, state…) are not alerts. Fields may
 * be nested or flat dotted keys; both are read. The trusted id is `kibana.alert.uuid`, else `event.id`.
 */
import type { JsonValue, Severity } from '../../core/types.js';
import { invalid, refs, type AdapterOutcome } from './adapter.js';
import { at, firstOf, firstText, firstTime, numberAt, text, type Json } from './fields.js';

const ALERT_KINDS = ['alert', 'signal'];
const TIME_FIELDS = ['kibana.alert.original_time', '@timestamp', 'event.created'] as const;
const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

export function mapEcs(record: Json): AdapterOutcome {
  const kind = text(record, 'event.kind');
  if (kind === null || !ALERT_KINDS.includes(kind)) {
    return { kind: 'not_an_alert', reason: `ecs event.kind ${kind === null ? 'is missing' : `"${kind}"`}; alerts carry event.kind "alert"` };
  }
  const severity = severityOf(record);
  if (severity === null) {
    return invalid('bad_severity', 'ecs alert states no severity: none of kibana.alert.severity, kibana.alert.risk_score, event.risk_score, event.severity is usable');
  }
  const ruleId = firstText(record, ['rule.id', 'kibana.alert.rule.rule_id', 'rule.uuid']);
  const ruleName = firstText(record, ['rule.name', 'kibana.alert.rule.name']);
  if (ruleId === null && ruleName === null) return invalid('missing_field', 'ecs alert names no rule (rule.id, rule.name, kibana.alert.rule.rule_id or kibana.alert.rule.name)');
  const observer = firstText(record, ['observer.name', 'observer.hostname', 'agent.name']);
  const product = firstText(record, ['observer.product', 'event.module', 'event.dataset']) ?? 'ECS';
  const attributes: Record<string, JsonValue> = {
    dataset: text(record, 'event.dataset'),
    module: text(record, 'event.module'),
    category: firstOf(record, 'event.category'),
    technique: firstOf(record, 'threat.technique.id'),
    source_ip: text(record, 'source.ip'),
    destination_ip: text(record, 'destination.ip'),
  };
  return {
    kind: 'alert',
    mapped: {
      time: firstTime(record, TIME_FIELDS),
      time_fields: TIME_FIELDS,
      source_id: firstText(record, ['kibana.alert.uuid', 'event.id']),
      tenant_id: text(record, 'organization.id'),
      cell_id: observer === null ? 'ecs' : `ecs:${observer}`,
      product,
      sensor_host: text(record, 'observer.hostname'),
      rule_id: ruleId,
      rule_name: ruleName,
      event_type: `ecs:${ruleId ?? ruleName!}`,
      severity: severity.value,
      raw_severity: severity.raw,
      refs: refs({
        host: firstText(record, ['host.name', 'host.hostname']),
        user: firstText(record, ['user.name', 'process.user.name']),
        process: firstText(record, ['process.name', 'process.executable']),
        ip: text(record, 'source.ip') ?? firstOf(record, 'host.ip'),
        service: firstText(record, ['service.name', 'container.name']),
      }),
      correlation_id: firstText(record, ['network.community_id', 'kibana.alert.group.id']),
      attributes,
    },
  };
}

/**
 * Elastic Security's own label first; else a 0–100 score in Elastic's bands (0–21 low, 22–47
 * medium, 48–73 high, 74–100 critical). ECS leaves event.severity's scale to the source, so it is
 * read in the same bands.
 */
function severityOf(record: Json): { value: Severity; raw: JsonValue } | null {
  const label = text(record, 'kibana.alert.severity')?.toLowerCase();
  if (label !== undefined && SEVERITIES.includes(label as Severity)) return { value: label as Severity, raw: label };
  for (const path of ['kibana.alert.risk_score', 'event.risk_score', 'event.severity']) {
    const score = numberAt(record, path);
    if (score === null || score < 0) continue;
    const value: Severity = score >= 74 ? 'critical' : score >= 48 ? 'high' : score >= 22 ? 'medium' : 'low';
    return { value, raw: at(record, path) as JsonValue };
  }
  return null;
}
