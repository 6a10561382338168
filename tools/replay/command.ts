/** `exoarmur replay --run RUN_ID`: replay a run from the broker and report every mismatch. */
import { writeFile } from 'node:fs/promises';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../processor/errors.js';
import { topicNames } from '../../processor/io/topics.js';
import { topicsForRun } from '../reality/naming.js';
import { replayRun } from './replay.js';
import { BROKERS_OPTION_DESCRIBE } from '../../processor/config/index.js';
import { commandBrokers } from '../lib/brokers.js';

interface ReplayArgs {
  run?: string;
  'topic-prefix'?: string;
  brokers?: string;
  out?: string;
  workers?: number;
}

export const replayCommand: CommandModule<object, ReplayArgs> = {
  command: 'replay',
  describe: 'replay a run from durable records (receipts, inputs, config snapshots) and compare with its audit trail; exit 1 if it differs',
  builder: (y: Argv) =>
    y
      .option('run', { type: 'string', describe: 'run id (ULID) of a reality run: its topics are exoarmur.<run id lower-case>.*' })
      .option('topic-prefix', { type: 'string', describe: 'prefix of the run\'s topic names instead of --run ("" for the default names)' })
      .option('brokers', { type: 'string', describe: BROKERS_OPTION_DESCRIBE })
      .option('config', { type: 'string', describe: 'a config file whose "brokers" is the broker rule\'s last source' })
      .option('out', { type: 'string', describe: 'write replay_report.json here (default: a summary on stdout only)' })
      .option('workers', {
        type: 'number',
        describe: 'worker threads replaying partitions in parallel (default: one per partition, at most two per CPU; 1: this thread only)',
      }) as Argv<ReplayArgs>,
  handler: async (args) => {
    const prefix = args['topic-prefix'];
    if ((args.run === undefined) === (prefix === undefined)) {
      throw new UsageError(
        'REPLAY_RUN_MISSING',
        'replay needs exactly one of --run RUN_ID or --topic-prefix PREFIX: name the run to replay (its id is the artifacts/<run_id>/ directory name)',
      );
    }
    if (args.workers !== undefined && (!Number.isInteger(args.workers) || args.workers < 1))
      throw new UsageError('REPLAY_WORKERS_INVALID', `--workers must be a positive integer, got ${args.workers}; give e.g. --workers 2`);
    const brokers = commandBrokers(args);
    const topics = args.run !== undefined ? topicsForRun(args.run) : topicNames({ prefix });
    const report = await replayRun({ brokers, topics, runId: args.run ?? topics.audit, ...(args.workers === undefined ? {} : { workers: args.workers }) });
    if (args.out !== undefined) await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);
    const lines = [
      `replay ${report.run_id}: ${report.pass ? 'PASS' : 'FAIL'} — compared ${report.compared}, matched ${report.matched}, mismatched ${report.mismatched}; ${report.inputs_replayed} inputs at ${report.events_per_second} events/s`,
      ...report.mismatches
        .slice(0, 20)
        .map((m) => `  partition ${m.partition} seq ${m.seq ?? '-'} ${m.audit_id ?? ''} ${m.field}: recorded ${JSON.stringify(m.recorded)} replayed ${JSON.stringify(m.replayed)}`),
    ];
    if (report.mismatches.length > 20) lines.push(`  … ${report.mismatched} mismatches in all${args.out === undefined ? '; --out FILE writes every one' : ` (see ${args.out})`}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    if (!report.pass) process.exitCode = 1;
  },
};
