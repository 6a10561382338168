/**
 * Splits a batch's outputs into produce requests small enough for the broker. kafkajs puts all of
 * a request's messages for one topic-partition into a single record batch, and the broker rejects a
 * record batch above the topic's max.message.bytes (1 MiB by default on Kafka and Redpanda). A
 * transaction of 500 telemetry inputs writes several audit records per input to one partition,
 * well above that, so the transaction would fail and be retried forever. Sending the slices one
 * request after another inside the same transaction keeps atomicity and per-partition order.
 */
import type { Message } from 'kafkajs';
import type { TopicMessages } from './transactions.js';

/** Below the 1 MiB default with room for the record batch and per-record framing. */
export const MAX_REQUEST_BATCH_BYTES = 900 * 1024;
/** Upper bound of a record's framing in a v2 record batch (length, attributes, deltas, header counts). */
const RECORD_OVERHEAD_BYTES = 32;

function byteLength(value: Message['value'] | Message['key']): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
}

export function messageBytes(message: Message): number {
  let bytes = RECORD_OVERHEAD_BYTES + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += Buffer.byteLength(name, 'utf8') + 8;
    if (Array.isArray(value)) for (const v of value) bytes += byteLength(v);
    else bytes += byteLength(value as Buffer | string | undefined);
  }
  return bytes;
}

/**
 * Consecutive requests, each holding at most `maxBytes` of records (estimated) in total, in the
 * original order per topic. A single record above the bound travels alone (the broker decides).
 */
export function sizeBoundedRequests(outputs: readonly TopicMessages[], maxBytes: number = MAX_REQUEST_BATCH_BYTES): TopicMessages[][] {
  const requests: TopicMessages[][] = [];
  let current: TopicMessages[] = [];
  let currentBytes = 0;
  for (const { topic, messages } of outputs) {
    let slice: Message[] = [];
    for (const message of messages) {
      const bytes = messageBytes(message);
      if (currentBytes + bytes > maxBytes && currentBytes > 0) {
        if (slice.length > 0) current.push({ topic, messages: slice });
        requests.push(current);
        current = [];
        currentBytes = 0;
        slice = [];
      }
      slice.push(message);
      currentBytes += bytes;
    }
    if (slice.length > 0) current.push({ topic, messages: slice });
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
