/**
 * The sensor side: an at-least-once producer of telemetry JSON lines. Each line is sent byte for
 * byte (so a repeated line is a true duplicate delivery), keyed `tenant_id:correlation_id`. A line
 * that is not a JSON object with those two strings is still sent, raw with a null key, so the
 * processor dead-letters it — nothing the sensor emits is dropped on this side.
 */
import type { Kafka, Message } from '../../processor/io/client.js';
import { createPlainProducer } from '../../processor/io/produce.js';

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
