/**
 * OCSF findings (docs/adapters/ocsf.md): Detection Finding (class 2004) and Security Finding
 * (2001, deprecated in 1.1 but still written). Any other class (Authentication, Network Activity…)
 * is not an alert. `metadata.uid` is the event's own id; `finding_info.uid` names the finding and
 * repeats on each update of it, so it is the correlation, never the event id.
 */
import type { JsonValue, Severity } from '../../core/types.js';
import { invalid, refs, type AdapterOutcome } from './adapter.js';
import { at, firstText, firstTime, numberAt, text, type Json } from './fields.js';

const FINDING_CLASSES: Record<number, string> = { 2001: 'Security Finding', 2004: 'Detection Finding' };

const TIME_FIELDS = ['time_dt', 'time', 'finding_info.created_time_dt', 'finding_info.created_time', 'finding.created_time'] as const;

/** OCSF severity_id: 0 Unknown, 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical, 6 Fatal, 99 Other. */
const SEVERITY: Record<number, Severity> = { 0: 'low', 1: 'low', 2: 'low', 3: 'medium', 4: 'high', 5: 'critical', 6: 'critical', 99: 'low' };

/** OCSF risk_level_id (findings written before severity_id was required): 0 Info, 1 Low, 2 Medium, 3 High, 4 Critical. */
const RISK_LEVEL: Record<number, Severity> = { 0: 'low', 1: 'low', 2: 'medium', 3: 'high', 4: 'critical' };

export function mapOcsf(record: Json): AdapterOutcome {
  const classUid = numberAt(record, 'class_uid');
  if (classUid === null) return invalid('missing_field', 'ocsf event has no numeric "class_uid"');
  const className = FINDING_CLASSES[classUid];
  if (className === undefined) {
    return { kind: 'not_an_alert', reason: `ocsf class_uid ${classUid} (${text(record, 'class_name') ?? 'unnamed'}) is not a Detection (2004) or Security (2001) Finding` };
  }
  const severityId = numberAt(record, 'severity_id');
  const riskLevelId = numberAt(record, 'risk_level_id');
  const severity = severityId !== null ? SEVERITY[severityId] : riskLevelId !== null ? RISK_LEVEL[riskLevelId] : undefined;
  if (severity === undefined) {
    return invalid(
      'bad_severity',
      severityId !== null
        ? `ocsf severity_id ${severityId} is not one of 0-6 or 99`
        : `ocsf finding has neither severity_id nor a risk_level_id of 0-4 (risk_level_id ${JSON.stringify(at(record, 'risk_level_id') ?? null)})`,
    );
  }
  const vendor = text(record, 'metadata.product.vendor_name');
  const product = text(record, 'metadata.product.name') ?? 'OCSF';
  const ruleId = firstText(record, [
    'finding_info.analytic.uid',
    'analytic.uid',
    'finding_info.analytic.name',
    'analytic.name',
    'metadata.event_code',
    'finding_info.types.0',
    'finding.types.0',
  ]);
  const ruleName = firstText(record, ['finding_info.title', 'finding.title', 'message']);
  const tenant = text(record, 'metadata.tenant_uid');
  const attributes: Record<string, JsonValue> = {
    class_uid: classUid,
    class_name: className,
    activity_id: numberAt(record, 'activity_id'),
    finding_uid: firstText(record, ['finding_info.uid', 'finding.uid']),
    vendor,
    cloud_account: text(record, 'cloud.account.uid'),
    status: text(record, 'status'),
  };
  return {
    kind: 'alert',
    mapped: {
      time: firstTime(record, TIME_FIELDS),
      time_fields: TIME_FIELDS,
      source_id: text(record, 'metadata.uid'),
      tenant_id: tenant,
      cell_id: `ocsf:${vendor ?? 'unknown'}/${product}`,
      product,
      sensor_host: null,
      rule_id: ruleId,
      rule_name: ruleName,
      event_type: `ocsf:${product}:${ruleId ?? ruleName ?? classUid}`,
      severity,
      raw_severity: severityId ?? riskLevelId,
      refs: refs({
        host: firstText(record, ['device.hostname', 'device.name']) ?? observable(record, 1, 'hostname'),
        user: firstText(record, ['actor.user.name', 'user.name']) ?? observable(record, 4, 'user.name'),
        process: firstText(record, ['process.name', 'actor.process.name']) ?? observable(record, 9, 'proc.name'),
        ip: firstText(record, ['src_endpoint.ip', 'device.ip', 'evidences.0.src_endpoint.ip']) ?? observable(record, 2, 'ip'),
        service: firstText(record, ['resources.0.uid', 'resources.0.name', 'cloud.account.uid']),
      }),
      correlation_id: firstText(record, ['metadata.correlation_uid', 'finding_info.uid', 'finding.uid']),
      attributes,
    },
  };
}

/**
 * The value of the first observable of a type (OCSF type_id: 1 Hostname, 2 IP Address, 4 User
 * Name, 9 Process Name) or, when the producer typed it "Other", of that name.
 */
function observable(record: Json, typeId: number, name: string): string | null {
  const list = at(record, 'observables');
  if (!Array.isArray(list)) return null;
  for (const o of list) {
    if (numberAt(o, 'type_id') === typeId || text(o, 'name') === name) {
      const value = text(o, 'value');
      if (value !== null) return value;
    }
  }
  return null;
}
