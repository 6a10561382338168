/**
 * The drivers against a real loopback HTTP server and real child processes (no broker): the
 * request they send, and how answers, silence and exit codes become verdicts.
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExecutionIntentV1 } from '../core/types.js';
import { execDriver, webhookDriver } from './drivers.js';

const intent: ExecutionIntentV1 = {
  intent_id: '01JDRIVERTEST0000000000001',
  intent_hash: 'a'.repeat(64),
  tenant_id: 'acme',
  correlation_id: 'host:web-1',
  trace_id: 't-1',
  subject: 'web-1',
  action_class: 'A2_hard_containment',
  intent_type: 'isolate',
  claim_type: 'suricata:1:2045001',
  released_by: { rule: 'SG-403', approval_id: null, approvers: [] },
  event_time: '2026-01-01T00:00:00.000Z',
  config_hash: 'b'.repeat(64),
  source_audit_id: '01JDRIVERTEST0000000000002',
};

async function serve(
  answer: (headers: IncomingHttpHeaders, body: string) => { status: number; body: string; delayMs?: number },
): Promise<{ url: string; server: Server; seen: { headers: IncomingHttpHeaders; body: string }[] }> {
  const seen: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ headers: req.headers, body });
      const a = answer(req.headers, body);
      setTimeout(() => {
        res.writeHead(a.status);
        res.end(a.body);
      }, a.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/isolate`, server, seen };
}

test('webhook: POSTs the intent as JSON with Idempotency-Key = intent_id; 2xx succeeded with the body digest', async (t) => {
  const { url, server, seen } = await serve(() => ({ status: 200, body: 'isolated' }));
  t.teardown(() => server.close());
  const result = await webhookDriver({ url, timeoutMs: 2000 }).perform(intent, 2);
  t.deepEqual(result, { verdict: 'succeeded', status: 200, sha256: createHash('sha256').update('isolated').digest('hex'), detail: null });
  t.is(seen.length, 1);
  t.is(seen[0]!.headers['idempotency-key'], intent.intent_id);
  t.is(seen[0]!.headers['x-exoarmur-attempt'], '2');
  t.is(seen[0]!.headers['content-type'], 'application/json');
  t.deepEqual(JSON.parse(seen[0]!.body), intent);
});

test('webhook: 503 retries, 404 fails, silence past the timeout and a closed port retry', async (t) => {
  const { url, server } = await serve((_h, body) =>
    body.includes('"slow"') ? { status: 200, body: '', delayMs: 4000 } : { status: body.includes('"missing"') ? 404 : 503, body: 'no' },
  );
  t.teardown(() => server.close());
  const driver = webhookDriver({ url, timeoutMs: 3000 });
  t.like(await driver.perform({ ...intent, subject: 'busy' }, 1), { verdict: 'retry', status: 503, detail: 'HTTP 503' });
  t.like(await driver.perform({ ...intent, subject: 'missing' }, 1), { verdict: 'failed', status: 404, detail: 'HTTP 404' });
  t.deepEqual(await webhookDriver({ url, timeoutMs: 500 }).perform({ ...intent, subject: 'slow' }, 1), {
    verdict: 'retry',
    status: null,
    sha256: null,
    detail: 'no answer within 500 ms',
  });
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const refused = await webhookDriver({ url: `http://127.0.0.1:${port}/x`, timeoutMs: 1000 }).perform(intent, 1);
  t.is(refused.verdict, 'retry');
  t.regex(refused.detail!, /^ECONNREFUSED: /);
});

test('exec: the intent on stdin and the key in the environment; exit 0, 75, other and a timeout', async (t) => {
  const echo = await execDriver({ command: 'cat; printf " key=$EXOARMUR_IDEMPOTENCY_KEY attempt=$EXOARMUR_ATTEMPT"', timeoutMs: 5000 }).perform(intent, 3);
  const expectedOut = `${JSON.stringify(intent)} key=${intent.intent_id} attempt=3`;
  t.deepEqual(echo, { verdict: 'succeeded', status: 0, sha256: createHash('sha256').update(expectedOut).digest('hex'), detail: null });
  t.like(await execDriver({ command: 'cat >/dev/null; exit 75', timeoutMs: 5000 }).perform(intent, 1), { verdict: 'retry', status: 75, detail: 'exit 75' });
  t.like(await execDriver({ command: 'cat >/dev/null; echo nope >&2; exit 3', timeoutMs: 5000 }).perform(intent, 1), { verdict: 'failed', status: 3, detail: 'exit 3: nope' });
  t.deepEqual(await execDriver({ command: 'sleep 5', timeoutMs: 200 }).perform(intent, 1), {
    verdict: 'retry',
    status: null,
    sha256: null,
    detail: 'killed by SIGKILL (timeout 200 ms)',
  });
});
