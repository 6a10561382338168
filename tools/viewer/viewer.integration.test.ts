/**
 * Browser test of the evidence viewer: Debian's chromium (headless, driven by playwright-core)
 * opens a bundle's index.html from disk and we read what the page shows.
 *
 * The bundle comes from EXOARMUR_BUNDLE when set (a real `make reality` bundle); otherwise this
 * file assembles one in a temp dir in the documented shapes with real hashes: canonical JSON,
 * per-partition audit hash chains, config hash, Ed25519-signed operator actions and manifest,
 * computed here with node:crypto, independently of the page's WebCrypto code.
 */
import test from 'ava';
import { createHash, generateKeyPairSync, sign, verify, createPublicKey, type KeyObject } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { packageRoot, writeViewerHtml } from './embed.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const SCREENSHOTS = path.join(packageRoot(), 'artifacts', 'viewer');

// ------------------------------------------------------------------ contracts, node side

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj).sort().filter((k) => obj[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Deterministic ULID per docs/contracts.md: 48-bit event time + first 80 bits of SHA-256(kind\ntenant\nkey\nindex). */
function ulid(kind: string, tenant: string, key: string, index: number, eventTime: string): string {
  const random = createHash('sha256').update(`${kind}\n${tenant}\n${key}\n${index}`).digest().subarray(0, 10);
  let bits = BigInt(Date.parse(eventTime)) << 80n;
  bits |= BigInt(`0x${random.toString('hex')}`);
  let out = '';
  for (let i = 0; i < 26; i++) {
    out = CROCKFORD[Number(bits & 31n)] + out;
    bits >>= 5n;
  }
  return out;
}

interface AuditRecord {
  audit_id: string;
  event_kind: string;
  tenant_id: string;
  correlation_id: string;
  trace_id: string;
  idempotency_key: string;
  input: { topic: string; partition: number; offset: string };
  seq: number;
  event_time: string;
  process_time: string;
  config_hash: string;
  payload: Record<string, unknown>;
  prev_hash: string;
  record_hash: string;
}

interface Gate {
  n: number;
  name: string;
  status: string;
  evidence: string;
}

/** The test's own reading of PASS_FAIL.txt (DESIGN §5), independent of the page's parser. */
function readPassFail(text: string): { gates: Gate[]; overall: string | null } {
  const gates: Gate[] = [];
  let overall: string | null = null;
  for (const line of text.split('\n')) {
    const gate = /^GATE (\d+) (.+?): (PASS|FAIL|UNPROVEN)(?: - (.*))?$/.exec(line.trim());
    if (gate) gates.push({ n: Number(gate[1]), name: gate[2]!, status: gate[3]!, evidence: gate[4] ?? '' });
    const all = /^OVERALL: (PASS|FAIL)$/.exec(line.trim());
    if (all) overall = all[1]!;
  }
  return { gates, overall };
}

function readJsonLines<T>(text: string): T[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

// ------------------------------------------------------------------ a bundle with real hashes

const TENANT = 'acme';
const TELEMETRY = 'exoarmur.telemetry.v1';
const OPERATOR = 'exoarmur.operator-actions.v1';

function at(baseIso: string, ms: number): string {
  return new Date(Date.parse(baseIso) + ms).toISOString();
}

interface BuildOptions {
  replayMismatch?: boolean;
}

/** Writes a small two-partition run: quorum approval, duplicate, out-of-order event, rejection, restart gap, forged action. */
async function buildBundle(dir: string, options: BuildOptions = {}): Promise<void> {
  const runId = 'run-01JVIEWERTEST';
  const key = (): { publicKey: KeyObject; privateKey: KeyObject } => generateKeyPairSync('ed25519');
  const alice = key();
  const bob = key();
  const mallory = key();
  const spki = (k: KeyObject): string => k.export({ type: 'spki', format: 'der' }).toString('base64');
  const config = {
    app_id: 'exoarmur',
    kafka: { brokers: ['127.0.0.1:19092'], client_id: 'exoarmur' },
    topics: { telemetry: TELEMETRY, operator_actions: OPERATOR, audit: 'exoarmur.audit.v1' },
    policy: { belief_ttl_s: 3600, default_trust: 0.85, quorum_size: 2, approval_ttl_s: 900, severity_confidence: { low: 0.2, medium: 0.5, high: 0.8, critical: 0.95 } },
    operators: { alice: { public_key: spki(alice.publicKey) }, bob: { public_key: spki(bob.publicKey) }, mallory: { public_key: spki(mallory.publicKey) } },
    pinned_policy_sha256: null,
  };
  const configHash = sha256Hex(canonicalJson(config));

  const chains = new Map<number, { seq: number; prev: string }>();
  const audit: AuditRecord[] = [];
  const T0 = '2026-03-01T10:00:00.000Z';
  const P0 = '2026-03-01T10:05:00.000Z';
  let processMs = 0;
  const emit = (partition: number, topic: string, offset: number, idem: string, correlation: string, eventTime: string, kinds: [string, Record<string, unknown>][]): void => {
    for (const [index, [eventKind, payload]] of kinds.entries()) {
      const chain = chains.get(partition) ?? { seq: 0, prev: '0'.repeat(64) };
      const record: Omit<AuditRecord, 'record_hash'> = {
        // Input coordinates in the id key: a duplicate delivery shares the idempotency key but is a distinct input.
        audit_id: ulid('audit', TENANT, `${idem}@${topic}/${partition}/${offset}`, index, eventTime),
        event_kind: eventKind,
        tenant_id: TENANT,
        correlation_id: correlation,
        trace_id: `trace-${correlation}`,
        idempotency_key: idem,
        input: { topic, partition, offset: String(offset) },
        seq: chain.seq,
        event_time: eventTime,
        process_time: at(P0, processMs + index * 2),
        config_hash: configHash,
        payload,
        prev_hash: chain.prev,
      };
      const recordHash = sha256Hex(canonicalJson(record));
      audit.push({ ...record, record_hash: recordHash });
      chains.set(partition, { seq: chain.seq + 1, prev: recordHash });
    }
    processMs += 40;
  };
  const decision = (event: string, subject: string, severity: string, confidence: number, cls: string, rule: string, verdict: string): [string, Record<string, unknown>][] => {
    const intentId = ulid('intent', TENANT, `${TENANT}:${event}`, 0, T0);
    const actionClass = cls === 'malicious' ? 'A2_hard_containment' : cls === 'suspicious' ? 'A1_soft_containment' : 'A0_observe';
    const intentHash = sha256Hex(`${event}/${actionClass}`);
    return [
      ['telemetry_received', { event_id: event, event_type: 'edr.alert', severity }],
      ['facts_derived', { subject: `host:${subject}`, claim_type: 'edr.alert' }],
      ['belief_emitted', { emitter: 'cell-eu-1', subject: `host:${subject}`, claim_type: 'edr.alert', confidence, classification: cls, ttl_s: 3600 }],
      ['collective_updated', { aggregate_score: confidence, quorum_count: 1, conflict: false, members: ['cell-eu-1'] }],
      ['intent_proposed', { intent_id: intentId, intent_hash: intentHash, action_class: actionClass, intent_type: actionClass === 'A0_observe' ? 'observe' : 'contain_host', subject: `host:${subject}` }],
      ['safety_evaluated', { intent_id: intentId, rule, verdict, trust: 0.85, confidence }],
    ];
  };

  // Partition 0: an A2 intent held for quorum, its duplicate delivery, a denied A1.
  const e1 = ulid('event', TENANT, 'e1', 0, T0);
  const d1 = decision(e1, 'web-01', 'high', 0.8, 'malicious', 'SG-404', 'require_quorum');
  const intent1 = d1[4]![1];
  const approvalId = ulid('approval', TENANT, `${TENANT}:${e1}`, 0, T0);
  emit(0, TELEMETRY, 0, `${TENANT}:${e1}`, 'corr-alpha', T0, [...d1,
    ['approval_requested', { approval_id: approvalId, intent_id: intent1.intent_id, intent_hash: intent1.intent_hash, requirement: 'quorum', required_approvers: 2, expires_at: at(T0, 900_000) }]]);
  emit(0, TELEMETRY, 1, `${TENANT}:${e1}`, 'corr-alpha', T0, [['telemetry_duplicate', { event_id: e1, first_seen: { partition: 0, offset: '0' } }]]);
  const e4 = ulid('event', TENANT, 'e4', 0, at(T0, 120_000));
  emit(0, TELEMETRY, 2, `${TENANT}:${e4}`, 'corr-delta', at(T0, 120_000), [...decision(e4, 'db-02', 'medium', 0.5, 'suspicious', 'SG-402', 'deny'), ['intent_denied', { rule: 'SG-402' }]]);

  // Partition 1: a released A2, an out-of-order A0 (earlier event time, consumed later), a rejected event.
  const e2 = ulid('event', TENANT, 'e2', 0, at(T0, 60_000));
  emit(1, TELEMETRY, 0, `${TENANT}:${e2}`, 'corr-bravo', at(T0, 60_000), [...decision(e2, 'app-07', 'critical', 0.95, 'malicious', 'SG-403', 'allow'), ['intent_released', { execute_topic: 'exoarmur.intents.execute.v1' }]]);
  const e3 = ulid('event', TENANT, 'e3', 0, at(T0, 10_000));
  emit(1, TELEMETRY, 1, `${TENANT}:${e3}`, 'corr-charlie', at(T0, 10_000), [...decision(e3, 'lab-03', 'low', 0.2, 'benign', 'SG-501', 'allow'), ['intent_released', { execute_topic: 'exoarmur.intents.execute.v1' }]]);
  const e5 = ulid('event', TENANT, 'e5', 0, at(T0, 70_000));
  emit(1, TELEMETRY, 2, `${TENANT}:${e5}`, 'corr-echo', at(T0, 70_000), [['telemetry_rejected', { event_id: e5, reason: 'no subject', dead_letter_id: ulid('dlq', TENANT, `${TENANT}:${e5}`, 0, at(T0, 70_000)) }]]);

  // The processor was killed and restarted: 25 s with nothing processed.
  processMs += 25_000;

  const action = (actor: { privateKey: KeyObject }, fields: Record<string, unknown>): Record<string, unknown> => {
    const unsigned = { schema_version: '1', tenant_id: TENANT, scope: null, reason: null, ...fields };
    return { ...unsigned, signature: sign(null, Buffer.from(canonicalJson(unsigned)), actor.privateKey).toString('base64') };
  };
  const votes = [
    action(alice, { action_id: ulid('action', TENANT, 'a1', 0, at(T0, 300_000)), action: 'approve', correlation_id: 'corr-alpha', approval_id: approvalId, intent_hash: intent1.intent_hash, actor_id: 'alice', decided_at: at(T0, 300_000) }),
    action(bob, { action_id: ulid('action', TENANT, 'a2', 0, at(T0, 320_000)), action: 'approve', correlation_id: 'corr-alpha', approval_id: approvalId, intent_hash: intent1.intent_hash, actor_id: 'bob', decided_at: at(T0, 320_000) }),
  ];
  // Signed with alice's key but claiming to be mallory: the signature must not verify.
  const forged = action(alice, { action_id: ulid('action', TENANT, 'a3', 0, at(T0, 330_000)), action: 'approve', correlation_id: 'corr-bravo', approval_id: approvalId, intent_hash: intent1.intent_hash, actor_id: 'mallory', decided_at: at(T0, 330_000) });
  emit(0, OPERATOR, 0, `${TENANT}:${votes[0]!.action_id}`, 'corr-alpha', votes[0]!.decided_at as string, [
    ['action_received', { action_id: votes[0]!.action_id }],
    ['operator_action_applied', { action: 'approve', actor_id: 'alice', decided_at: votes[0]!.decided_at, approval_id: approvalId, votes: 1, required: 2 }]]);
  emit(0, OPERATOR, 1, `${TENANT}:${votes[1]!.action_id}`, 'corr-alpha', votes[1]!.decided_at as string, [
    ['action_received', { action_id: votes[1]!.action_id }],
    ['operator_action_applied', { action: 'approve', actor_id: 'bob', decided_at: votes[1]!.decided_at, approval_id: approvalId, votes: 2, required: 2 }],
    ['approval_granted', { approval_id: approvalId, approvers: ['alice', 'bob'] }],
    ['intent_released', { intent_id: intent1.intent_id, execute_topic: 'exoarmur.intents.execute.v1' }]]);
  emit(1, OPERATOR, 0, `${TENANT}:${forged.action_id}`, 'corr-bravo', forged.decided_at as string, [
    ['action_received', { action_id: forged.action_id }],
    ['operator_action_rejected', { action: 'approve', actor_id: 'mallory', reason: 'signature does not verify' }]]);

  audit.sort((a, b) => a.input.partition - b.input.partition || a.seq - b.seq);
  const perKind: Record<string, unknown> = {};
  for (const kind of new Set(audit.map((r) => r.event_kind))) {
    const rs = audit.filter((r) => r.event_kind === kind);
    const ev = rs.map((r) => r.event_time).sort();
    const pr = rs.map((r) => r.process_time).sort();
    perKind[kind] = { count: rs.length, event_time_min: ev[0], event_time_max: ev.at(-1), process_time_min: pr[0], process_time_max: pr.at(-1), max_skew_ms: Math.max(...rs.map((r) => Date.parse(r.process_time) - Date.parse(r.event_time))) };
  }
  const receipts = audit.filter((r) => /_(received|duplicate|rejected)$/.test(r.event_kind) && !r.event_kind.startsWith('operator_'));
  const mismatches = options.replayMismatch
    ? [{ partition: 1, seq: 5, audit_id: audit.find((r) => r.input.partition === 1 && r.seq === 5)!.audit_id, field: 'payload.verdict', recorded: 'allow', replayed: 'require_quorum' }]
    : [];
  const files: Record<string, string> = {
    'audit_export.jsonl': audit.map((r) => JSON.stringify(r)).join('\n') + '\n',
    'config_snapshot.json': JSON.stringify([{ config_hash: configHash, config, captured_at: P0 }], null, 2) + '\n',
    'config_hash.txt': `${configHash}\n`,
    'operator_actions.jsonl': [...votes, forged].map((a) => JSON.stringify(a)).join('\n') + '\n',
    'replay_report.json': JSON.stringify({ run_id: runId, compared: audit.length, matched: audit.length - mismatches.length, mismatched: mismatches.length, mismatches, intent_hashes_equal: true, verdicts_equal: mismatches.length === 0, approvals_equal: true, trace_structure_equal: true, pass: mismatches.length === 0 }, null, 2) + '\n',
    'idempotency_report.json': JSON.stringify({ deliveries: 9, unique_keys: 8, duplicates_suppressed: 1, outcomes_before: 5, outcomes_after: 5, digest_before: sha256Hex('outcomes'), digest_after: sha256Hex('outcomes'), equal: true }, null, 2) + '\n',
    'time_model.json': JSON.stringify({ per_kind: perKind, receipts: { 0: { count: receipts.filter((r) => r.input.partition === 0).length, gapless: true, strictly_ordered: true }, 1: { count: receipts.filter((r) => r.input.partition === 1).length, gapless: true, strictly_ordered: true } }, replay_followed_recorded_order: true }, null, 2) + '\n',
    'storage_state.json': JSON.stringify({ broker: { brokers: '127.0.0.1:19092', kind: 'embedded-kafka-kraft' }, data_dir: '.exoarmur/kafka', topics: { 'exoarmur.audit.v1': { partitions: 2 } } }, null, 2) + '\n',
    'service.log': [`{"level":30,"time":${Date.parse(P0)},"msg":"processor started","run_id":"${runId}"}`, `{"level":30,"time":${Date.parse(P0) + 25_000},"msg":"processor restarted"}`].join('\n') + '\n',
    'PASS_FAIL.txt': [
      `RUN ${runId}`,
      'GATE 1 DURABLE_AUDIT: PASS - 33 audit records survived kill -9 of processor and broker',
      'GATE 2 EXACTLY_ONCE: PASS - 3 releases, 3 execute intents, 0 duplicates',
      'GATE 3 CRASH_RECOVERY: PASS - state restored from exoarmur.state.v1 in 0.4 s',
      'GATE 4 COMPOSE: UNPROVEN - no Docker engine on this machine',
      'GATE 5 REPLAY: PASS - 33/33 records reproduced',
      'GATE 6 IDEMPOTENCY: PASS - double inject left outcomes unchanged',
      'GATE 7 OPERATOR_APPROVAL: PASS - quorum of 2 released; forged action rejected',
      'OVERALL: PASS',
    ].join('\n') + '\n',
  };
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  const manifest = { run_id: runId, algorithm: 'sha256', files: Object.fromEntries(Object.entries(files).map(([n, t]) => [n, sha256Hex(t)]).sort()) };
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
}

// ------------------------------------------------------------------ fixtures

let browser: Browser;
let workDir: string;
let sourceBundle: string;

test.before(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'exoarmur-viewer-'));
  if (process.env.EXOARMUR_BUNDLE) {
    sourceBundle = path.resolve(process.env.EXOARMUR_BUNDLE);
  } else {
    sourceBundle = path.join(workDir, 'source');
    await buildBundle(sourceBundle);
  }
  await mkdir(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

test.after.always(async () => {
  await browser?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** A private copy of the bundle (the source is never written to), with index.html freshly embedded. */
async function copyBundle(name: string): Promise<string> {
  const dir = path.join(workDir, name);
  await cp(sourceBundle, dir, { recursive: true });
  return dir;
}

async function openPage(url: string, width = 1280): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('request', (req) => {
    if (!req.url().startsWith('file:') && !req.url().startsWith('data:')) problems.push(`network request ${req.url()}`);
  });
  (page as Page & { problems: string[] }).problems = problems;
  await page.goto(url);
  return page;
}

const problemsOf = (page: Page): string[] => (page as Page & { problems: string[] }).problems;

async function openBundle(dir: string, width = 1280): Promise<Page> {
  const index = await writeViewerHtml(dir);
  const page = await openPage(pathToFileURL(index).href, width);
  await page.waitForSelector('body[data-state="ready"]', { state: 'attached', timeout: 30_000 });
  return page;
}

async function shownGates(page: Page): Promise<Gate[]> {
  return page.$$eval('#gates [data-gate]', (nodes) => nodes.map((n) => ({
    n: Number((n as HTMLElement).dataset.gate),
    name: n.querySelector('.gate-name')!.textContent ?? '',
    status: n.querySelector('.badge')!.textContent ?? '',
    evidence: (n.querySelector('.gate-evidence')!.textContent ?? '').replace(/^—$/, ''),
  })));
}

async function shownChecks(page: Page): Promise<Record<string, string>> {
  const entries = await page.$$eval('#checks > li', (nodes) => nodes.map((n) => [(n as HTMLElement).dataset.check, (n as HTMLElement).dataset.status]));
  return Object.fromEntries(entries);
}

/** Node-side Ed25519 verdict for every operator action, the page must agree with it. */
function expectedSignatures(actions: Record<string, unknown>[], snapshots: { config: { operators?: Record<string, { public_key: string }> } }[]): string[] {
  const registry = Object.assign({}, ...snapshots.map((s) => s.config.operators ?? {})) as Record<string, { public_key: string }>;
  return actions.map((action) => {
    const entry = registry[action.actor_id as string];
    if (!entry) return 'unknown';
    const { signature, ...unsigned } = action;
    const key = createPublicKey({ key: Buffer.from(entry.public_key, 'base64'), format: 'der', type: 'spki' });
    return verify(null, Buffer.from(canonicalJson(unsigned)), key, Buffer.from(String(signature), 'base64')) ? 'valid' : 'invalid';
  });
}

/** Edits one audit line (the middle one) as a careless or malicious hand would: still valid JSON. */
async function tamperAuditLine(dir: string): Promise<AuditRecord> {
  const file = path.join(dir, 'audit_export.jsonl');
  const lines = (await readFile(file, 'utf8')).split('\n');
  const target = Math.floor(lines.filter((l) => l.trim() !== '').length / 2);
  const record = JSON.parse(lines[target]!) as AuditRecord;
  const edited = { ...record, payload: { ...record.payload, verdict: 'allow', edited_by: 'someone' } };
  lines[target] = JSON.stringify(edited);
  await writeFile(file, lines.join('\n'));
  return record;
}

// ------------------------------------------------------------------ tests

test('honest bundle: gates equal PASS_FAIL.txt, every integrity check passes, a correlation traces end to end', async (t) => {
  const dir = await copyBundle('honest');
  const page = await openBundle(dir);
  const passFail = readPassFail(await readFile(path.join(dir, 'PASS_FAIL.txt'), 'utf8'));
  t.is(passFail.gates.length, 7);
  t.deepEqual(await shownGates(page), passFail.gates);
  t.is(await page.getAttribute('#overall', 'data-status'), passFail.overall);
  t.is(await page.getAttribute('#integrity-banner', 'data-status'), 'pass');
  t.deepEqual(await shownChecks(page), { manifest: 'pass', config: 'pass', chain: 'pass', ids: 'pass', replay: 'pass' });

  // Trace the correlation with the most audit records: the page must list exactly its records, in (partition, seq) order.
  const audit = readJsonLines<AuditRecord>(await readFile(path.join(dir, 'audit_export.jsonl'), 'utf8'));
  const counts = new Map<string, number>();
  for (const r of audit) counts.set(r.correlation_id, (counts.get(r.correlation_id) ?? 0) + 1);
  const correlation = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  await page.fill('#trace-query', correlation);
  await page.click('#trace-form button[type="submit"]');
  await page.waitForSelector(`.trace-corr[data-correlation-id="${correlation}"]`);
  const expected = audit.filter((r) => r.correlation_id === correlation).sort((a, b) => a.input.partition - b.input.partition || a.seq - b.seq);
  const steps = await page.$$eval(`.trace-corr[data-correlation-id="${correlation}"] .trace-step`, (nodes) => nodes.map((n) => ({ audit_id: (n as HTMLElement).dataset.auditId, event_kind: (n as HTMLElement).dataset.eventKind })));
  t.deepEqual(steps, expected.map((r) => ({ audit_id: r.audit_id, event_kind: r.event_kind })));

  // Operator actions on this correlation, with the signature status node:crypto computes.
  const actions = readJsonLines<Record<string, unknown>>(await readFile(path.join(dir, 'operator_actions.jsonl'), 'utf8'));
  const snapshots = JSON.parse(await readFile(path.join(dir, 'config_snapshot.json'), 'utf8')) as Parameters<typeof expectedSignatures>[1];
  const verdicts = expectedSignatures(actions, snapshots);
  const shownActions = await page.$$eval(`.trace-corr[data-correlation-id="${correlation}"] .trace-actions tr[data-action-id]`, (nodes) => nodes.map((n) => [(n as HTMLElement).dataset.actionId, (n as HTMLElement).dataset.signature]));
  t.deepEqual(shownActions, actions.map((a, i) => [a.action_id, verdicts[i]]).filter((_, i) => actions[i]!.correlation_id === correlation));
  const allShown = await page.$$eval('#operators-table tr[data-action-id]', (nodes) => nodes.map((n) => [(n as HTMLElement).dataset.actionId, (n as HTMLElement).dataset.signature]));
  t.deepEqual(allShown, actions.map((a, i) => [a.action_id, verdicts[i]]));

  await page.screenshot({ path: path.join(SCREENSHOTS, 'honest.png'), fullPage: true });
  for (const section of ['overview', 'time', 'idempotency', 'trace']) {
    await page.locator(`#${section}`).screenshot({ path: path.join(SCREENSHOTS, `honest-${section}.png`) });
  }
  await page.setViewportSize({ width: 390, height: 844 });
  // A narrow window must not scroll sideways: wide tables scroll inside their own box.
  t.true(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal page overflow at 390 px');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOTS, 'honest-narrow.png') });
  await page.setViewportSize({ width: 1000, height: 900 });
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'honest-print.png'), fullPage: true });
  t.deepEqual(problemsOf(page), []);
  await page.close();
});

test('trace search finds a chain by event id and by intent id', async (t) => {
  const dir = await copyBundle('search');
  const page = await openBundle(dir);
  const audit = readJsonLines<AuditRecord>(await readFile(path.join(dir, 'audit_export.jsonl'), 'utf8'));
  const intent = audit.find((r) => r.event_kind === 'intent_proposed' && typeof r.payload.intent_id === 'string');
  const receipt = audit.find((r) => r.event_kind === 'telemetry_received');
  t.truthy(intent, 'the bundle holds an intent_proposed record');
  t.truthy(receipt, 'the bundle holds a telemetry receipt');
  for (const [query, correlation] of [[intent!.payload.intent_id as string, intent!.correlation_id], [receipt!.idempotency_key.split(':').at(-1)!, receipt!.correlation_id]] as const) {
    await page.fill('#trace-query', query);
    await page.press('#trace-query', 'Enter');
    await page.waitForSelector(`#trace-results[data-query="${query}"]`);
    const shown = await page.$$eval('#trace-results .trace-corr', (nodes) => nodes.map((n) => (n as HTMLElement).dataset.correlationId));
    t.deepEqual(shown, [correlation], `search ${query}`);
  }
  await page.fill('#trace-query', 'no-such-id-anywhere');
  await page.press('#trace-query', 'Enter');
  await page.waitForSelector('#trace-results [data-empty="true"]');
  t.pass();
  await page.close();
});

test('tampered bundle (one audit line edited) shows a loud integrity failure', async (t) => {
  const dir = await copyBundle('tampered');
  const original = await tamperAuditLine(dir);
  const page = await openBundle(dir);
  t.is(await page.getAttribute('#integrity-banner', 'data-status'), 'fail');
  const banner = await page.textContent('#integrity-banner');
  t.regex(banner!, /INTEGRITY FAILURE/);
  t.regex(banner!, /audit_export\.jsonl/);
  const checks = await shownChecks(page);
  t.is(checks.manifest, 'fail');
  t.is(checks.chain, 'fail');
  const chainText = await page.textContent('#checks [data-check="chain"]');
  t.true(chainText!.includes(`partition ${original.input.partition} seq ${original.seq}`), chainText!);
  t.is(await page.getAttribute('#files-table tr[data-file="audit_export.jsonl"]', 'data-status'), 'mismatch');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'tampered.png'), fullPage: false });
  await page.close();
});

