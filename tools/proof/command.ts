/**
 * `exoarmur prove AUDIT_ID --bundle DIR` (inclusion proof against the latest signed checkpoint),
 * `exoarmur prove --bundle DIR --partition P --from N` (consistency proof from the checkpoint of N
 * records to the latest), and `exoarmur verify-proof FILE --trust KEY` (the proof and the key alone).
 */
import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { ExoArmurError, UsageError } from '../../processor/errors.js';
import type { CheckpointV1 } from '../../processor/core/checkpoint.js';
import { BUNDLE_FILES, readBundle } from '../bundle/files.js';
import { trustedKey } from '../bundle/origin.js';
import { proofProblem, proveConsistency, proveInclusion, type Proof } from './proof.js';

interface ProveArgs {
  audit_id?: string;
  bundle: string;
  partition?: number;
  from?: number;
}

export const proveCommand: CommandModule<object, ProveArgs> = {
  command: 'prove [audit_id]',
  describe: 'print an inclusion proof of one audit record against its partition’s latest signed checkpoint (or, with --partition and --from, a consistency proof)',
  builder: (y: Argv) =>
    y
      .positional('audit_id', { type: 'string', describe: 'audit_id of the record to prove' })
      .option('bundle', { type: 'string', demandOption: true, describe: 'evidence bundle directory holding audit_export.jsonl and checkpoints.jsonl' })
      .option('partition', { type: 'number', describe: 'consistency proof: the partition' })
      .option('from', { type: 'number', describe: 'consistency proof: record count of the earlier signed checkpoint' }) as Argv<ProveArgs>,
  handler: async (args) => {
    const bundle = await readBundle(args.bundle);
    if (!bundle.audit.ok) throw new UsageError('PROOF_INVALID', bundle.audit.problem);
    const bytes = bundle.files.get(BUNDLE_FILES.checkpoints);
    if (bytes === undefined) throw new UsageError('PROOF_INVALID', `${args.bundle} has no ${BUNDLE_FILES.checkpoints}: it predates signed checkpoints`);
    const checkpoints = bytes
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as CheckpointV1);
    let proof: Proof;
    if (args.audit_id !== undefined) proof = proveInclusion(bundle.audit.value, checkpoints, args.audit_id);
    else if (args.partition !== undefined && args.from !== undefined) proof = proveConsistency(bundle.audit.value, checkpoints, args.partition, args.from);
    else throw new UsageError('CLI_USAGE', 'give an audit_id, or --partition and --from for a consistency proof');
    process.stdout.write(`${JSON.stringify(proof, null, 2)}\n`);
  },
};

interface VerifyProofArgs {
  proof: string;
  trust: string;
}

export const verifyProofCommand: CommandModule<object, VerifyProofArgs> = {
  command: 'verify-proof <proof>',
  describe: 'check a proof written by exoarmur prove with the processor public key alone; exit 0 only if it holds',
  builder: (y: Argv) =>
    y.positional('proof', { type: 'string', demandOption: true, describe: 'proof file (JSON)' }).option('trust', {
      type: 'string',
      demandOption: true,
      describe: 'the processor checkpoint public key: base64 SPKI, a PEM file, or the config that pins it',
    }) as Argv<VerifyProofArgs>,
  handler: (args) => {
    let proof: Proof;
    try {
      proof = JSON.parse(readFileSync(args.proof, 'utf8')) as Proof;
    } catch (cause) {
      throw new UsageError('PROOF_INVALID', `${args.proof} is not a readable JSON proof (${(cause as Error).message})`, { cause });
    }
    const problem = proofProblem(proof, trustedKey(args.trust));
    if (problem !== null) throw new ExoArmurError('PROOF_FAILED', `proof does not hold: ${problem}`);
    process.stdout.write(
      proof.format === 'exoarmur-inclusion-proof/1'
        ? `PROOF HOLDS: audit record ${proof.record.audit_id} is leaf ${proof.leaf_index} of partition ${proof.checkpoint.partition}'s log of ${proof.checkpoint.record_count} records, signed by the trusted key\n`
        : `PROOF HOLDS: partition ${proof.first.partition}'s log of ${proof.first.record_count} records is a prefix of its log of ${proof.second.record_count}, both signed by the trusted key\n`,
    );
  },
};
