/**
 * `exoarmur record --run RUN_ID`: write a finished run's durable records to a recorded-run
 * directory. `exoarmur record --check DIR`: check and replay an existing one offline (no broker).
 */
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../processor/errors.js';
import { topicsForRun } from '../reality/naming.js';
import { checkRecordedRun, formatRecordedCheck } from './check.js';
import { recordRun } from './record.js';
import { BROKERS_OPTION_DESCRIBE } from '../../processor/config/index.js';
import { commandBrokers } from '../lib/brokers.js';

interface RecordArgs {
  run?: string;
  brokers?: string;
  out?: string;
  check?: string;
}

export const recordCommand: CommandModule<object, RecordArgs> = {
  command: 'record',
  describe:
    'record a finished run (inputs its receipts point at, audit trail, execute intents, dead letters, config snapshots) into a directory that replays offline; exit 1 if it does not',
  builder: (y: Argv) =>
    y
      .option('run', { type: 'string', describe: 'run id (ULID) of a reality run: its topics are exoarmur.<run id lower-case>.*' })
      .option('brokers', { type: 'string', describe: BROKERS_OPTION_DESCRIBE })
      .option('config', { type: 'string', describe: 'a config file whose "brokers" is the broker rule\'s last source' })
      .option('out', { type: 'string', describe: 'directory to write (default: fixtures/recorded/<run id>)' })
      .option('check', {
        type: 'string',
        describe: 'instead of recording: check SHA256SUMS, counts, chains and replay of this recorded-run directory offline',
      }) as Argv<RecordArgs>,
  handler: async (args) => {
    if (args.check !== undefined) {
      const check = await checkRecordedRun(args.check);
      process.stdout.write(formatRecordedCheck(args.check, check));
      if (!check.ok) process.exitCode = 1;
      return;
    }
    if (args.run === undefined || args.run === '') {
      throw new UsageError('RECORD_RUN_MISSING', 'record needs --run RUN_ID (or --check DIR): name the finished run to record (its id is the artifacts/<run_id>/ directory name)');
    }
    const brokers = commandBrokers(args);
    const outDir = args.out ?? join('fixtures', 'recorded', args.run);
    const { meta, check } = await recordRun({ brokers, runId: args.run, topics: topicsForRun(args.run), outDir });
    const c = meta.counts;
    process.stdout.write(
      `recorded ${meta.run_id} to ${outDir}: ${c.inputs.telemetry} telemetry + ${c.inputs.operator} operator inputs, ${c.audit} audit records, ${c.execute} execute intents, ${c.dlq} dead letters, ${c.config_snapshots} config snapshots\n`,
    );
    process.stdout.write(formatRecordedCheck(outDir, check));
    if (!check.ok) process.exitCode = 1;
  },
};
