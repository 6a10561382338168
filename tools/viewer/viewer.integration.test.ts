/**
 * Browser test of the evidence viewer: Debian's chromium (headless, driven by playwright-core)
 * opens a bundle's index.html from disk and we read what the page shows.
 *
 * The bundle is one the product really wrote: the small scenario played by the reality harness
 * against the `make test` broker. Tampered copies of it are re-embedded with the product's own embed. What the page shows is checked against the
 * bundle's files, read here with node:crypto and the test's own parsers, independently of the
 * page's WebCrypto code.
 */
import test from 'ava';
import { createHash, verify, createPublicKey } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildEffectiveConfig } from '../../processor/config/index.js';
import { repoRoot } from '../broker/paths.js';
import { BUNDLE_FILES, writeManifest } from '../bundle/files.js';
import { topicsForRun } from '../reality/naming.js';
import { runReality } from '../reality/run.js';
import { replayRun } from '../replay/replay.js';
import { testBrokers } from '../testing/broker.js';
import { packageRoot, writeViewerHtml } from './embed.js';
import { readBundle } from '../bundle/files.js';
import { passFailText } from '../reality/gates.js';
import { CHECK_NAMES, judgeBundle } from '../verify/verify.js';
import { SAFETY_RULE_DESCRIPTIONS } from '../../processor/core/gate-rules.js';
import { actionSigningBytes } from '../../processor/core/signing.js';
import type { OperatorActionV1 } from '../../processor/core/types.js';
import { resultsTopic } from '../../processor/config/defaults.js';
import type { Topics } from '../../processor/config/types.js';
import { loadBundleSource } from '../whatif/bundle-source.js';
import { whatIf } from '../whatif/whatif.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SCREENSHOTS = path.join(packageRoot(), 'artifacts', 'viewer');
/** Every wait polls until its condition holds, bounded generously: a loaded machine renders slowly, a broken page never. */
const RENDER_BOUND_MS = 180_000;
const RECEIPT_KINDS = ['telemetry_received', 'telemetry_duplicate', 'telemetry_rejected', 'action_received', 'action_duplicate', 'action_rejected'];

// ------------------------------------------------------------------ contracts, node side

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

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
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as T);
}

// ------------------------------------------------------------------ fixtures

let browser: Browser;
let workDir: string;
let sourceBundle: string;
/** The run behind sourceBundle: its topics are still on the broker, so it can be replayed. */
let runId: string;

test.before(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'exoarmur-viewer-'));
  const result = await runReality({
    scenarioDir: path.join(repoRoot(), 'fixtures', 'scenarios', 'small'),
    outDir: path.join(workDir, 'runs'),
    brokers: testBrokers().join(','),
    log: () => undefined,
    compose: false,
  });
  sourceBundle = result.bundleDir;
  runId = result.runId;
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
  page.setDefaultTimeout(RENDER_BOUND_MS);
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
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
  await page.waitForSelector('body[data-state="ready"]', { state: 'attached', timeout: RENDER_BOUND_MS });
  return page;
}

