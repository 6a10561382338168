/**
 * Where a bundle came from. The processor's checkpoint key signs manifest.json (manifest.sig) and
 * every checkpoint (checkpoints.jsonl); `verify --trust KEY` checks both against a key the reviewer
 * got out of band, and holds the audit export against the last signed checkpoint of each partition
 * (record count, head, Merkle root), so a dropped tail, an edit, a reorder or a re-sealed chain is
 * named. Without a trusted key nothing is VERIFIED; a bundle without signatures is an older format.
 */
import { existsSync, readFileSync } from 'node:fs';
import { checkpointProblem, type CheckpointV1 } from '../../processor/core/checkpoint.js';
import { leafHash, prefixRoots } from '../../processor/core/merkle.js';
import { signerFromPem, publicKeyBase64 } from '../../processor/checkpoint-key.js';
import { UsageError } from '../../processor/errors.js';
import { nodePrimitives as p, parseEd25519PublicKey } from '../../processor/primitives.js';
import type { AuditRecordV1 } from '../../processor/core/types.js';
import { BUNDLE_FILES, type Bundle } from './files.js';

export type OriginStatus = 'verified' | 'unverified' | 'unsigned' | 'forged';

export interface Origin {
  status: OriginStatus;
  detail: string;
}

interface ManifestSignature {
  algorithm: 'ed25519';
  public_key: string;
  signature: string;
}

/** manifest.sig: the processor key's Ed25519 signature over the bytes of manifest.json. */
export function manifestSignatureText(manifestBytes: Uint8Array, privateKeyPem: string): string {
  const signer = signerFromPem(privateKeyPem, 'the checkpoint key');
  const sig: ManifestSignature = { algorithm: 'ed25519', public_key: signer.publicKey, signature: signer.sign(manifestBytes) };
  return `${JSON.stringify(sig, null, 2)}\n`;
}

/**
 * `--trust`: a base64 SPKI (or raw) Ed25519 public key, a PEM public key file, a config file whose
 * checkpoints.public_key it takes, or a bundle's config_snapshot.json (an array of snapshots) whose
 * snapshot with `bundleConfigHash` (the verified bundle's config_hash.txt; null: none to pick by) it takes.
 */
export function trustedKey(arg: string, bundleConfigHash: string | null = null): string {
  if (existsSync(arg)) {
    const text = readFileSync(arg, 'utf8');
    if (text.includes('-----BEGIN PUBLIC KEY-----')) {
      const key = parseEd25519PublicKey(text);
      if (key !== null) return publicKeyBase64(key);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: fall through to the error below
    }
    const config = Array.isArray(parsed) ? snapshotConfig(arg, parsed, bundleConfigHash) : (parsed as { checkpoints?: { public_key?: unknown } } | undefined);
    if (typeof config?.checkpoints?.public_key === 'string' && parseEd25519PublicKey(config.checkpoints.public_key) !== null) return config.checkpoints.public_key;
    throw new UsageError('TRUST_KEY_INVALID', `--trust ${arg} is neither a PEM Ed25519 public key nor a config (or the bundle's config snapshot) with checkpoints.public_key`);
  }
  const key = parseEd25519PublicKey(arg);
  if (key === null) throw new UsageError('TRUST_KEY_INVALID', `--trust ${arg.slice(0, 24)}… is not an Ed25519 public key (base64 SPKI DER) nor an existing file`);
  return publicKeyBase64(key);
}

/** The config of the snapshot in `snapshots` (a config_snapshot.json) whose config_hash is the bundle's. */
function snapshotConfig(arg: string, snapshots: unknown[], bundleConfigHash: string | null): { checkpoints?: { public_key?: unknown } } | undefined {
  if (bundleConfigHash === null) {
    throw new UsageError('TRUST_SNAPSHOT_UNMATCHED', `--trust ${arg} is a list of config snapshots and there is no bundle ${BUNDLE_FILES.configHash} to pick one by`);
  }
  const matching = (snapshots as Array<{ config_hash?: unknown; config?: { checkpoints?: { public_key?: unknown } } } | null>).find((s) => s?.config_hash === bundleConfigHash);
  if (matching === undefined || matching === null) {
    throw new UsageError(
      'TRUST_SNAPSHOT_UNMATCHED',
      `--trust ${arg}: none of its ${snapshots.length} config snapshots has the bundle's config hash ${bundleConfigHash} (${BUNDLE_FILES.configHash})`,
    );
  }
  return matching.config;
}

/** Decoded checkpoints.jsonl, or why not. */
function checkpointsOf(bundle: Bundle): CheckpointV1[] | string {
  const bytes = bundle.files.get(BUNDLE_FILES.checkpoints);
  if (bytes === undefined) return `${BUNDLE_FILES.checkpoints} is missing`;
  try {
    return bytes
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as CheckpointV1);
  } catch (error) {
    return `${BUNDLE_FILES.checkpoints} is not JSON lines: ${(error as Error).message}`;
  }
}

