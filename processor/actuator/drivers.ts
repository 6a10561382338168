/**
 * How the reference actuator performs an intent. `webhook`: an HTTP POST of the intent as JSON with
 * `Idempotency-Key: <intent_id>`, so a receiver can make a repeated request (after a crash
 * mid-request) a no-op. `exec`: a command with the intent as JSON on stdin and the key in its
 * environment. Each attempt has a timeout; the verdict rules are in policy.ts.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { ExecutionIntentV1 } from '../core/types.js';
import { exitVerdict, httpVerdict, type AttemptVerdict } from './policy.js';

export interface AttemptResult {
  verdict: AttemptVerdict;
  /** HTTP status or exit code; null when nothing answered (timeout, refused connection, signal). */
  status: number | null;
  /** SHA-256 hex of the response body or stdout; null when nothing answered. */
  sha256: string | null;
  /** Why the attempt did not succeed; null when it did. */
  detail: string | null;
}

export interface Driver {
  readonly name: 'webhook' | 'exec';
  perform(intent: ExecutionIntentV1, attempt: number): Promise<AttemptResult>;
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

export function webhookDriver(options: { url: string; timeoutMs: number }): Driver {
  return {
    name: 'webhook',
    async perform(intent, attempt) {
      try {
        const response = await fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': intent.intent_id, 'x-exoarmur-attempt': String(attempt) },
          body: JSON.stringify(intent),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        const body = Buffer.from(await response.arrayBuffer());
        const verdict = httpVerdict(response.status);
        return { verdict, status: response.status, sha256: sha256(body), detail: verdict === 'succeeded' ? null : `HTTP ${response.status}` };
      } catch (error) {
        const err = error as Error & { cause?: { code?: string } };
        const detail = err.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : `${err.cause?.code ?? err.name}: ${err.message}`;
        return { verdict: 'retry', status: null, sha256: null, detail };
      }
    },
  };
}

export function execDriver(options: { command: string; timeoutMs: number }): Driver {
  return {
    name: 'exec',
    perform(intent, attempt) {
      return new Promise((resolve) => {
        // Its own process group, so a timeout kills the shell and whatever it started (a grandchild
        // holding stdout open would otherwise outlive the timeout).
        const child = spawn(options.command, {
          shell: true,
          detached: true,
          stdio: ['pipe', 'pipe', 'pipe'],
          env: { ...process.env, EXOARMUR_INTENT_ID: intent.intent_id, EXOARMUR_IDEMPOTENCY_KEY: intent.intent_id, EXOARMUR_ATTEMPT: String(attempt) },
        });
        const timer = setTimeout(() => {
          try {
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          } catch {
            // The group is already gone.
          }
        }, options.timeoutMs);
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
        child.stdin.on('error', () => undefined);
        child.stdin.end(JSON.stringify(intent));
        child.on('error', (error) => {
          clearTimeout(timer);
          resolve({ verdict: 'retry', status: null, sha256: null, detail: `cannot run ${options.command}: ${error.message}` });
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          const verdict = exitVerdict(code);
          const stderr = Buffer.concat(err).toString('utf8').trim().slice(0, 500);
          const detail = verdict === 'succeeded' ? null : signal !== null ? `killed by ${signal} (timeout ${options.timeoutMs} ms)` : `exit ${code}${stderr ? `: ${stderr}` : ''}`;
          resolve({ verdict, status: code, sha256: code === null ? null : sha256(Buffer.concat(out)), detail });
        });
      });
    },
  };
}