async function shownGates(page: Page): Promise<Gate[]> {
  return page.$$eval('#gates [data-gate]', (nodes) =>
    nodes.map((n) => ({
      n: Number((n as HTMLElement).dataset.gate),
      name: n.querySelector('.gate-name')!.textContent ?? '',
      status: n.querySelector('.badge')!.textContent ?? '',
      evidence: (n.querySelector('.gate-evidence')!.textContent ?? '').replace(/^—$/, ''),
    })),
  );
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
    const key = createPublicKey({ key: Buffer.from(entry.public_key, 'base64'), format: 'der', type: 'spki' });
    // The signed bytes as the contract defines them (docs/contracts.md): the core's one implementation.
    return verify(null, actionSigningBytes(action as unknown as OperatorActionV1), key, Buffer.from(String(action.signature), 'base64')) ? 'valid' : 'invalid';
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
  t.is(await page.textContent('#run-id .fact-value'), runId, 'the run id the harness wrote');
  t.is(await page.getAttribute('#overall', 'data-status'), passFail.overall);
  t.is(await page.getAttribute('#integrity-banner', 'data-status'), 'pass');
  t.is(await page.getAttribute('#verdict-banner', 'data-status'), passFail.overall);
  t.deepEqual(await shownChecks(page), Object.fromEntries(Object.values(CHECK_NAMES).map((name) => [name, 'pass'])));

  // Trace the correlation with the most audit records: the page must list exactly its records, in (partition, seq) order.
  const audit = readJsonLines<AuditRecord>(await readFile(path.join(dir, 'audit_export.jsonl'), 'utf8'));
  const counts = new Map<string, number>();
  for (const r of audit) counts.set(r.correlation_id, (counts.get(r.correlation_id) ?? 0) + 1);
  const correlation = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  await page.fill('#trace-query', correlation);
  await page.click('#trace-form button[type="submit"]');
  await page.waitForSelector(`.trace-corr[data-correlation-id="${correlation}"]`);
  const expected = audit.filter((r) => r.correlation_id === correlation).sort((a, b) => a.input.partition - b.input.partition || a.seq - b.seq);
  const steps = await page.$$eval(`.trace-corr[data-correlation-id="${correlation}"] .trace-step`, (nodes) =>
    nodes.map((n) => ({ audit_id: (n as HTMLElement).dataset.auditId, event_kind: (n as HTMLElement).dataset.eventKind })),
  );
  t.deepEqual(
    steps,
    expected.map((r) => ({ audit_id: r.audit_id, event_kind: r.event_kind })),
  );

  // Operator actions on this correlation, with the signature status node:crypto computes.
  const actions = readJsonLines<Record<string, unknown>>(await readFile(path.join(dir, 'operator_actions.jsonl'), 'utf8'));
  const snapshots = JSON.parse(await readFile(path.join(dir, 'config_snapshot.json'), 'utf8')) as Parameters<typeof expectedSignatures>[1];
  const verdicts = expectedSignatures(actions, snapshots);
  const shownActions = await page.$$eval(`.trace-corr[data-correlation-id="${correlation}"] .trace-actions tr[data-action-id]`, (nodes) =>
    nodes.map((n) => [(n as HTMLElement).dataset.actionId, (n as HTMLElement).dataset.signature]),
  );
  t.deepEqual(
    shownActions,
    actions.map((a, i) => [a.action_id, verdicts[i]]).filter((_, i) => actions[i]!.correlation_id === correlation),
  );
  const allShown = await page.$$eval('#operators-table tr[data-action-id]', (nodes) =>
    nodes.map((n) => [(n as HTMLElement).dataset.actionId, (n as HTMLElement).dataset.signature]),
  );
  t.deepEqual(
    allShown,
    actions.map((a, i) => [a.action_id, verdicts[i]]),
  );

  await page.screenshot({ path: path.join(SCREENSHOTS, 'honest.png'), fullPage: true });
  // The sticky header would cover the top of a section's picture.
  await page.addStyleTag({ content: '.topbar { position: static !important; }' });
  for (const section of ['overview', 'time', 'idempotency', 'trace', 'operators']) {
    await page.locator(`#${section}`).screenshot({ path: path.join(SCREENSHOTS, `honest-${section}.png`) });
  }
  t.log(`screenshots: ${SCREENSHOTS}/honest*.png`);
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

/** Whether any two of the boxes overlap (by more than half a pixel, so touching edges do not count). */
function overlapping(boxes: { x: number; y: number; width: number; height: number; text: string }[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i]!, boxes[j]!];
      if (a.x + a.width - 0.5 > b.x && b.x + b.width - 0.5 > a.x && a.y + a.height - 0.5 > b.y && b.y + b.height - 0.5 > a.y) found.push(`"${a.text}" / "${b.text}"`);
    }
  }
  return found;
}

