/** `exoarmur hostile [--seed N] [--out DIR] [--brokers LIST]`: replay the hostile-input corpus through a real processor and report. */
import type { Argv, CommandModule } from 'yargs';
import { BROKERS_OPTION_DESCRIBE } from '../../processor/config/index.js';
import { ExoArmurError, UsageError } from '../../processor/errors.js';
import { commandBrokers } from '../lib/brokers.js';
import { DEFAULT_HOSTILE_SEED } from './generate.js';
import { hostileSummary, runHostile } from './run.js';

interface HostileArgs {
  seed: number;
  out: string;
  brokers?: string;
  config?: string;
}

export const hostileCommand: CommandModule<object, HostileArgs> = {
  command: 'hostile',
  describe: 'send the seeded hostile-input corpus through a real processor; every record must get its receipt and reason code (report in <out>/<run_id>/)',
  builder: (y: Argv) =>
    y
      .option('seed', { type: 'number', default: DEFAULT_HOSTILE_SEED, describe: 'corpus seed (same seed, same bytes)' })
      .option('out', { type: 'string', default: 'artifacts/hostile', describe: 'the report goes to <out>/<run_id>/' })
      .option('brokers', { type: 'string', describe: BROKERS_OPTION_DESCRIBE })
      .option('config', { type: 'string', describe: 'a config file whose "brokers" is the broker rule\'s last source' }) as Argv<HostileArgs>,
  handler: async (args) => {
    if (!Number.isInteger(args.seed) || args.seed < 0) throw new UsageError('CLI_USAGE', `--seed must be a non-negative integer, got ${args.seed}`);
    const { report, dir } = await runHostile({ brokers: commandBrokers(args), seed: args.seed, outDir: args.out });
    process.stdout.write(hostileSummary(report));
    process.stdout.write(`report: ${dir}/report.json\n`);
    const first = report.mismatches[0];
    if (first !== undefined)
      throw new ExoArmurError(
        'HOSTILE_OUTCOME_MISMATCH',
        `${report.mismatches.length} records got another outcome; first: ${first.class} / ${first.name} at ${first.at}: ${first.problem}`,
      );
    if (report.violations.length > 0) throw new ExoArmurError('HOSTILE_OUTCOME_MISMATCH', `${report.violations.length} run checks failed; first: ${report.violations[0]}`);
  },
};
