/** `exoarmur verify BUNDLE`: re-check an evidence bundle offline; exit 0 only if every check holds. */
import type { Argv, CommandModule } from 'yargs';
import { formatVerifyResult, verifyBundle } from './verify.js';

interface VerifyArgs {
  bundle: string;
}

export const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify <bundle>',
  describe: 'offline re-check of an evidence bundle: manifest, config hash, audit chains, ids, receipts, signatures, replay report',
  builder: (y: Argv) => y.positional('bundle', { type: 'string', demandOption: true, describe: 'bundle directory (artifacts/<run_id>/)' }) as Argv<VerifyArgs>,
  handler: async (args) => {
    const result = await verifyBundle(args.bundle);
    process.stdout.write(formatVerifyResult(args.bundle, result));
    if (!result.ok) process.exitCode = 1;
  },
};