test('what a reviewer looks at: verdict first, readable time panels, "+N more", rules in words, scenario first, operator outcomes, a rejected input traced', async (t) => {
  const dir = await copyBundle('reviewer');
  const page = await openBundle(dir);
  const audit = readJsonLines<AuditRecord>(await readFile(path.join(dir, 'audit_export.jsonl'), 'utf8'));
  const facts = JSON.parse(await readFile(path.join(dir, 'run_facts.json'), 'utf8')) as { filler_tenant: string };
  const passFail = readPassFail(await readFile(path.join(dir, 'PASS_FAIL.txt'), 'utf8'));

  // The verdict first: OVERALL and every gate by name in the headline, integrity on its own line below.
  t.is(await page.textContent('#verdict-banner .verdict-overall'), `OVERALL ${passFail.overall}`);
  const headline = await page.$$eval('#verdict-banner .verdict-gate', (nodes) => nodes.map((n) => [Number((n as HTMLElement).dataset.gate), (n as HTMLElement).dataset.status]));
  t.deepEqual(
    headline,
    passFail.gates.map((g) => [g.n, g.status]),
  );
  const verdictBox = (await page.locator('#verdict-banner').boundingBox())!;
  t.true(verdictBox.y + verdictBox.height <= (await page.locator('#integrity-banner').boundingBox())!.y, 'integrity below the verdict');

  // Time: event time, process time and skew on separate panels, one point per receipt on each, no label over another.
  const receipts = audit.filter((r) => RECEIPT_KINDS.includes(r.event_kind));
  for (const panel of ['event', 'process']) {
    t.true(await page.locator(`#time-chart svg[data-panel="${panel}"]`).isVisible(), `${panel} panel visible`);
    t.is(await page.locator(`#time-chart svg[data-panel="${panel}"] .pt`).count(), receipts.length, `${panel} panel: one point per receipt`);
  }
  // The actuator's results are inputs too, counted beside the chart rather than drawn on the event-time axis.
  const resultReceipts = audit.filter((r) => r.event_kind.startsWith('result_')).length;
  t.true(resultReceipts > 0, 'the run closed the loop: actuator results were consumed');
  t.is(await page.getAttribute('#time-legend [data-results]', 'data-results'), String(resultReceipts));
  t.true(await page.locator('#time-chart svg[data-panel="skew"] .bar').first().isVisible(), 'skew histogram visible');
  // Each bar's tooltip starts with its bin's total (bars of one bin stack its classes).
  const bins = await page.$$eval('#time-chart svg[data-panel="skew"] .bar', (bars) =>
    bars.map((b) => [(b as SVGElement).dataset.slot!, Number((b.querySelector('title')!.textContent ?? '').split(' ')[0])] as const),
  );
  const perSlot = new Map(bins);
  t.is(
    [...perSlot.values()].reduce((a, b) => a + b, 0),
    receipts.length,
    'the histogram counts every input once',
  );
  for (const panel of ['event', 'process', 'skew']) {
    const labels = await page.$$eval(`#time-chart svg[data-panel="${panel}"] text`, (nodes) =>
      nodes.map((n) => {
        const r = n.getBoundingClientRect();
        return { x: r.x, y: r.y, width: r.width, height: r.height, text: n.textContent ?? '' };
      }),
    );
    t.true(labels.length > 3, `${panel} panel has labels`);
    t.deepEqual(overlapping(labels), [], `${panel} panel: no label overlaps another`);
  }

  // Scenario traces before burst filler; the filler row is cut, and its "+N more" gives the rest.
  const firstSeen = [...new Set(audit.map((r) => r.correlation_id))];
  const filler = new Set(audit.filter((r) => r.tenant_id === facts.filler_tenant).map((r) => r.correlation_id));
  const chips = (row: string) => page.$$eval(`#${row} .chip`, (nodes) => nodes.map((n) => n.textContent));
  t.deepEqual(
    await chips('suggest-scenario'),
    firstSeen.filter((c) => !filler.has(c)),
  );
  const fillerRow = page.locator('#suggest-filler');
  t.true((await page.locator('#suggest-scenario').boundingBox())!.y < (await fillerRow.boundingBox())!.y, 'scenario row above the filler row');
  const cut = await chips('suggest-filler');
  t.true(cut.length < filler.size, 'the filler row is cut');
  t.is(await fillerRow.locator('button.more').textContent(), `+${filler.size - cut.length} more`);
  await fillerRow.locator('button.more').click();
  await page.waitForFunction((n) => document.querySelectorAll('#suggest-filler .chip').length === n, filler.size);
  t.deepEqual(
    await chips('suggest-filler'),
    firstSeen.filter((c) => filler.has(c)),
  );
  t.is(await fillerRow.locator('button.more').count(), 0);

  // Every safety rule in the audit trail, counted, with the gate's own words beside its id.
  const verdicts = new Map<string, number>();
  for (const r of audit.filter((x) => x.event_kind === 'safety_evaluated'))
    verdicts.set(`${String(r.payload.rule)}|${String(r.payload.verdict)}`, (verdicts.get(`${String(r.payload.rule)}|${String(r.payload.verdict)}`) ?? 0) + 1);
  const rules = await page.$$eval('#rules-table tbody tr', (rows) =>
    rows.map((row) => ({
      key: `${(row as HTMLElement).dataset.rule}|${(row as HTMLElement).dataset.verdict}`,
      description: (row.querySelector('.rule-desc')?.textContent ?? '').trim(),
      count: Number(row.querySelector('td.num')!.textContent),
    })),
  );
  t.deepEqual(
    rules,
    [...verdicts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, count]) => ({ key, description: SAFETY_RULE_DESCRIPTIONS[key.split('|')[0]!]!, count })),
  );

  // Applied or rejected per operator action, as the audit trail records it.
  const actions = readJsonLines<Record<string, unknown>>(await readFile(path.join(dir, 'operator_actions.jsonl'), 'utf8'));
  const outcomeOf = (id: unknown): string => {
    const applied = audit.some((r) => r.event_kind === 'operator_action_applied' && r.payload.action_id === id);
    const rejected = audit.some(
      (r) =>
        (r.event_kind === 'operator_action_rejected' && r.payload.action_id === id) ||
        (r.event_kind === 'action_rejected' && (r.payload.identifiers as Record<string, unknown> | undefined)?.action_id === id),
    );
    return applied && rejected ? 'mixed' : applied ? 'applied' : rejected ? 'rejected' : 'none';
  };
  t.deepEqual(
    await page.$$eval('#operators-table tbody tr', (rows) =>
      rows.map((row) => [(row as HTMLElement).dataset.actionId, (row.querySelector('td[data-outcome]') as HTMLElement).dataset.outcome]),
    ),
    actions.map((a) => [a.action_id, outcomeOf(a.action_id)]),
  );

  // A rejected input is found by an id its receipt names, and shown with the reason.
  const rejected = audit.find((r) => r.event_kind === 'telemetry_rejected' && typeof (r.payload.identifiers as Record<string, unknown>).event_id === 'string');
  t.truthy(rejected, 'the small scenario has a rejected input whose event_id could be read');
  const eventId = (rejected!.payload.identifiers as Record<string, string>).event_id!;
  await page.fill('#trace-query', eventId);
  await page.press('#trace-query', 'Enter');
  await page.waitForSelector(`#trace-results[data-query="${eventId}"]`);
  const step = page.locator(`#trace-results .trace-step[data-audit-id="${rejected!.audit_id}"]`);
  t.true(await step.isVisible(), 'the rejected receipt is in the trace');
  t.true((await step.locator('.step-summary').textContent())!.includes(String(rejected!.payload.reason_code)));
  await page.locator('#trace').screenshot({ path: path.join(SCREENSHOTS, 'reviewer-rejected-trace.png') });

  // One whose value could not be read names no ids but its dead letter: found by that, shown alone.
  const unread = audit.find((r) => r.event_kind === 'telemetry_rejected' && (r.payload.identifiers as Record<string, unknown>).correlation_id !== r.correlation_id);
  t.truthy(unread, 'the small scenario has an unreadable input');
  await page.fill('#trace-query', String(unread!.payload.dead_letter_id));
  await page.press('#trace-query', 'Enter');
  await page.waitForSelector(`#trace-results[data-query="${String(unread!.payload.dead_letter_id)}"]`);
  t.deepEqual(await page.$$eval('#trace-results .trace-corr', (nodes) => nodes.map((n) => (n as HTMLElement).dataset.scope)), ['input']);
  t.deepEqual(
    await page.$$eval('#trace-results .trace-step', (nodes) => nodes.map((n) => (n as HTMLElement).dataset.auditId)),
    audit.filter((r) => r.input.topic === unread!.input.topic && r.input.partition === unread!.input.partition && r.input.offset === unread!.input.offset).map((r) => r.audit_id),
  );

  await page.addStyleTag({ content: '.topbar { position: static !important; }' });
  for (const [name, selector] of [
    ['reviewer-verdict', '#verdict-banner'],
    ['reviewer-time', '#time'],
    ['reviewer-rules', '#rules'],
    ['reviewer-operators', '#operators'],
  ] as const) {
    await page.locator(selector).screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }
  t.log(`screenshots: ${SCREENSHOTS}/reviewer-*.png`);
  t.deepEqual(problemsOf(page), []);
  await page.close();
});

