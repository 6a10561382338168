/** `exoarmur verify BUNDLE`: re-check an evidence bundle offline; exit 0 only if every check holds. */
import type { Argv, CommandModule } from 'yargs';
import { bundleConfigHash } from '../bundle/files.js';
import { trustedKey } from '../bundle/origin.js';
import { formatVerifyResult, verifyBundle } from './verify.js';

interface VerifyArgs {
  bundle: string;
  trust?: string;
}

export const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify <bundle>',
  describe:
    'offline re-check of an evidence bundle: manifest, config hash, audit chains, ids, receipts, signatures, replay report, derived reports, gate verdicts; and its origin against --trust',
  builder: (y: Argv) =>
    y.positional('bundle', { type: 'string', demandOption: true, describe: 'bundle directory (artifacts/<run_id>/)' }).option('trust', {
      type: 'string',
      describe:
        "the processor checkpoint public key, obtained out of band: base64 SPKI, a PEM file, the config file that pins it, or a config_snapshot.json (the snapshot whose hash is the bundle's config_hash); a key taken from the bundle under check proves nothing about its origin",
    }) as Argv<VerifyArgs>,
  handler: async (args) => {
    const result = await verifyBundle(args.bundle, args.trust === undefined ? null : trustedKey(args.trust, bundleConfigHash(args.bundle)));
    process.stdout.write(formatVerifyResult(args.bundle, result));
    if (!result.ok) process.exitCode = 1;
  },
};
