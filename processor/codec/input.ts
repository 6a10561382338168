/** Turns a consumed Kafka message into the core's input: decoded value, normalised times and key. */
import type { CoreInput, InputSource } from '../core/api.js';
import type { InputSpec } from '../config/types.js';
import { formatIsoMs } from '../core/time.js';
import { headerString, type InputHeaders } from './avro.js';
import { decodeOperatorAction } from './operator.js';
import { decodeExecutionResult } from './result.js';
import { decodeTelemetryInput } from './adapters/index.js';

/** The fields of a kafkajs message (plus its topic and partition) the core needs. */
export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | string | null;
  value: Buffer | null;
  headers?: InputHeaders;
  /** Kafka record timestamp, ms since the epoch as a decimal string (kafkajs convention). */
  timestamp: string;
}

/**
 * `inputs` is the config's telemetry input table (topic -> format, tenant, cell): a telemetry record
 * is decoded in the format its header or its topic names, native TelemetryEventV1 otherwise.
 */
export function toCoreInput(source: InputSource, message: ConsumedMessage, processTime: string | number, inputs?: Readonly<Record<string, InputSpec>>): CoreInput {
  const key = message.key === null ? null : typeof message.key === 'string' ? message.key : message.key.toString('utf8');
  const value = message.value;
  const kafka_timestamp = kafkaTimestamp(message.timestamp);
  return {
    source,
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key,
    value,
    kafka_timestamp,
    process_time: typeof processTime === 'number' ? formatIsoMs(processTime) : processTime,
    decoded:
      source === 'telemetry'
        ? decodeTelemetryInput(value, message.headers, inputs?.[message.topic], kafka_timestamp)
        : source === 'operator'
          ? decodeOperatorAction(value, message.headers)
          : decodeExecutionResult(value, message.headers),
  };
}

/** Kafka timestamps are ms since the epoch; a missing one (-1, pre-0.10 formats) maps to the epoch. */
function kafkaTimestamp(timestamp: string): string {
  const ms = Number(timestamp);
  return Number.isFinite(ms) && ms >= 0 && ms <= 8.64e15 ? formatIsoMs(ms) : formatIsoMs(0);
}

export { headerString };
