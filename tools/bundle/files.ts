/**
 * The evidence bundle on disk (docs/contracts.md "Evidence bundle files"): its file names, the
 * manifest that hashes every other file, and a reader that parses each file it knows without
 * throwing on bad content, so `verify` can name exactly which file is wrong and how.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditRecordV1, ConfigSnapshotV1, ExecutionIntentV1, ExecutionResultV1, OperatorActionV1 } from '../../processor/core/types.js';
import type { ReceivedRequest } from '../actuate/receiver.js';
import { UsageError } from '../../processor/errors.js';

export const BUNDLE_FILES = {
  auditExport: 'audit_export.jsonl',
  storageState: 'storage_state.json',
  replayReport: 'replay_report.json',
  serviceLog: 'service.log',
  configSnapshot: 'config_snapshot.json',
  configHash: 'config_hash.txt',
  timeModel: 'time_model.json',
  idempotencyReport: 'idempotency_report.json',
  operatorActions: 'operator_actions.jsonl',
  passFail: 'PASS_FAIL.txt',
  runFacts: 'run_facts.json',
  executeExport: 'execute_export.jsonl',
  checkpoints: 'checkpoints.jsonl',
  executionResults: 'execution_results.jsonl',
  actuatorRequests: 'actuator_requests.jsonl',
  actuatorReport: 'actuator_report.json',
  actuatorLog: 'actuator.log',
  manifestSignature: 'manifest.sig',
  manifest: 'manifest.json',
  index: 'index.html',
} as const;

/** The files the manifest does not cover: itself, its signature, and the viewer page that embeds the others. */
export const UNMANIFESTED: readonly string[] = [BUNDLE_FILES.manifest, BUNDLE_FILES.manifestSignature, BUNDLE_FILES.index];

export interface Manifest {
  run_id: string;
  algorithm: 'sha256';
  /** file name -> lower-case hex SHA-256 of its bytes. */
  files: Record<string, string>;
}

/** A config snapshot as the bundle holds it: `config` is the canonical config object, not its string. */
export interface BundleConfigSnapshot {
  config_hash: string;
  config: Record<string, unknown>;
  captured_at: string;
}

export function sha256OfBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Names of the regular files directly in `dir`, sorted. Sub-directories are not part of a bundle
 * (the viewer ignores them too), so screenshots or scratch output placed in one are not hashed.
 */
export function bundleFileNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isFile())
    .sort();
}

