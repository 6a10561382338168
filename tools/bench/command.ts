/** `exoarmur bench`: throughput, latency, recovery, replay and scaling next to the raw broker. */
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../processor/errors.js';
import { runBench } from './bench.js';
import { BENCH_JOBS, type BenchJob } from './context.js';

interface BenchArgs {
  events: number;
  partitions: number;
  quick: boolean;
  brokers?: string;
  profile: boolean;
  jobs?: string;
  'recovery-keys'?: string;
  'recovery-fill': 'processor' | 'direct';
}

function jobList(text: string | undefined): BenchJob[] | undefined {
  if (text === undefined) return undefined;
  const jobs = text.split(',').map((j) => j.trim());
  for (const job of jobs)
    if (!(BENCH_JOBS as readonly string[]).includes(job))
      throw new UsageError('BENCH_JOBS_INVALID', `--jobs names an unknown job "${job}"; give a comma list of ${BENCH_JOBS.join(', ')}`);
  return jobs as BenchJob[];
}

function keyList(text: string | undefined): number[] | undefined {
  if (text === undefined) return undefined;
  const keys = text.split(',').map((k) => Number(k.trim()));
  for (const k of keys)
    if (!Number.isInteger(k) || k < 1000) throw new UsageError('BENCH_EVENTS_INVALID', `--recovery-keys must be integers ≥ 1000, got ${text}; give e.g. 10000,100000`);
  return keys;
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench',
  describe: 'benchmark the processor against the raw broker; writes artifacts/bench/<run_id>/bench.json and prints a table',
  builder: (y: Argv) =>
    y
      .option('events', { type: 'number', default: 100_000, describe: 'events of the baseline, catch-up, replay and scaling runs (a full run adds 1M)' })
      .option('partitions', { type: 'number', default: 3, describe: 'partitions of the catch-up and latency topics (scaling always uses 6)' })
      .option('quick', { type: 'boolean', default: false, describe: 'skip the 1M-event catch-up and the 1M-key recovery' })
      .option('brokers', { type: 'string', describe: 'use this broker instead of starting a fresh one under .exoarmur/bench' })
      .option('profile', { type: 'boolean', default: false, describe: 'write V8 CPU profiles (node --cpu-prof) of every processor child' })
      .option('jobs', { type: 'string', describe: `only these jobs, comma separated (${BENCH_JOBS.join(', ')}); replay runs the catch-up it replays` })
      .option('recovery-fill', {
        choices: ['processor', 'direct'] as const,
        default: 'processor' as const,
        describe: "fill the recovery job's state topic through the processor, or directly with the idempotency marks it writes (for slow machines)",
      })
      .option('recovery-keys', {
        type: 'string',
        describe: 'idempotency-key counts of the recovery job, comma separated (default 10000,100000 and, unless --quick, 1000000)',
      }) as Argv<BenchArgs>,
  handler: async (args) => {
    if (!Number.isInteger(args.events) || args.events < 1000)
      throw new UsageError('BENCH_EVENTS_INVALID', `--events must be an integer ≥ 1000, got ${args.events}; give e.g. --events 100000`);
    if (!Number.isInteger(args.partitions) || args.partitions < 1)
      throw new UsageError('BENCH_PARTITIONS_INVALID', `--partitions must be a positive integer, got ${args.partitions}; give e.g. --partitions 3`);
    const { file, table } = await runBench({
      events: args.events,
      partitions: args.partitions,
      quick: args.quick,
      profile: args.profile,
      recoveryFill: args['recovery-fill'],
      ...(args.jobs === undefined ? {} : { jobs: jobList(args.jobs) }),
      ...(args['recovery-keys'] === undefined ? {} : { recoveryKeys: keyList(args['recovery-keys']) }),
      ...(args.brokers === undefined ? {} : { brokers: args.brokers }),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`${table}\n\nwritten: ${file}\n`);
  },
};
