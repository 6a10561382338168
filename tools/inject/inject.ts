/**
 * The sensor side: an at-least-once producer of telemetry JSON lines. Each line is sent byte for
 * byte (so a repeated line is a true duplicate delivery), keyed `tenant_id:correlation_id`.
 * Before anything is sent every line is checked with the processor's own telemetry decoder, so a
 * file the processor would only dead-letter is refused here with the line and the reason. With
 * `--raw` nothing is checked: a line that is not a JSON object with those two strings is sent
 * with a null key and the processor dead-letters it (that is how a sensor test feeds bad input).
 */
import { decodeTelemetry } from '../../processor/codec/index.js';
import type { Kafka, Message } from '../../processor/io/client.js';
import { createPlainProducer } from '../../processor/io/produce.js';
import { UsageError } from '../../processor/errors.js';

/** The step keys of a scenario line (fixtures/scenarios/README.md): a file of them is a scenario, not telemetry. */
const SCENARIO_STEP_KEYS = ['telemetry', 'operator', 'wait', 'fault', 'expect', 'raw', 'config'];

function scenarioStep(line: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const keys = Object.keys(parsed);
  return keys.length === 1 && SCENARIO_STEP_KEYS.includes(keys[0]!) ? keys[0]! : null;
}

/**
 * Every line must be a TelemetryEventV1 the processor accepts; otherwise one usage error naming
 * the first bad line (its number in the file's non-blank lines, the decoder's reason) and how
 * many more there are. A scenario file is named as such, with how to use it instead.
 */
export function checkTelemetryLines(lines: readonly string[], file: string): void {
  const steps = lines.map(scenarioStep);
  const firstStep = steps.findIndex((s) => s !== null);
  if (firstStep >= 0) {
    throw new UsageError(
      'INJECT_SCENARIO_FORMAT',
      `${file} is a scenario (line ${firstStep + 1} is a {"${steps[firstStep]}": …} step), not telemetry: play it with \`exoarmur reality --scenario <its directory>\`, or inject its events alone: jq -c '.telemetry // empty' ${file} > events.jsonl`,
    );
  }
  const bad: Array<{ line: number; reason: string }> = [];
  lines.forEach((line, i) => {
    const decoded = decodeTelemetry(Buffer.from(line, 'utf8'));
    if (!decoded.ok) bad.push({ line: i + 1, reason: `${decoded.reason_code}: ${decoded.reason}` });
  });
  if (bad.length > 0) {
    const more = bad.length > 1 ? ` (and ${bad.length - 1} more invalid line${bad.length > 2 ? 's' : ''})` : '';
    throw new UsageError(
      'INJECT_LINE_INVALID',
      `${file} line ${bad[0]!.line} is not a valid TelemetryEventV1 (${bad[0]!.reason})${more}; nothing was sent: fix the line${bad.length > 1 ? 's' : ''}, or pass --raw to send the bytes as they are (the processor dead-letters them)`,
    );
  }
}

export interface InjectReport {
  sent: number;
  keyed: number;
  unkeyed: number;
}

/** `tenant_id:correlation_id` of a telemetry line, or null when the line does not carry both. */
export function telemetryKey(line: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const { tenant_id: tenant, correlation_id: correlation } = parsed as Record<string, unknown>;
  return typeof tenant === 'string' && typeof correlation === 'string' ? `${tenant}:${correlation}` : null;
}

/** The lines of a JSONL text that carry anything (blank lines are layout, not events). */
export function jsonlLines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim().length > 0);
}

export async function injectLines(kafka: Kafka, topic: string, lines: readonly string[], batchSize = 1000): Promise<InjectReport> {
  // The Java-compatible murmur2 partitioner: the same key lands on the same partition as from any
  // Java client (and kcat with -X partitioner=murmur2_random).
  // At least once: acks=-1 and retries; one request in flight keeps the file's order per partition.
  const producer = createPlainProducer(kafka);
  const report: InjectReport = { sent: 0, keyed: 0, unkeyed: 0 };
  await producer.connect();
  try {
    for (let i = 0; i < lines.length; i += batchSize) {
      const messages: Message[] = lines.slice(i, i + batchSize).map((line) => {
        const key = telemetryKey(line);
        if (key === null) report.unkeyed += 1;
        else report.keyed += 1;
        return { key, value: Buffer.from(line, 'utf8') };
      });
      await producer.send({ topic, messages, acks: -1 });
      report.sent += messages.length;
    }
  } finally {
    await producer.disconnect();
  }
  return report;
}
