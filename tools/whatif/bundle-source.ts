/**
 * An evidence bundle as what-if's source, offline: its inputs.jsonl driven in the order of its
 * audit export's receipts. A bundle whose files do not hash to its manifest, whose audit chains
 * break, or whose inputs do not match its receipts is refused (WHATIF_BUNDLE_UNVERIFIED): a
 * what-if over edited inputs would report decisions the run never faced.
 */
import { canonicalJson } from '../../processor/core/canonical.js';
import type { ConfigSnapshotV1 } from '../../processor/core/types.js';
import { ExoArmurError } from '../../processor/errors.js';
import { BUNDLE_FILES, readBundle } from '../bundle/files.js';
import { inputsByCoordinate, parseBundleInputs } from '../bundle/inputs.js';
import { emptyOutputs, type PartitionOutputs, type RecordedRun } from '../replay/drive.js';
import { byPartition, CHECK_NAMES, integrityChecks } from '../verify/integrity.js';

/** The integrity checks what-if needs to hold before it trusts a bundle's inputs and trail. */
const NEEDED: readonly string[] = [CHECK_NAMES.manifest, CHECK_NAMES.configHash, CHECK_NAMES.configRefs, CHECK_NAMES.chains, CHECK_NAMES.receipts, CHECK_NAMES.inputs];

export interface BundleSource {
  recorded: RecordedRun;
  runId: string;
  /** The run's topic names by config key (run_facts.json). */
  topics: { telemetry: string; operator_actions: string; results?: string };
}

function refuse(dir: string, problem: string): never {
  throw new ExoArmurError('WHATIF_BUNDLE_UNVERIFIED', `bundle ${dir} cannot be decided again: ${problem}`);
}

export async function loadBundleSource(dir: string): Promise<BundleSource> {
  const bundle = await readBundle(dir);
  const failed = integrityChecks(bundle).filter((c) => NEEDED.includes(c.name) && !c.ok);
  if (failed.length > 0) refuse(dir, failed.map((c) => `${c.name}: ${c.detail}`).join('; '));
  // The checks above held, so these parse.
  const audit = bundle.audit.ok ? bundle.audit.value : [];
  const snapshots = bundle.snapshots.ok ? bundle.snapshots.value : [];
  const inputs = parseBundleInputs(bundle);
  const facts = bundle.json(BUNDLE_FILES.runFacts);
  if (!facts.ok) refuse(dir, facts.problem);
  const topics = facts.value['topics'] as Record<string, unknown> | undefined;
  if (typeof topics?.['telemetry'] !== 'string' || typeof topics['operator_actions'] !== 'string') {
    refuse(dir, `${BUNDLE_FILES.runFacts} names no telemetry and operator_actions topics`);
  }
  const outputs = new Map<number, PartitionOutputs>();
  for (const [partition, records] of byPartition(audit)) outputs.set(partition, { ...emptyOutputs(), audit: records });
  const configs = new Map<string, ConfigSnapshotV1>(
    snapshots.map((s) => [s.config_hash, { config_hash: s.config_hash, config: canonicalJson(s.config), captured_at: s.captured_at }]),
  );
  return {
    recorded: { outputs, inputs: inputsByCoordinate(inputs.ok ? inputs.lines : []), snapshots: configs },
    runId: String(facts.value['run_id'] ?? dir),
    topics: {
      telemetry: topics['telemetry'] as string,
      operator_actions: topics['operator_actions'] as string,
      ...(typeof topics['results'] === 'string' ? { results: topics['results'] } : {}),
    },
  };
}
