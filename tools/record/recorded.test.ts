/**
 * Replay tests over recorded runs (fixtures/recorded/), no broker: the regression guard for the
 * decision core. `fixtures/recorded/small/` is a real `exoarmur reality` run of
 * fixtures/scenarios/small (telemetry, a duplicate, a truncated line, an event with an invalid
 * severity, one whose attributes.confidence is out of range, an operator approval, a processor
 * SIGKILL mid-burst) read back from the broker by `exoarmur record`. Its recorded
 * inputs are replayed through the real core and every audit record, execute intent and dead
 * letter must come out the same. Any core or codec change that alters a decision for these inputs
 * fails here, naming the records that moved.
 *
 * Re-recording is a reviewed decision, never a way to make this test pass: only when a change is
 * meant to alter recorded decisions (and its review says which and why) re-record with
 *   make build
 *   node dist/tools/cli.js broker start --data-dir .exoarmur/b --port 59092
 *   node dist/tools/cli.js reality --scenario fixtures/scenarios/small --brokers 127.0.0.1:59092
 *   node dist/tools/cli.js record --run <run id printed above> --brokers 127.0.0.1:59092 --out fixtures/recorded/small
 *   node dist/tools/cli.js broker stop --data-dir .exoarmur/b
 * and commit the directory in its own commit whose message names the decisions that changed.
 *
 * The second half corrupts copies and asserts each is caught with a named reason, both with the
 * stale SHA256SUMS (the sums name the file) and with SHA256SUMS regenerated after the edit (what
 * the edit broke still names it: counts, a config hash, the audit chain, or the replay).
 */
import test, { type ExecutionContext } from 'ava';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '../../processor/core/canonical.js';
import { GENESIS_HASH, recordHash } from '../../processor/core/chain.js';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { nodePrimitives } from '../../processor/primitives.js';
import { repoRoot } from '../broker/paths.js';
import type { BundleConfigSnapshot } from '../bundle/files.js';
import { checkRecordedRun, type ProblemCode, type RecordedCheck } from './check.js';
import { RECORDED_FILES, RECORDED_FORMAT, runMetaOf, SUMMED_FILES, type InputLine, type RunMeta } from './format.js';
import { loadRecordedRun } from './load.js';
import { recordedRunFiles, sumsFor } from './write.js';

const SMALL = join(repoRoot(), 'fixtures', 'recorded', 'small');

