/**
 * Test support for the secure embedded broker: what the broker itself decided (its authorizer log,
 * kafka.authorizer.logger, one INFO line per denial naming principal, operation, resource and
 * request) and what a client was told. kafkajs reports a denied FindCoordinator as "no coordinator"
 * (it tries the next broker and drops the answer), so where the client's error is only that, the
 * broker's log line is the proof of the kind of refusal.
 */
import { readFileSync } from 'node:fs';
import type { Kafka } from '../../processor/io/client.js';
import { kafkaErrorType } from '../../processor/io/kafka-errors.js';
import { createPlainProducer } from '../../processor/io/produce.js';

export interface Denial {
  /** e.g. `User:sensor`. */
  principal: string;
  /** The ACL operation refused, as the broker names it (DESCRIBE, READ, WRITE, CREATE, ...). */
  operation: string;
  /** `<Type>:<PATTERN>:<name>`, e.g. `TransactionalId:LITERAL:app.0`. */
  resource: string;
  /** The protocol request refused (FindCoordinator, AddOffsetsToTxn, Produce, ...). */
  request: string;
}

const DENIAL = /Principal = (\S+) is Denied operation = (\S+) from host = \S+ on resource = (\S+) for request = (\S+) /;

/** Every denial in the broker's log so far, in order. */
export function brokerDenials(logFile: string): Denial[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .flatMap((line) => {
      const m = DENIAL.exec(line);
      return m === null ? [] : [{ principal: m[1]!, operation: m[2]!, resource: m[3]!, request: m[4]! }];
    });
}

/** The distinct `<operation> <request>` pairs the broker denied `principal` on `resource` (retries repeat a pair). */
export function deniedOn(logFile: string, principal: string, resource: string): string[] {
  const pairs = brokerDenials(logFile)
    .filter((d) => d.principal === principal && d.resource === resource)
    .map((d) => `${d.operation} ${d.request}`);
  return [...new Set(pairs)].sort();
}

/**
 * What the client was told: the broker's protocol error type anywhere in the cause chain (every
 * one of an aggregate, e.g. CreateTopics), else the innermost error's name.
 */
export function refusalOf(error: unknown): string {
  const aggregate = (error as { errors?: unknown[] } | undefined)?.errors;
  if (Array.isArray(aggregate) && aggregate.length > 0) return [...new Set(aggregate.map(refusalOf))].join(',');
  const type = kafkaErrorType(error);
  if (type !== undefined) return type;
  let innermost = error as { name?: string; cause?: unknown; originalError?: unknown };
  for (let depth = 0; depth < 10; depth += 1) {
    const next = (innermost.originalError ?? innermost.cause) as typeof innermost | undefined;
    if (next === undefined || next === null || typeof next !== 'object') break;
    innermost = next;
  }
  return innermost.name ?? String(error);
}

/** One plain acks=all send of one record: `written`, or what refused it. */
export async function attemptWrite(kafka: Kafka, topic: string): Promise<string> {
  const producer = createPlainProducer(kafka);
  try {
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'k', value: 'v' }] });
    return 'written';
  } catch (error) {
    return refusalOf(error);
  } finally {
    await producer.disconnect();
  }
}
