/**
 * Judges a replayed corpus from the committed outputs alone: each record's one receipt, the
 * reason code of its rejection (receipt or operator_action_rejected), its dead letter, against what
 * the corpus expects; and the table of the report (class, count, receipts and reason codes seen).
 */
import type { AuditRecordV1, DeadLetterV1 } from '../../processor/core/types.js';
import { RECEIPT_KINDS } from '../../processor/core/types.js';
import type { HostileRecord } from './corpus.js';

/** Where a corpus record landed: the topic name and its coordinates. */
export interface SentRecord {
  record: HostileRecord;
  topic: string;
  partition: number;
  offset: string;
}

export interface Observation {
  class: string;
  name: string;
  at: string;
  receipts: string[];
  reason_code: string | null;
  dead_letter: boolean;
  expected: HostileRecord['expect'];
  /** Empty when the record got what the corpus expects. */
  problem: string;
}

export interface ClassRow {
  class: string;
  count: number;
  receipts: Record<string, number>;
  reason_codes: Record<string, number>;
  mismatches: number;
}

function coordinate(topic: string, partition: number, offset: string): string {
  return `${topic}/${partition}/${offset}`;
}

export function observe(sent: readonly SentRecord[], audit: readonly AuditRecordV1[], deadLetters: readonly DeadLetterV1[]): Observation[] {
  const byInput = new Map<string, AuditRecordV1[]>();
  for (const record of audit) {
    const at = coordinate(record.input.topic, record.input.partition, record.input.offset);
    const list = byInput.get(at) ?? [];
    list.push(record);
    byInput.set(at, list);
  }
  const letters = new Map(deadLetters.map((l) => [coordinate(l.source_topic, l.source_partition, l.source_offset), l]));
  return sent.map(({ record, topic, partition, offset }) => {
    const at = coordinate(topic, partition, offset);
    const records = byInput.get(at) ?? [];
    const receipts = records.filter((r) => RECEIPT_KINDS.has(r.event_kind));
    const receipt = receipts[0];
    const rejection = receipt?.event_kind.endsWith('_rejected') ? receipt : records.find((r) => r.event_kind === 'operator_action_rejected');
    const reason_code = rejection === undefined ? null : (rejection.payload as { reason_code: string }).reason_code;
    const letter = letters.get(at);
    const dead_letter = letter !== undefined && receipt !== undefined && letter.receipt_audit_id === receipt.audit_id;
    const problems: string[] = [];
    if (receipts.length !== 1) problems.push(`${receipts.length} receipts`);
    if (receipt !== undefined && receipt.event_kind !== record.expect.receipt) problems.push(`receipt ${receipt.event_kind}, expected ${record.expect.receipt}`);
    if (reason_code !== record.expect.reason_code) problems.push(`reason ${reason_code ?? 'none'}, expected ${record.expect.reason_code ?? 'none'}`);
    const mustDeadLetter = record.expect.receipt.endsWith('_rejected');
    if (mustDeadLetter !== dead_letter) problems.push(mustDeadLetter ? 'no dead letter' : 'an unexpected dead letter');
    if (letter !== undefined && letter.reason_code !== reason_code) problems.push(`dead letter reason ${letter.reason_code} differs from the receipt's`);
    return {
      class: record.class,
      name: record.name,
      at,
      receipts: receipts.map((r) => r.event_kind),
      reason_code,
      dead_letter,
      expected: record.expect,
      problem: problems.join('; '),
    };
  });
}

export function classTable(observations: readonly Observation[]): ClassRow[] {
  const rows = new Map<string, ClassRow>();
  for (const o of observations) {
    const row = rows.get(o.class) ?? { class: o.class, count: 0, receipts: {}, reason_codes: {}, mismatches: 0 };
    row.count += 1;
    for (const r of o.receipts) row.receipts[r] = (row.receipts[r] ?? 0) + 1;
    const code = o.reason_code ?? '(accepted)';
    row.reason_codes[code] = (row.reason_codes[code] ?? 0) + 1;
    if (o.problem !== '') row.mismatches += 1;
    rows.set(o.class, row);
  }
  return [...rows.values()].sort((a, b) => a.class.localeCompare(b.class));
}

/** The table as Markdown, for report.md and the CLI's output. */
export function tableMarkdown(rows: readonly ClassRow[]): string {
  const fmt = (m: Record<string, number>): string =>
    Object.entries(m)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k} ×${n}`)
      .join(', ');
  const lines = ['| class | count | receipts | reason codes | mismatches |', '|---|---:|---|---|---:|'];
  for (const row of rows) lines.push(`| ${row.class} | ${row.count} | ${fmt(row.receipts)} | ${fmt(row.reason_codes)} | ${row.mismatches} |`);
  return `${lines.join('\n')}\n`;
}