test('trace search finds a chain by event id and by intent id', async (t) => {
  const dir = await copyBundle('search');
  const page = await openBundle(dir);
  const audit = readJsonLines<AuditRecord>(await readFile(path.join(dir, 'audit_export.jsonl'), 'utf8'));
  // The core's intent_proposed payload is { intent: { intent_id, … }, intent_hash }.
  const intentIdOf = (r: AuditRecord): unknown => (r.payload.intent as { intent_id?: unknown } | undefined)?.intent_id ?? r.payload.intent_id;
  const intent = audit.find((r) => r.event_kind === 'intent_proposed' && typeof intentIdOf(r) === 'string');
  const receipt = audit.find((r) => r.event_kind === 'telemetry_received');
  t.truthy(intent, 'the bundle holds an intent_proposed record');
  t.truthy(receipt, 'the bundle holds a telemetry receipt');
  for (const [query, correlation] of [
    [intentIdOf(intent!) as string, intent!.correlation_id],
    [receipt!.idempotency_key.split(':').at(-1)!, receipt!.correlation_id],
  ] as const) {
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
  t.is(checks['manifest'], 'fail');
  t.is(checks['audit hash chains'], 'fail');
  const chainText = await page.textContent('#checks [data-check="audit hash chains"]');
  t.true(chainText!.includes(`partition ${original.input.partition} seq ${original.seq}`), chainText!);
  t.is(await page.getAttribute('#files-table tr[data-file="audit_export.jsonl"]', 'data-status'), 'mismatch');
  // A failed check's "+N more" in the banner opens that check, every detail listed, in the integrity section.
  const cut = page.locator('#integrity-banner li', { has: page.locator('button.more') }).first();
  const checkId = (await cut.getAttribute('data-check'))!;
  const more = Number(/^\+(\d+) more$/.exec((await cut.locator('button.more').textContent())!)![1]);
  await cut.locator('button.more').click();
  const check = page.locator(`#checks > li[data-check="${checkId}"]`);
  await page.waitForFunction((id) => {
    const box = [...document.querySelectorAll('#checks > li')].find((li) => (li as HTMLElement).dataset.check === id)!.getBoundingClientRect();
    return box.top < window.innerHeight && box.bottom > 0;
  }, checkId);
  t.is(await check.locator('.check-details > li:not(:has(button.more))').count(), 1 + more, `${checkId}: the first detail and the ${more} more`);
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
  t.is(checks['manifest'], 'pass');
  t.is(checks['audit hash chains'], 'fail');
  t.is(await page.getAttribute('#integrity-banner', 'data-status'), 'fail');
  const banner = await page.textContent('#integrity-banner');
  t.true(banner!.includes(`partition ${original.input.partition} seq ${original.seq}`), banner!);
  await page.close();
});

test('the bare viewer loads a bundle directory picked with the file input', async (t) => {
  const dir = await copyBundle('picked');
  const page = await openPage(pathToFileURL(path.join(packageRoot(), 'evidence-viewer', 'index.html')).href);
  await page.waitForSelector('body[data-state="awaiting-bundle"]', { state: 'attached', timeout: RENDER_BOUND_MS });
  await page.setInputFiles('#bundle-input', dir);
  await page.waitForSelector('body[data-state="ready"]', { state: 'attached', timeout: RENDER_BOUND_MS });
  const passFail = readPassFail(await readFile(path.join(dir, 'PASS_FAIL.txt'), 'utf8'));
  t.deepEqual(await shownGates(page), passFail.gates);
  t.deepEqual(await shownChecks(page), Object.fromEntries(Object.values(CHECK_NAMES).map((name) => [name, 'pass'])));
  // The rule descriptions come from the picked bundle's own index.html, which exoarmur wrote with the gate's table.
  const described = await page.$$eval('#rules-table tbody tr', (rows) =>
    rows.map((row) => [(row as HTMLElement).dataset.rule, (row.querySelector('.rule-desc')?.textContent ?? '').trim()]),
  );
  t.true(described.length > 0);
  t.deepEqual(
    described,
    described.map(([rule]) => [rule, SAFETY_RULE_DESCRIPTIONS[rule!]]),
  );
  t.deepEqual(problemsOf(page), []);
  await page.close();
});

test('a replay mismatch is listed with the recorded and the replayed side', async (t) => {
  // The real replay of the run, with a policy it was not recorded under: decisions move.
  const report = await replayRun({
    brokers: testBrokers(),
    topics: topicsForRun(runId),
    runId,
    configOverride: (recorded) => buildEffectiveConfig({ ...recorded.config, policy: { ...recorded.config.policy, default_trust: 0.4 } }),
  });
  t.true(report.mismatched > 0, 'the changed policy moved decisions');
  const dir = await copyBundle('mismatch');
  await writeFile(path.join(dir, BUNDLE_FILES.replayReport), `${JSON.stringify(report, null, 2)}\n`);
  await writeManifest(dir, runId);
  const page = await openBundle(dir);
  const shown = await page.$$eval('#replay-body .mismatch', (nodes) =>
    nodes.map((n) => ({
      audit_id: (n as HTMLElement).dataset.auditId,
      recorded: n.querySelector('.side-recorded pre')!.textContent,
      replayed: n.querySelector('.side-replayed pre')!.textContent,
    })),
  );
  const text = (v: unknown): string => (v === null ? 'null' : typeof v === 'object' ? JSON.stringify(v, null, 2) : String(v));
  t.deepEqual(
    shown,
    // A checkpoint mismatch has no audit_id: the page's data attribute is then empty.
    report.mismatches.map((m) => ({ audit_id: m.audit_id ?? '', recorded: text(m.recorded), replayed: text(m.replayed) })),
  );
  t.is(await page.textContent('#replay-body [data-metric="Mismatched"] .fact-value'), String(report.mismatched));
  t.deepEqual(problemsOf(page), []);
  await page.close();
});

/** Marks the replay report as having found mismatches (consistently: matched + mismatched = compared). */
async function failReplay(dir: string): Promise<void> {
  const file = path.join(dir, BUNDLE_FILES.replayReport);
  const report = JSON.parse(await readFile(file, 'utf8')) as { matched: number; mismatched: number; pass: boolean; mismatches: unknown[] };
  const mismatches = [{ partition: 0, seq: 0, audit_id: null, field: 'payload.verdict', recorded: 'allow', replayed: 'deny' }];
  await writeFile(file, `${JSON.stringify({ ...report, matched: report.matched - 1, mismatched: 1, mismatches, pass: false }, null, 2)}\n`);
}

test('PASS_FAIL.txt edited to claim a gate it did not earn, manifest recomputed: the page shows the evidence verdict and names the gate', async (t) => {
  const dir = await copyBundle('forged-pass-fail');
  await failReplay(dir);
  // PASS_FAIL.txt still claims gate 3 PASS and OVERALL PASS; the manifest is recomputed to match.
  await writeManifest(dir, runId);
  const page = await openBundle(dir);
  t.is(await page.getAttribute('#verdict-banner', 'data-status'), 'FAIL', 'the headline is the re-judged verdict, not the claim');
  t.is(await page.getAttribute('#gates [data-gate="3"]', 'data-status'), 'FAIL');
  t.is(await page.getAttribute('#gates [data-gate="3"]', 'data-claimed'), 'PASS');
  t.is(await page.getAttribute('#overall', 'data-status'), 'FAIL');
  const checks = await shownChecks(page);
  t.is(checks['gate verdicts'], 'fail');
  t.is(checks['manifest'], 'pass');
  const text = await page.textContent('#checks [data-check="gate verdicts"]');
  t.regex(text!, /gate 3 REPLAY_EQUIVALENCE: PASS_FAIL\.txt says PASS, the evidence gives FAIL/);
  t.deepEqual(problemsOf(page), []);
  await page.close();
});

test('an intact bundle of a failed run: the headline is FAIL and integrity is its own line, never a green banner', async (t) => {
  const dir = await copyBundle('failed-run');
  await failReplay(dir);
  await writeManifest(dir, runId);
  // PASS_FAIL.txt written the way the harness writes it, from the evidence: this run honestly failed.
  await writeFile(path.join(dir, BUNDLE_FILES.passFail), passFailText(runId, judgeBundle(await readBundle(dir))));
  await writeManifest(dir, runId);
  const page = await openBundle(dir);
  t.is(await page.getAttribute('#verdict-banner', 'data-status'), 'FAIL');
  t.is(await page.getAttribute('#integrity-banner', 'data-status'), 'pass');
  t.false((await page.getAttribute('#integrity-banner', 'class'))!.includes('banner-pass'), 'integrity is not a green banner');
  const verdictBox = await page.locator('#verdict-banner').boundingBox();
  const integrityBox = await page.locator('#integrity-banner').boundingBox();
  t.true(verdictBox!.y < integrityBox!.y, 'the verdict comes first, integrity below it');
  t.deepEqual(await shownChecks(page), Object.fromEntries(Object.values(CHECK_NAMES).map((name) => [name, 'pass'])));
  await page.screenshot({ path: path.join(SCREENSHOTS, 'failed-run.png'), fullPage: false });
  t.deepEqual(problemsOf(page), []);
  await page.close();
});

test('a what-if report placed in the bundle: the page shows before -> after for every changed event and the counts per rule, final state and class', async (t) => {
  const dir = await copyBundle('whatif');
  const source = await loadBundleSource(dir);
  const topics = source.topics as Topics;
  const candidate = { policy: { protected_subjects: ['*'] } };
  const report = whatIf(source.recorded, {
    runId: source.runId,
    telemetryTopic: topics.telemetry,
    operatorTopic: topics.operator_actions,
    resultsTopic: resultsTopic(topics),
    candidate,
  });
  t.true(report.changed > 0, 'protecting every subject moves some decision of the small run');
  await writeFile(path.join(dir, BUNDLE_FILES.whatifReport), JSON.stringify(report, null, 2));
  const page = await openBundle(dir);
  t.false(await page.isHidden('#whatif'));
  t.false(await page.isHidden('#nav-whatif'));
  const more = await page.$('#whatif-changes button.more');
  if (more) await more.click();
  const cell = (v: unknown) => (v === null || v === undefined ? '—' : String(v));
  const side = (d: Record<string, unknown>) => ['verdict', 'rule', 'approval', 'final', 'containment'].map((f) => cell(d[f]));
  const rows = await page.$$eval('#whatif-changes tbody tr', (nodes) => nodes.map((n) => [...n.querySelectorAll('td')].map((c) => c.textContent ?? '')));
  t.deepEqual(
    rows,
    report.changes.map((c) => [
      `${c.partition}@${c.offset}`,
      c.idempotency_key,
      String(c.before.actionClass ?? c.after.actionClass ?? 'no intent'),
      ...side(c.before as unknown as Record<string, unknown>),
      '→',
      ...side(c.after as unknown as Record<string, unknown>),
    ]),
  );
  const tally = (label: string) => page.$$eval(`[data-tally="${label}"] tbody tr`, (nodes) => nodes.map((n) => [...n.querySelectorAll('td')].map((c) => c.textContent ?? '')));
  const expected = (tallies: Record<string, { before: number; after: number }>) =>
    Object.keys(tallies)
      .sort()
      .map((name) => {
        const d = tallies[name]!.after - tallies[name]!.before;
        return [name, String(tallies[name]!.before), String(tallies[name]!.after), d > 0 ? `+${d}` : String(d)];
      });
  t.deepEqual(await tally('rule'), expected(report.by_rule));
  t.deepEqual(await tally('final'), expected(report.by_final));
  t.deepEqual(
    await tally('class'),
    Object.keys(report.changed_by_class)
      .sort()
      .map((name) => [name, String(report.changed_by_class[name])]),
  );
  t.regex((await page.textContent('.whatif-summary'))!, new RegExp(`^${report.changed} of ${report.events} events would change`));
  t.deepEqual(await shownChecks(page), Object.fromEntries(Object.values(CHECK_NAMES).map((name) => [name, 'pass'])), 'the report is not evidence: no check fails for it');
  t.deepEqual(problemsOf(page), []);
  await page.close();
});

test('inputs.jsonl with one value edited: the page fails the recorded inputs check, naming the input', async (t) => {
  const dir = await copyBundle('inputs-edited');
  const file = path.join(dir, BUNDLE_FILES.inputs);
  const lines = (await readFile(file, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { topic: string; partition: number; offset: string; value_base64: string | null });
  const i = lines.findIndex((l) => l.value_base64 !== null && Buffer.from(l.value_base64, 'base64').toString('utf8').includes('"severity":"'));
  const text = Buffer.from(lines[i]!.value_base64!, 'base64').toString('utf8');
  lines[i] = { ...lines[i]!, value_base64: Buffer.from(text.replace('"severity":"', '"severity":"x'), 'utf8').toString('base64') };
  await writeFile(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  const page = await openBundle(dir);
  const checks = await shownChecks(page);
  t.is(checks['recorded inputs'], 'fail');
  t.is(checks['manifest'], 'fail');
  const shown = await page.textContent('#checks [data-check="recorded inputs"]');
  t.true(shown!.includes(`(${lines[i]!.topic}/${lines[i]!.partition}@${lines[i]!.offset}): the value hashes to`), shown!);
  t.true(await page.isHidden('#whatif'), 'no what-if report, no What-if section');
  await page.close();
});
