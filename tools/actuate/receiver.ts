/**
 * A loopback webhook receiver for the reference actuator: it applies an effect once per
 * Idempotency-Key (the first request with a key) and answers every repeat from what it already
 * did, as a real receiving system must. Every request is appended, synchronously, as one JSON line
 * to its log, so a reviewer can count requests and effects per key after the fact. `make reality`
 * runs it as a child process on a free port; `exoarmur receiver` runs it for a manual trial.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One line of the receiver's log. */
export interface ReceivedRequest {
  /** The Idempotency-Key header, or null when the request carried none. */
  key: string | null;
  /** `intent_id` of the JSON body, or null when the body is not an intent. */
  intent_id: string | null;
  /** The X-ExoArmur-Attempt header. */
  attempt: number | null;
  /** applied: the key's first request, whose effect this was; repeat: the key was already applied; refused: no key. */
  effect: 'applied' | 'repeat' | 'refused';
  /** HTTP status answered. */
  status: number;
}

export interface ReceiverOptions {
  host: string;
  /** 0 = a free port the system picks. */
  port: number;
  /** The request log (JSON lines, appended). */
  logFile: string;
  /** Written with the bound port once listening, for whoever started it. */
  portFile?: string;
}

export interface RunningReceiver {
  server: Server;
  port: number;
}

/** Parsing keeps going on a body that is not an intent: the request is still logged and answered. */
function intentIdOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { intent_id?: unknown };
    return typeof parsed.intent_id === 'string' ? parsed.intent_id : null;
  } catch {
    return null;
  }
}

export async function startReceiver(options: ReceiverOptions): Promise<RunningReceiver> {
  const applied = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const header = req.headers['idempotency-key'];
      const key = typeof header === 'string' && header !== '' ? header : null;
      const attemptHeader = Number(req.headers['x-exoarmur-attempt']);
      const effect: ReceivedRequest['effect'] = key === null ? 'refused' : applied.has(key) ? 'repeat' : 'applied';
      if (key !== null) applied.add(key);
      const status = effect === 'refused' ? 400 : 200;
      const line: ReceivedRequest = {
        key,
        intent_id: intentIdOf(Buffer.concat(chunks).toString('utf8')),
        attempt: Number.isInteger(attemptHeader) ? attemptHeader : null,
        effect,
        status,
      };
      // Logged before the answer: an effect the actuator never heard about is still on record.
      appendFileSync(options.logFile, `${JSON.stringify(line)}\n`);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(effect === 'refused' ? 'an Idempotency-Key header is required' : `${effect} ${key}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  if (options.portFile !== undefined) writeFileSync(options.portFile, `${port}\n`);
  return { server, port };
}

/** Requests and effects per Idempotency-Key, from the receiver's log lines. */
export interface ReceiverCounts {
  requests: number;
  keys: number;
  /** Requests that repeated a key already applied (a retry after a lost answer, or a redelivery). */
  repeats: number;
  refused: number;
  /** key -> { requests, applied } */
  per_key: Record<string, { requests: number; applied: number }>;
}

export function receiverCounts(lines: readonly ReceivedRequest[]): ReceiverCounts {
  const perKey: Record<string, { requests: number; applied: number }> = {};
  let repeats = 0;
  let refused = 0;
  for (const r of lines) {
    if (r.key === null) {
      refused += 1;
      continue;
    }
    const entry = (perKey[r.key] ??= { requests: 0, applied: 0 });
    entry.requests += 1;
    if (r.effect === 'applied') entry.applied += 1;
    else repeats += 1;
  }
  const sorted: Record<string, { requests: number; applied: number }> = {};
  for (const key of Object.keys(perKey).sort()) sorted[key] = perKey[key]!;
  return { requests: lines.length, keys: Object.keys(sorted).length, repeats, refused, per_key: sorted };
}

/** The receiver's log as written (one JSON line per request). */
export function receivedRequests(text: string): ReceivedRequest[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ReceivedRequest);
}
