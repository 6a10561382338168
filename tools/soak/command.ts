/** `exoarmur soak [--minutes N] [--seed S] [--out DIR]`: a 3-node cluster under load and seeded faults; report in <out>/<run_id>/report.json. */
import type { Argv, CommandModule } from 'yargs';
import { ExoArmurError, UsageError } from '../../processor/errors.js';
import { FAULT_KINDS, type FaultKind } from './plan.js';
import { runSoak } from './run.js';

interface SoakArgs {
  minutes: number;
  seed: number;
  out: string;
  rate: number;
  faults: string;
  secure: boolean;
}

export const soakCommand: CommandModule<object, SoakArgs> = {
  command: 'soak',
  describe:
    'run a 3-node KRaft cluster under steady load with seeded faults (leader kills, processor kills, joins and leaves, a cluster restart) and check exactly-once, replay and verify',
  builder: (y: Argv) =>
    y
      .option('minutes', { type: 'number', default: 6, describe: 'how long the load runs (the end checks add minutes in proportion to the inputs)' })
      .option('seed', { type: 'number', default: 18, describe: 'seed of the fault times, the load and the operator (same seed, same plan)' })
      .option('out', { type: 'string', default: 'artifacts/soak', describe: 'the report and the evidence bundle go to <out>/<run_id>/' })
      .option('rate', { type: 'number', default: 8, describe: 'fresh telemetry events offered per second (duplicates come on top)' })
      .option('secure', {
        type: 'boolean',
        default: false,
        describe: 'every node SASL/SCRAM over TLS with role ACLs; the processor logs in as User:processor, the actuator as User:actuator',
      })
      .option('faults', { type: 'string', default: FAULT_KINDS.join(','), describe: `fault kinds to inject, comma-separated (${FAULT_KINDS.join(', ')})` }) as Argv<SoakArgs>,
  handler: async (args) => {
    if (!(args.minutes > 0 && args.minutes <= 120)) throw new UsageError('CLI_USAGE', `--minutes must be in (0, 120], got ${args.minutes}`);
    if (!Number.isInteger(args.seed) || args.seed < 0) throw new UsageError('CLI_USAGE', `--seed must be a non-negative integer, got ${args.seed}`);
    if (!Number.isInteger(args.rate) || args.rate < 1 || args.rate > 500) throw new UsageError('CLI_USAGE', `--rate must be an integer in [1, 500], got ${args.rate}`);
    const kinds = args.faults.split(',').filter((k) => k !== '');
    const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
    if (unknown.length > 0) throw new UsageError('CLI_USAGE', `--faults: unknown kind ${unknown.join(', ')}; known: ${FAULT_KINDS.join(', ')}`);
    const result = await runSoak({ minutes: args.minutes, seed: args.seed, outDir: args.out, perTick: args.rate, kinds: kinds as FaultKind[], secure: args.secure });
    const faults = result.report['faults'] as Record<string, { count: number; recovery_ms: { p50: number; max: number } }>;
    for (const [kind, f] of Object.entries(faults)) process.stdout.write(`${kind}: ${f.count}x, recovery p50 ${f.recovery_ms.p50} ms, max ${f.recovery_ms.max} ms\n`);
    for (const c of result.checks) process.stdout.write(`${c.pass ? 'PASS' : 'FAIL'} ${c.name}: ${c.pass ? c.detail : c.first_offending}\n`);
    process.stdout.write(`SOAK ${result.verdict}: ${result.reportFile}\n`);
    if (result.verdict !== 'PASS') throw new ExoArmurError('SOAK_FAILED', `the soak failed: ${String(result.report['first_offending'])} (report: ${result.reportFile})`);
  },
};