const readLines = (dir: string, name: string): string[] =>
  readFileSync(join(dir, name), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
const writeLines = (dir: string, name: string, lines: readonly string[]): void => writeFileSync(join(dir, name), lines.map((l) => `${l}\n`).join(''));
const auditOf = (dir: string): AuditRecordV1[] => readLines(dir, RECORDED_FILES.audit).map((l) => JSON.parse(l) as AuditRecordV1);
const writeAudit = (dir: string, records: readonly AuditRecordV1[]): void =>
  writeLines(
    dir,
    RECORDED_FILES.audit,
    records.map((r) => JSON.stringify(r)),
  );

/** Rewrites SHA256SUMS over the files as they are now, as a careless re-recording would. */
function resum(dir: string): void {
  const files = new Map(SUMMED_FILES.map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
  writeFileSync(join(dir, RECORDED_FILES.sums), sumsFor(files));
}

function copyOfSmall(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'exoarmur-recorded-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(SMALL, dir, { recursive: true });
  return dir;
}

const codes = (check: RecordedCheck): Set<ProblemCode> => new Set(check.problems.map((p) => p.code));
const detailsOf = (check: RecordedCheck, code: ProblemCode): string =>
  check.problems
    .filter((p) => p.code === code)
    .map((p) => p.detail)
    .join('\n');

interface Corruption {
  /** The file the edit touches; a stale SHA256SUMS must name it. */
  file: string;
  edit: (dir: string) => void;
  /** Problems the edit must cause even after SHA256SUMS is regenerated. */
  expected: ProblemCode[];
  /** Further assertions on the check of the re-summed copy. */
  inspect: (t: ExecutionContext, check: RecordedCheck) => void;
}

/** Applies the corruption to two copies: one keeps the stale sums, the other is re-summed. */
async function assertCaught(t: ExecutionContext, corruption: Corruption): Promise<void> {
  const stale = copyOfSmall(t);
  corruption.edit(stale);
  const staleCheck = await checkRecordedRun(stale);
  t.false(staleCheck.ok);
  t.regex(detailsOf(staleCheck, 'SUMS_MISMATCH'), new RegExp(`^${corruption.file.replace('.', '\\.')}: sha256 `, 'm'), 'the stale SHA256SUMS names the edited file');

  const resummed = copyOfSmall(t);
  corruption.edit(resummed);
  resum(resummed);
  const check = await checkRecordedRun(resummed);
  t.false(check.ok);
  t.false(codes(check).has('SUMS_MISMATCH'), 'the re-summed copy passes its sums');
  for (const code of corruption.expected) t.true(codes(check).has(code), `${code} expected; problems: ${JSON.stringify(check.problems)}`);
  corruption.inspect(t, check);
}

/** The telemetry input lines, with their decoded JSON values. */
function telemetryLines(dir: string): { index: number; line: InputLine; event: Record<string, unknown> | null }[] {
  const meta = JSON.parse(readFileSync(join(dir, RECORDED_FILES.run), 'utf8')) as { topics: { telemetry: string } };
  return readLines(dir, RECORDED_FILES.inputs)
    .map((text, index) => ({ index, line: JSON.parse(text) as InputLine }))
    .filter(({ line }) => line.topic === meta.topics.telemetry)
    .map(({ index, line }) => {
      let event: Record<string, unknown> | null = null;
      try {
        event = JSON.parse(Buffer.from(line.value_base64 ?? '', 'base64').toString('utf8')) as Record<string, unknown>;
      } catch {
        event = null;
      }
      return { index, line, event };
    });
}

/** Edits the value of the first delivery of `eventId` (the one that got telemetry_received). */
function editFirstDelivery(dir: string, eventId: string, change: (event: Record<string, unknown>) => void): InputLine {
  const deliveries = telemetryLines(dir).filter((x) => x.event?.['event_id'] === eventId);
  const first = deliveries.sort((a, b) => Number(BigInt(a.line.offset) - BigInt(b.line.offset)))[0]!;
  change(first.event!);
  const lines = readLines(dir, RECORDED_FILES.inputs);
  lines[first.index] = JSON.stringify({ ...first.line, value_base64: Buffer.from(JSON.stringify(first.event), 'utf8').toString('base64') });
  writeLines(dir, RECORDED_FILES.inputs, lines);
  return first.line;
}

test('the recorded small run passes its SHA256SUMS and replays through the core with 0 mismatches and the counts of run.json', async (t) => {
  const check = await checkRecordedRun(SMALL);
  t.deepEqual(check.problems, []);
  t.true(check.ok);
  const { meta, report } = check;
  t.like(report, {
    compared: meta!.counts.audit,
    matched: meta!.counts.audit,
    mismatched: 0,
    mismatches: [],
    inputs_replayed: meta!.counts.receipts,
    intent_hashes_equal: true,
    verdicts_equal: true,
    approvals_equal: true,
    trace_structure_equal: true,
    execute_equal: true,
    dead_letters_equal: true,
    pass: true,
  });
  t.is(meta!.counts.receipts, meta!.counts.inputs.telemetry + meta!.counts.inputs.operator, 'every receipt points at its own recorded input');
  t.is(
    meta!.counts.audit,
    meta!.counts.audit_per_partition.reduce((a, b) => a + b, 0),
  );
});

test('the recording covers what it guards: releases, a human approval applied by a signed operator action, duplicates, dead letters', (t) => {
  const audit = auditOf(SMALL);
  const kinds = new Set(audit.map((r) => r.event_kind));
  for (const kind of [
    'telemetry_received',
    'telemetry_duplicate',
    'telemetry_rejected',
    'approval_requested',
    'action_received',
    'operator_action_applied',
    'approval_granted',
    'intent_released',
  ] as const) {
    t.true(kinds.has(kind), `the recording holds ${kind}`);
  }
  const rules = new Set(audit.filter((r) => r.event_kind === 'safety_evaluated').map((r) => (r.payload as { rule: string }).rule));
  t.deepEqual([...rules].sort(), ['SG-301', 'SG-402', 'SG-403', 'SG-501']);
  const rejected = audit.filter((r) => r.event_kind === 'telemetry_rejected') as AuditRecordV1<'telemetry_rejected'>[];
  // One dead letter per rejection (the truncated line was re-delivered to another partition, so it has two).
  t.is(readLines(SMALL, RECORDED_FILES.dlq).length, rejected.length);
  t.deepEqual(rejected.map((r) => r.payload.reason_code).sort(), ['bad_severity', 'not_json', 'not_json']);
  // Fields that only some records fill: a receipt naming the ids its value carried, a belief naming the confidence it ignored.
  t.deepEqual(rejected.find((r) => r.payload.reason_code === 'bad_severity')!.payload.identifiers, {
    event_id: '01JS00000000000000000000R2',
    action_id: null,
    tenant_id: 't1',
    correlation_id: 'c5',
    cell_id: 'cell-a',
  });
  const beliefs = audit.filter((r) => r.event_kind === 'belief_emitted') as AuditRecordV1<'belief_emitted'>[];
  t.deepEqual(
    beliefs.filter((r) => r.payload.ignored_confidence !== null).map((r) => r.payload.ignored_confidence),
    [{ value: '7', reason: 'out_of_range' }],
  );
});

test('loading and writing the recorded run again reproduces every file byte for byte (run.json in the current format)', async (t) => {
  const { meta, recorded } = await loadRecordedRun(SMALL);
  const files = recordedRunFiles(recorded, { runId: meta.run_id, topics: meta.topics, tool: meta.recorded_with });
  // The fixture is format 1; the writer writes format 2, whose run.json differs only in the format
  // number and the topic keys. Every other file, and every other line of SHA256SUMS, is identical.
  for (const name of SUMMED_FILES.filter((n) => n !== RECORDED_FILES.run)) t.is(files.get(name), readFileSync(join(SMALL, name), 'utf8'), name);
  t.deepEqual(JSON.parse(files.get(RECORDED_FILES.run)!), { ...runMetaOf(JSON.parse(readFileSync(join(SMALL, RECORDED_FILES.run), 'utf8')) as RunMeta), format: RECORDED_FORMAT });
  const otherSums = (text: string) => text.split('\n').filter((line) => !line.endsWith(`  ${RECORDED_FILES.run}`));
  t.deepEqual(otherSums(files.get(RECORDED_FILES.sums)!), otherSums(readFileSync(join(SMALL, RECORDED_FILES.sums), 'utf8')));
});

test('an audit record whose verdict was edited is caught by its chain hash and by replay', async (t) => {
  let edited: AuditRecordV1 | undefined;
  await assertCaught(t, {
    file: RECORDED_FILES.audit,
    edit: (dir) => {
      const audit = auditOf(dir);
      const i = audit.findIndex((r) => r.event_kind === 'safety_evaluated' && (r.payload as { verdict: string }).verdict === 'allow');
      edited = { ...audit[i]!, payload: { ...(audit[i]!.payload as object), verdict: 'deny' } } as AuditRecordV1;
      audit[i] = edited;
      writeAudit(dir, audit);
    },
    expected: ['AUDIT_CHAIN_BROKEN', 'REPLAY_MISMATCH'],
    inspect: (t, check) => {
      t.regex(detailsOf(check, 'AUDIT_CHAIN_BROKEN'), new RegExp(`${edited!.audit_id}\\): edited`));
      t.false(check.report!.verdicts_equal);
      t.deepEqual(check.report!.mismatches, [
        { partition: edited!.input.partition, seq: edited!.seq, audit_id: edited!.audit_id, field: 'payload.verdict', recorded: 'deny', replayed: 'allow' },
      ]);
    },
  });
});

test('a verdict edit whose audit chain was re-sealed (every hash recomputed) is still caught by replay', async (t) => {
  const dir = copyOfSmall(t);
  const audit = auditOf(dir);
  const i = audit.findIndex((r) => r.event_kind === 'safety_evaluated' && (r.payload as { verdict: string }).verdict === 'allow');
  const partition = audit[i]!.input.partition;
  audit[i] = { ...audit[i]!, payload: { ...(audit[i]!.payload as object), verdict: 'deny' } } as AuditRecordV1;
  let prev = GENESIS_HASH;
  for (const [j, r] of audit.entries()) {
    if (r.input.partition !== partition) continue;
    const resealed = { ...r, prev_hash: prev };
    audit[j] = { ...resealed, record_hash: recordHash(nodePrimitives, resealed) };
    prev = audit[j]!.record_hash;
  }
  writeAudit(dir, audit);
  resum(dir);
  const check = await checkRecordedRun(dir);
  t.deepEqual([...codes(check)], ['REPLAY_MISMATCH']);
  t.is(check.report!.mismatched, 1);
  t.is(check.report!.mismatches[0]!.field, 'payload.verdict');
});

test('an input whose value was edited makes replay decide differently', async (t) => {
  let edited: InputLine | undefined;
  await assertCaught(t, {
    file: RECORDED_FILES.inputs,
    edit: (dir) => {
      // 0.95 made this event malicious (A2, allowed by SG-403); 0.10 makes it benign (A0, SG-501).
      edited = editFirstDelivery(dir, '01JS0000000000000000000001', (e) => {
        e['attributes'] = { confidence: 0.1 };
      });
    },
    expected: ['REPLAY_MISMATCH'],
    inspect: (t, check) => {
      const report = check.report!;
      t.false(report.verdicts_equal);
      t.false(report.intent_hashes_equal);
      const at = report.mismatches.filter((m) => m.partition === edited!.partition);
      t.true(
        at.some((m) => m.field === 'payload.confidence' && m.recorded === 0.95 && m.replayed === 0.1),
        JSON.stringify(at),
      );
      t.true(
        at.some((m) => m.field === 'payload.rule' && m.recorded === 'SG-403' && m.replayed === 'SG-501'),
        JSON.stringify(at),
      );
    },
  });
});

test("an input whose event id was edited no longer matches its receipt's idempotency key", async (t) => {
  await assertCaught(t, {
    file: RECORDED_FILES.inputs,
    edit: (dir) => {
      editFirstDelivery(dir, '01JS0000000000000000000003', (e) => {
        e['event_id'] = '01JS0000000000000000000009';
      });
    },
    expected: ['REPLAY_MISMATCH'],
    inspect: (t, check) => {
      const keys = check.report!.mismatches.filter((m) => m.field === 'idempotency_key');
      t.true(keys.length > 0, JSON.stringify(check.report!.mismatches));
      t.deepEqual(keys[0]!.recorded, 't1:01JS0000000000000000000003');
      t.deepEqual(keys[0]!.replayed, 't1:01JS0000000000000000000009');
    },
  });
});

test('a dropped input is caught by the counts of run.json and stops replay naming its coordinates', async (t) => {
  let dropped: InputLine | undefined;
  await assertCaught(t, {
    file: RECORDED_FILES.inputs,
    edit: (dir) => {
      const victim = telemetryLines(dir).find((x) => x.event?.['event_id'] === '01JS0000000000000000000002')!;
      dropped = victim.line;
      writeLines(
        dir,
        RECORDED_FILES.inputs,
        readLines(dir, RECORDED_FILES.inputs).filter((_, i) => i !== victim.index),
      );
    },
    expected: ['COUNT_MISMATCH', 'REPLAY_FAILED'],
    inspect: (t, check) => {
      t.regex(detailsOf(check, 'COUNT_MISMATCH'), /^counts\.inputs\.telemetry: run\.json says 614, the files hold 613$/m);
      t.true(detailsOf(check, 'REPLAY_FAILED').startsWith(`REPLAY_INPUT_MISSING: receipt `));
      t.true(detailsOf(check, 'REPLAY_FAILED').includes(`${dropped!.topic}/${dropped!.partition}@${dropped!.offset}`));
      t.is(check.report, null);
    },
  });
});

test('two swapped audit lines are caught by the audit chain and by replay', async (t) => {
  let swapped: [AuditRecordV1, AuditRecordV1] | undefined;
  await assertCaught(t, {
    file: RECORDED_FILES.audit,
    edit: (dir) => {
      const lines = readLines(dir, RECORDED_FILES.audit);
      // Lines 3 and 4: partition 0, seq 2 and 3, two different records of the same trail.
      [lines[2], lines[3]] = [lines[3]!, lines[2]!];
      writeLines(dir, RECORDED_FILES.audit, lines);
      swapped = [JSON.parse(lines[2]!) as AuditRecordV1, JSON.parse(lines[3]!) as AuditRecordV1];
    },
    expected: ['AUDIT_CHAIN_BROKEN', 'REPLAY_MISMATCH'],
    inspect: (t, check) => {
      t.is(swapped![0].input.partition, 0);
      t.regex(detailsOf(check, 'AUDIT_CHAIN_BROKEN'), /^partition 0 line 3 of its records \(seq 3, [0-9A-Z]{26}\): seq_gap, expected seq 2, found 3$/);
      const seqs = new Set(check.report!.mismatches.map((m) => m.seq));
      t.deepEqual([...seqs].sort(), [2, 3], 'replay names exactly the two positions that moved');
      t.true(check.report!.mismatches.some((m) => m.field === 'audit_id' && m.recorded === swapped![0].audit_id && m.replayed === swapped![1].audit_id));
    },
  });
});

test('a config snapshot whose policy was edited no longer hashes to its config_hash', async (t) => {
  await assertCaught(t, {
    file: RECORDED_FILES.configSnapshots,
    edit: (dir) => {
      const snapshots = JSON.parse(readFileSync(join(dir, RECORDED_FILES.configSnapshots), 'utf8')) as BundleConfigSnapshot[];
      const policy = snapshots[0]!.config['policy'] as { trust: Record<string, number> };
      policy.trust['cell-low-trust'] = 0.9;
      writeFileSync(join(dir, RECORDED_FILES.configSnapshots), `${JSON.stringify(snapshots, null, 2)}\n`);
    },
    expected: ['CONFIG_HASH_MISMATCH', 'REPLAY_FAILED'],
    inspect: (t, check) => {
      t.regex(detailsOf(check, 'CONFIG_HASH_MISMATCH'), /^config snapshot [0-9a-f]{12}… hashes to [0-9a-f]{12}…: its config was edited$/);
      t.regex(detailsOf(check, 'REPLAY_FAILED'), /^CONFIG_HASH_MISMATCH: /);
    },
  });
});

test('a config snapshot edited and re-hashed is one the audit trail never named: replay stops', async (t) => {
  await assertCaught(t, {
    file: RECORDED_FILES.configSnapshots,
    edit: (dir) => {
      const snapshots = JSON.parse(readFileSync(join(dir, RECORDED_FILES.configSnapshots), 'utf8')) as BundleConfigSnapshot[];
      const policy = snapshots[0]!.config['policy'] as { trust: Record<string, number> };
      policy.trust['cell-low-trust'] = 0.9;
      snapshots[0]!.config_hash = nodePrimitives.sha256Hex(canonicalJson(snapshots[0]!.config));
      writeFileSync(join(dir, RECORDED_FILES.configSnapshots), `${JSON.stringify(snapshots, null, 2)}\n`);
    },
    expected: ['REPLAY_FAILED'],
    inspect: (t, check) => {
      t.false(codes(check).has('CONFIG_HASH_MISMATCH'));
      t.regex(detailsOf(check, 'REPLAY_FAILED'), /^REPLAY_CONFIG_MISSING: audit record [0-9A-Z]{26} names config [0-9a-f]{64}, which the config topic does not hold/);
    },
  });
});

test('a format-1 run.json (topics keyed by the old role names) reads as the config topic keys; an unknown format is refused', (t) => {
  const legacy = { format: 1, topics: { telemetry: 't', operatorActions: 'o', config: 'c', audit: 'a', intentsExecute: 'e', state: 's', dlq: 'd' } } as unknown as RunMeta;
  t.deepEqual(runMetaOf(legacy)?.topics, { telemetry: 't', operator_actions: 'o', config: 'c', audit: 'a', execute: 'e', state: 's', dlq: 'd' });
  t.is(runMetaOf({ ...legacy, format: 3 }), null);
  const current = { ...legacy, format: RECORDED_FORMAT };
  t.is(runMetaOf(current), current);
});
