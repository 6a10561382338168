/** Turns a consumed record into the JSON line `exoarmur inspect` prints: Avro decoded by its schema header, JSON telemetry parsed. */
import type { KafkaMessage } from '../../processor/io/client.js';
import { decodeRecord, headerString, SCHEMA_HEADER } from '../../processor/codec/index.js';

export interface InspectedRecord {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  schema: string | null;
  value: unknown;
  /** Set when the value could not be decoded (it is then given as base64). */
  error?: string;
}

export function inspectRecord(topic: string, partition: number, message: KafkaMessage): InspectedRecord {
  const base = {
    topic,
    partition,
    offset: message.offset,
    timestamp: new Date(Number(message.timestamp)).toISOString(),
    key: message.key === null ? null : message.key.toString('utf8'),
  };
  const schema = headerString(message.headers?.[SCHEMA_HEADER]) ?? null;
  if (message.value === null) return { ...base, schema, value: null };
  if (schema === null) {
    const text = message.value.toString('utf8');
    try {
      return { ...base, schema, value: JSON.parse(text) as unknown };
    } catch {
      return { ...base, schema, value: text, error: 'not JSON' };
    }
  }
  const decoded = decodeRecord('auto', message.value, message.headers);
  if (!decoded.ok) return { ...base, schema, value: message.value.toString('base64'), error: decoded.reason };
  return { ...base, schema, value: decoded.value };
}

/** JSON with byte arrays as base64 (dead letters carry the raw input bytes). */
export function inspectJson(record: InspectedRecord): string {
  return JSON.stringify(record, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value));
}