/** Hashes every file in `dir` except manifest.json and index.html and writes manifest.json. */
export async function writeManifest(dir: string, runId: string): Promise<Manifest> {
  const files: Record<string, string> = {};
  for (const name of bundleFileNames(dir)) {
    if (UNMANIFESTED.includes(name)) continue;
    files[name] = sha256OfBytes(await readFile(join(dir, name)));
  }
  const manifest: Manifest = { run_id: runId, algorithm: 'sha256', files };
  await writeFile(join(dir, BUNDLE_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** The bundle form of a ConfigSnapshotV1 (whose `config` is the canonical JSON string). */
export function bundleSnapshot(snapshot: ConfigSnapshotV1): BundleConfigSnapshot {
  return { config_hash: snapshot.config_hash, config: JSON.parse(snapshot.config) as Record<string, unknown>, captured_at: snapshot.captured_at };
}

/** One JSON value per line, newline-terminated. */
export function jsonlText(values: readonly unknown[]): string {
  return values.map((v) => `${JSON.stringify(v)}\n`).join('');
}

/** A parsed bundle file: its value, or why it could not be had (missing, not JSON, wrong shape). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export interface Bundle {
  dir: string;
  /** Raw bytes of every regular file in the directory, by name. */
  files: Map<string, Buffer>;
  manifest: Parsed<Manifest>;
  audit: Parsed<AuditRecordV1[]>;
  snapshots: Parsed<BundleConfigSnapshot[]>;
  configHash: Parsed<string>;
  operatorActions: Parsed<OperatorActionV1[]>;
  /** replay_report.json as written (tools/replay/report.ts shape), unvalidated. */
  replayReport: Parsed<Record<string, unknown>>;
  /** The other JSON files, unvalidated: gates re-derivation names what it misses. */
  json: (name: string) => Parsed<Record<string, unknown>>;
  executeExport: Parsed<ExecutionIntentV1[]>;
  /** The actuator's results and the webhook receiver's request log (tools/reality/actuation.ts). */
  executionResults: Parsed<ExecutionResultV1[]>;
  actuatorRequests: Parsed<ReceivedRequest[]>;
  passFail: Parsed<string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fileText(files: Map<string, Buffer>, name: string): Parsed<string> {
  const bytes = files.get(name);
  return bytes === undefined ? { ok: false, problem: `${name} is missing from the bundle` } : { ok: true, value: bytes.toString('utf8') };
}

function parseJson<T>(files: Map<string, Buffer>, name: string, check: (v: unknown) => string | null): Parsed<T> {
  const text = fileText(files, name);
  if (!text.ok) return text;
  let value: unknown;
  try {
    value = JSON.parse(text.value);
  } catch (error) {
    return { ok: false, problem: `${name} is not JSON: ${(error as Error).message}` };
  }
  const problem = check(value);
  return problem === null ? { ok: true, value: value as T } : { ok: false, problem: `${name} ${problem}` };
}

function parseJsonl<T>(files: Map<string, Buffer>, name: string, check: (v: unknown) => string | null): Parsed<T[]> {
  const text = fileText(files, name);
  if (!text.ok) return text;
  const out: T[] = [];
  const lines = text.value.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      return { ok: false, problem: `${name} line ${i + 1} is not JSON: ${(error as Error).message}` };
    }
    const problem = check(value);
    if (problem !== null) return { ok: false, problem: `${name} line ${i + 1} ${problem}` };
    out.push(value as T);
  }
  return { ok: true, value: out };
}

const checkManifest = (v: unknown): string | null =>
  isObject(v) && typeof v['run_id'] === 'string' && isObject(v['files']) && Object.values(v['files']).every((h) => typeof h === 'string')
    ? null
    : 'is not {"run_id", "algorithm", "files": {name: sha256}}';

const checkAudit = (v: unknown): string | null =>
  isObject(v) && typeof v['audit_id'] === 'string' && typeof v['seq'] === 'number' && isObject(v['input']) && typeof v['record_hash'] === 'string'
    ? null
    : 'is not an audit record (audit_id, seq, input, record_hash)';

const checkSnapshots = (v: unknown): string | null =>
  Array.isArray(v) && v.length > 0 && v.every((s) => isObject(s) && typeof s['config_hash'] === 'string' && isObject(s['config']))
    ? null
    : 'is not a non-empty array of {config_hash, config: object, captured_at}';

const checkAction = (v: unknown): string | null =>
  isObject(v) && typeof v['action_id'] === 'string' && typeof v['signature'] === 'string' ? null : 'is not an operator action (action_id, signature)';

/**
 * Reads every file of a bundle directory and parses the ones verify and the viewer check. Content
 * problems are values (Parsed.ok false); only a directory that is not a bundle at all throws.
 */
export async function readBundle(dir: string): Promise<Bundle> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError('BUNDLE_NOT_FOUND', `bundle dir ${dir} does not exist: give the artifacts/<run_id>/ directory a reality run wrote (run make reality)`);
  }
  const files = new Map<string, Buffer>();
  for (const name of bundleFileNames(dir)) files.set(name, await readFile(join(dir, name)));
  if (!files.has(BUNDLE_FILES.manifest)) {
    throw new UsageError('BUNDLE_NO_MANIFEST', `bundle dir ${dir} has no ${BUNDLE_FILES.manifest}: is this an evidence bundle? run make reality`);
  }
  const hashText = fileText(files, BUNDLE_FILES.configHash);
  return {
    dir,
    files,
    manifest: parseJson<Manifest>(files, BUNDLE_FILES.manifest, checkManifest),
    audit: parseJsonl<AuditRecordV1>(files, BUNDLE_FILES.auditExport, checkAudit),
    snapshots: parseJson<BundleConfigSnapshot[]>(files, BUNDLE_FILES.configSnapshot, checkSnapshots),
    configHash: hashText.ok ? { ok: true, value: hashText.value.trim() } : hashText,
    operatorActions: parseJsonl<OperatorActionV1>(files, BUNDLE_FILES.operatorActions, checkAction),
    replayReport: parseJson<Record<string, unknown>>(files, BUNDLE_FILES.replayReport, (v) => (isObject(v) ? null : 'is not a JSON object')),
    json: (name) => parseJson<Record<string, unknown>>(files, name, (v) => (isObject(v) ? null : 'is not a JSON object')),
    executeExport: parseJsonl<ExecutionIntentV1>(files, BUNDLE_FILES.executeExport, (v) =>
      isObject(v) && typeof v['intent_id'] === 'string' ? null : 'is not an execution intent (intent_id)',
    ),
    executionResults: parseJsonl<ExecutionResultV1>(files, BUNDLE_FILES.executionResults, (v) =>
      isObject(v) && typeof v['intent_id'] === 'string' && typeof v['outcome'] === 'string' ? null : 'is not an execution result (intent_id, outcome)',
    ),
    actuatorRequests: parseJsonl<ReceivedRequest>(files, BUNDLE_FILES.actuatorRequests, (v) =>
      isObject(v) && 'key' in v && 'intent_id' in v && typeof v['effect'] === 'string' ? null : 'is not a receiver request line (key, intent_id, effect)',
    ),
    passFail: fileText(files, BUNDLE_FILES.passFail),
  };
}