test('tampered bundle with a recomputed manifest: the hash chain still names the edited record', async (t) => {
  const dir = await copyBundle('tampered-remanifested');
  const original = await tamperAuditLine(dir);
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { files: Record<string, string> };
  manifest.files['audit_export.jsonl'] = sha256Hex(await readFile(path.join(dir, 'audit_export.jsonl')));
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
  const page = await openBundle(dir);
  const checks = await shownChecks(page);
  t.is(checks.manifest, 'pass');
  t.is(checks.chain, 'fail');
  t.is(await page.getAttribute('#integrity-banner', 'data-status'), 'fail');
  const banner = await page.textContent('#integrity-banner');
  t.true(banner!.includes(`partition ${original.input.partition} seq ${original.seq}`), banner!);
  await page.close();
});

test('the bare viewer loads a bundle directory picked with the file input', async (t) => {
  const dir = await copyBundle('picked');
  const page = await openPage(pathToFileURL(path.join(packageRoot(), 'evidence-viewer', 'index.html')).href);
  await page.waitForSelector('body[data-state="awaiting-bundle"]', { state: 'attached' });
  await page.setInputFiles('#bundle-input', dir);
  await page.waitForSelector('body[data-state="ready"]', { state: 'attached', timeout: 30_000 });
  const passFail = readPassFail(await readFile(path.join(dir, 'PASS_FAIL.txt'), 'utf8'));
  t.deepEqual(await shownGates(page), passFail.gates);
  t.deepEqual(await shownChecks(page), { manifest: 'pass', config: 'pass', chain: 'pass', ids: 'pass', replay: 'pass' });
  t.deepEqual(problemsOf(page), []);
  await page.close();
});

test('a replay mismatch is listed with the recorded and the replayed side', async (t) => {
  const dir = path.join(workDir, 'mismatch');
  await buildBundle(dir, { replayMismatch: true });
  const page = await openBundle(dir);
  const report = JSON.parse(await readFile(path.join(dir, 'replay_report.json'), 'utf8')) as { mismatches: { audit_id: string; recorded: unknown; replayed: unknown }[] };
  const shown = await page.$$eval('#replay-body .mismatch', (nodes) => nodes.map((n) => ({
    audit_id: (n as HTMLElement).dataset.auditId,
    recorded: n.querySelector('.side-recorded pre')!.textContent,
    replayed: n.querySelector('.side-replayed pre')!.textContent,
  })));
  t.deepEqual(shown, report.mismatches.map((m) => ({ audit_id: m.audit_id, recorded: String(m.recorded), replayed: String(m.replayed) })));
  t.is(await page.textContent('#replay-body [data-metric="Mismatched"] .fact-value'), '1');
  await page.close();
});
