/**
 * The recorded-run directory (fixtures/recorded/<name>/): file names, the JSON line forms of its
 * records, and their conversion to and from the in-memory RecordedRun that replay drives. Bytes
 * (input keys, values and header values, dead-letter values) are base64 so a line is exact; every
 * other field is the record's own JSON form, as the bundle's audit_export.jsonl writes it.
 */
import type { ConsumedMessage } from '../../processor/codec/index.js';
import type { HeaderValue, InputHeaders } from '../../processor/codec/avro.js';
import type { AuditRecordV1, DeadLetterV1, ExecutionIntentV1 } from '../../processor/core/types.js';
import type { Topics } from '../../processor/config/types.js';

export const RECORDED_FILES = {
  inputs: 'inputs.jsonl',
  audit: 'audit.jsonl',
  execute: 'execute.jsonl',
  dlq: 'dlq.jsonl',
  configSnapshots: 'config_snapshots.json',
  run: 'run.json',
  sums: 'SHA256SUMS',
} as const;

/** Every file SHA256SUMS covers (all but itself), in the order it lists them. */
export const SUMMED_FILES: readonly string[] = [
  RECORDED_FILES.audit,
  RECORDED_FILES.configSnapshots,
  RECORDED_FILES.dlq,
  RECORDED_FILES.execute,
  RECORDED_FILES.inputs,
  RECORDED_FILES.run,
];

/**
 * Version of the directory layout this tool writes. Format 2 keys run.json's topics by the
 * config's topic keys; format 1 (fixtures recorded before the one topic vocabulary) used role
 * names, which `runMetaOf` maps. A loader refuses any other format.
 */
export const RECORDED_FORMAT = 2;

const FORMAT_1_TOPIC_KEYS: Readonly<Record<string, keyof Topics>> = {
  telemetry: 'telemetry',
  operatorActions: 'operator_actions',
  config: 'config',
  audit: 'audit',
  intentsExecute: 'execute',
  state: 'state',
  dlq: 'dlq',
};

/** run.json as this tool reads it, whatever readable format wrote it; null for an unknown format. */
export function runMetaOf(parsed: RunMeta): RunMeta | null {
  if (parsed.format === RECORDED_FORMAT) return parsed;
  if (parsed.format !== 1) return null;
  const topics = Object.fromEntries(Object.entries(parsed.topics).map(([role, name]) => [FORMAT_1_TOPIC_KEYS[role] ?? role, name])) as unknown as Topics;
  return { ...parsed, topics };
}

/** One consumed input record, exactly as the broker returned it. */
export interface InputLine {
  topic: string;
  partition: number;
  offset: string;
  /** Kafka record timestamp, ms since the epoch as a decimal string (kafkajs convention). */
  timestamp: string;
  key_base64: string | null;
  value_base64: string | null;
  /** Header name -> base64 of its value (an array when the header repeats), names sorted. */
  headers: Record<string, string | string[]>;
}

/** An execute intent with the output partition it was written to. */
export interface ExecuteLine {
  partition: number;
  record: ExecutionIntentV1;
}

/** A dead letter with its partition; its raw `value` bytes become `value_base64`. */
export interface DlqLine {
  partition: number;
  record: Omit<DeadLetterV1, 'value'> & { value_base64: string | null };
}

export interface RecordedCounts {
  /** Input records the receipts point at, by input role. */
  inputs: { telemetry: number; operator: number };
  receipts: number;
  audit: number;
  /** Audit records per partition (index = partition). */
  audit_per_partition: number[];
  execute: number;
  dlq: number;
  config_snapshots: number;
}

/** run.json: what was recorded, from where, with which tool. */
export interface RunMeta {
  format: number;
  run_id: string;
  partitions: number;
  topics: Topics;
  counts: RecordedCounts;
  recorded_with: { tool: string; version: string };
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
const bytesOrNull = (s: string | null): Buffer | null => (s === null ? null : Buffer.from(s, 'base64'));

function headerText(value: HeaderValue): string | string[] | null {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? b64(Buffer.from(v, 'utf8')) : b64(v)));
  return typeof value === 'string' ? b64(Buffer.from(value, 'utf8')) : b64(value);
}

export function inputLine(message: ConsumedMessage): InputLine {
  const headers: Record<string, string | string[]> = {};
  for (const name of Object.keys(message.headers ?? {}).sort()) {
    const text = headerText(message.headers![name]);
    if (text !== null) headers[name] = text;
  }
  const key = message.key === null ? null : typeof message.key === 'string' ? Buffer.from(message.key, 'utf8') : message.key;
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key_base64: key === null ? null : b64(key),
    value_base64: message.value === null ? null : b64(message.value),
    headers,
  };
}

/** Back to the form kafkajs delivers: key, value and header values as Buffers. */
export function consumedMessage(line: InputLine): ConsumedMessage {
  const headers: InputHeaders = {};
  for (const [name, value] of Object.entries(line.headers)) {
    headers[name] = Array.isArray(value) ? value.map((v) => Buffer.from(v, 'base64')) : Buffer.from(value, 'base64');
  }
  return {
    topic: line.topic,
    partition: line.partition,
    offset: line.offset,
    timestamp: line.timestamp,
    key: bytesOrNull(line.key_base64),
    value: bytesOrNull(line.value_base64),
    headers,
  };
}

export function dlqLine(partition: number, record: DeadLetterV1): DlqLine {
  const { value, ...rest } = record;
  return { partition, record: { ...rest, value_base64: value === null ? null : b64(value) } };
}

export function deadLetter(line: DlqLine): DeadLetterV1 {
  const { value_base64, ...rest } = line.record;
  const value = bytesOrNull(value_base64);
  return { ...rest, value: value === null ? null : new Uint8Array(value.buffer, value.byteOffset, value.length) };
}

/** Audit records carry their partition: audit partition p holds input partition p's records. */
export function auditPartition(record: AuditRecordV1): number {
  return record.input.partition;
}

/** Input order in inputs.jsonl: topic name, partition, offset (numerically). */
export function compareInputs(a: InputLine, b: InputLine): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  if (a.partition !== b.partition) return a.partition - b.partition;
  const oa = BigInt(a.offset);
  const ob = BigInt(b.offset);
  return oa < ob ? -1 : oa > ob ? 1 : 0;
}

/** sha256sum's format: `<hex>  <name>`, one line per file, so `sha256sum -c SHA256SUMS` checks it too. */
export function sumsText(sums: ReadonlyMap<string, string>): string {
  return [...sums].map(([name, hex]) => `${hex}  ${name}\n`).join('');
}

export function parseSums(text: string): Map<string, string> | null {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line);
    if (m === null) return null;
    out.set(m[2]!, m[1]!);
  }
  return out;
}
