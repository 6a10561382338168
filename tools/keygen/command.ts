/** `exoarmur keygen --out FILE`: the processor's checkpoint signing key, and the config entry that names and pins it. */
import type { Argv, CommandModule } from 'yargs';
import { generateCheckpointKey } from '../../processor/checkpoint-key.js';
import { UsageError } from '../../processor/errors.js';

interface KeygenArgs {
  out: string;
  topic: string;
}

export const keygenCommand: CommandModule<object, KeygenArgs> = {
  command: 'keygen',
  describe: 'make the processor checkpoint signing key (Ed25519, PKCS#8 PEM, mode 0600) and print the "checkpoints" config entry that pins its public key',
  builder: (y: Argv) =>
    y
      .option('out', { type: 'string', demandOption: true, describe: 'private key file to create (refused if it exists)' })
      .option('topic', { type: 'string', default: 'exoarmur.checkpoints.v1', describe: 'compacted topic the signed checkpoints go to' }) as Argv<KeygenArgs>,
  handler: (args) => {
    let entry;
    try {
      entry = generateCheckpointKey(args.out, args.topic);
    } catch (cause) {
      throw new UsageError('CHECKPOINT_KEY_INVALID', `cannot create ${args.out} (${(cause as Error).message}); give a new file path to --out`, { cause });
    }
    process.stdout.write(`${JSON.stringify({ checkpoints: entry })}\n`);
  },
};