/** Every way the export departs from the signed checkpoints of its partitions. */
export function exportAgainstCheckpoints(audit: readonly AuditRecordV1[], checkpoints: readonly CheckpointV1[]): string[] {
  const problems: string[] = [];
  const byPartition = new Map<number, AuditRecordV1[]>();
  for (const r of audit) {
    const records = byPartition.get(r.input.partition);
    if (records === undefined) byPartition.set(r.input.partition, [r]);
    else records.push(r);
  }
  const partitions = new Set([...byPartition.keys(), ...checkpoints.map((c) => c.partition)]);
  for (const partition of [...partitions].sort((a, b) => a - b)) {
    const records = byPartition.get(partition) ?? [];
    const rootOfFirst = prefixRoots(
      p,
      records.map((r) => leafHash(p, r.record_hash)),
    );
    const signed = checkpoints.filter((c) => c.partition === partition).sort((a, b) => a.record_count - b.record_count);
    const last = signed[signed.length - 1];
    if (last === undefined) {
      problems.push(`partition ${partition}: ${records.length} exported records but no signed checkpoint`);
      continue;
    }
    if (records.length < last.record_count)
      problems.push(`partition ${partition}: dropped tail — the last signed checkpoint covers ${last.record_count} records, the export holds ${records.length}`);
    if (records.length > last.record_count)
      problems.push(`partition ${partition}: ${records.length - last.record_count} exported records after the last signed checkpoint (${last.record_count})`);
    for (const c of signed) {
      if (c.record_count > records.length) continue;
      const root = rootOfFirst(c.record_count);
      if (root !== c.merkle_root) {
        problems.push(
          `partition ${partition}: the first ${c.record_count} exported records do not hash to the signed Merkle root ${c.merkle_root.slice(0, 12)}… (edited, reordered or re-sealed)`,
        );
        break;
      }
      if (records[c.record_count - 1]?.record_hash !== c.head_record_hash) {
        problems.push(`partition ${partition}: record ${c.head_seq} is not the signed head ${c.head_record_hash.slice(0, 12)}…`);
        break;
      }
    }
  }
  return problems;
}

/** The bundle's origin against `trusted` (base64 SPKI), or null when the reviewer gave no key. */
export function checkOrigin(bundle: Bundle, trusted: string | null): Origin {
  const sigBytes = bundle.files.get(BUNDLE_FILES.manifestSignature);
  if (sigBytes === undefined && !bundle.files.has(BUNDLE_FILES.checkpoints)) {
    return {
      status: 'unsigned',
      detail: `unsigned (older format): no ${BUNDLE_FILES.manifestSignature} and no ${BUNDLE_FILES.checkpoints}, so nothing shows who wrote this bundle`,
    };
  }
  if (trusted === null) return { status: 'unverified', detail: 'origin unverified: no trusted key given (pass --trust with the processor public key, a PEM file or its config)' };
  const problems: string[] = [];
  if (sigBytes === undefined) problems.push(`${BUNDLE_FILES.manifestSignature} is missing`);
  else {
    let sig: ManifestSignature | null = null;
    try {
      sig = JSON.parse(sigBytes.toString('utf8')) as ManifestSignature;
    } catch {
      problems.push(`${BUNDLE_FILES.manifestSignature} is not JSON`);
    }
    const manifest = bundle.files.get(BUNDLE_FILES.manifest)!;
    if (sig !== null && !p.verifyEd25519(trusted, manifest, String(sig.signature))) {
      problems.push(
        sig.public_key !== trusted
          ? `manifest.json is signed by another key (${String(sig.public_key).slice(-16)}), not the trusted one`
          : 'the manifest.json signature does not verify: manifest.json was changed after signing',
      );
    }
  }
  if (bundle.snapshots.ok) {
    const pinned = bundle.snapshots.value.map((s) => (s.config['checkpoints'] as { public_key?: string } | undefined)?.public_key);
    if (pinned.some((k) => k !== trusted)) problems.push('a config snapshot pins another checkpoint public key than the trusted one');
  }
  const checkpoints = checkpointsOf(bundle);
  if (typeof checkpoints === 'string') problems.push(checkpoints);
  else {
    const unsigned: string[] = [];
    checkpoints.forEach((c, i) => {
      const problem = checkpointProblem(p, c, trusted);
      if (problem !== null) unsigned.push(`checkpoint ${i + 1} (partition ${c.partition}, ${c.record_count} records): ${problem}`);
    });
    problems.push(...unsigned);
    // Only checkpoints the trusted key signed can say what the log held.
    if (bundle.audit.ok && unsigned.length === 0) problems.push(...exportAgainstCheckpoints(bundle.audit.value, checkpoints));
  }
  if (problems.length > 0) return { status: 'forged', detail: problems.slice(0, 5).join('; ') };
  const n = typeof checkpoints === 'string' ? 0 : checkpoints.length;
  return {
    status: 'verified',
    detail: `manifest.json and ${n} checkpoints signed by the trusted key; every partition of the export is exactly what its last signed checkpoint covers`,
  };
}
